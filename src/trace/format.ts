// Text rendering of a trace: one block per hop, in path order.
//   hop 3  dc-fabric  dc1-sw:p2 → dc1-pe:p1   +0.000041 s   dc1-sw--p2.pcap#12  dc1-pe--p1.pcap#12
//          02:00:00:00:00:10 > 02:00:00:00:00:52 802.1ad 101 | 802.1Q 201 | IPv4 ...
//          ~ rewrote 802.1Q 100 → 201
//          + pushed 802.1ad 101
import { changeText } from './diff.js';
import type { TraceResult } from './trace.js';

export interface FormatOptions {
  color?: boolean;
}

const ANSI = {
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  off: '\x1b[0m',
};

export function formatTrace(t: TraceResult, o: FormatOptions = {}): string {
  const c = (code: keyof typeof ANSI, s: string) => (o.color ? ANSI[code] + s + ANSI.off : s);
  const lines: string[] = [];
  lines.push(
    c('bold', `trace of ${t.anchor.file}#${t.anchor.frame}`) +
      ` (client frame ${t.key}) in ${t.lab ?? '?'} run ${t.runId ?? '?'}: ${t.hops.length} hop${t.hops.length === 1 ? '' : 's'}`,
  );
  if (t.decodeAs?.labels)
    lines.push(
      c(
        'dim',
        `decode-as: ${Object.entries(t.decodeAs.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}${t.decodeAs.default ? ` default=${t.decodeAs.default}` : ''}`,
      ),
    );
  const w = Math.max(0, ...t.hops.map((h) => h.linkClass.length));
  for (const h of t.hops) {
    const ends = (n: { node: string; ifname: string | null }) => (n.ifname ? `${n.node}:${n.ifname}` : n.node);
    const dt = Math.min(...h.ends.map((e) => e.dt));
    const frames = h.ends.map((e) => `${e.file}#${e.frame}${e.copies > 1 ? ` (${e.copies} copies)` : ''}`).join('  ');
    lines.push('');
    if (h.gap) lines.push(c('yellow', '   ... (not adjacent to the hops above: an uncaptured link in between?)'));
    const via = h.parent !== null && h.parent !== h.index - 1 ? c('dim', ` (from hop ${h.parent})`) : '';
    lines.push(
      `${c('bold', `hop ${String(h.index).padStart(2)}`)}  ${c('cyan', h.linkClass.padEnd(w))}  ${ends(h.from)} → ${ends(h.to)}  ${(dt >= 0 ? '+' : '') + dt.toFixed(6)} s  ${c('dim', frames)}${via}`,
    );
    lines.push(`        ${h.stack}`);
    if (h.parent === null) lines.push(c('dim', '        (first hop)'));
    else if (!h.changes.length) lines.push(c('dim', '        (stack unchanged)'));
    for (const ch of h.changes) {
      const text = changeText(ch);
      lines.push('        ' + c(ch.op === 'push' ? 'green' : ch.op === 'pop' ? 'red' : 'yellow', text));
    }
    if (h.endsDiffer) lines.push(c('red', '        ! the two ends of this link decoded differently'));
  }
  if (t.others.count) {
    lines.push(
      '',
      c(
        'dim',
        `${t.others.count} other frame${t.others.count === 1 ? '' : 's'} contain the marker but carry another client frame (use --frame FILE:N to follow one):`,
      ),
    );
    for (const e of t.others.examples) lines.push(c('dim', `  ${e.file}#${e.frame}  ${e.stack}`));
  }
  return lines.join('\n') + '\n';
}

/** JSON form (layers dropped: the stack text carries them). */
export function traceJson(t: TraceResult): string {
  return JSON.stringify({ ...t, hops: t.hops.map(({ layers: _l, ...h }) => h) }, null, 2) + '\n';
}
