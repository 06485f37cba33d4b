// The HTML report: ONE self-contained file (inline CSS and SVG, no script, no network), meant to
// be written into the run dir so pcap links (relative hrefs) resolve. Sections: header with the
// verdict; topology picture; per-flow hop pictures (the tag stack at each hop as stacked blocks,
// outer on top, client frame at the bottom; observed-vs-expected mismatches in red); checks per
// suite with messages and evidence frames; the failover timeline; mutation score; background frames; captures.
// Deterministic: the output depends on the report (and options) only.
import { writeFile } from 'node:fs/promises';
import type { CaptureManifest } from '../capture/manifest.js';
import type { CheckResult, ConformanceReport, FrameEvidence, HopStack } from './result.js';
import { suiteOrder } from './junit.js';
import { BLOCK_COLOR, CLASS_COLOR, tenantColors } from './palette.js';
import { expectedBlocks, observedBlocks, patternText, type StackBlock } from './stack.js';
import { topologyLegend, topologySvg } from './topology-svg.js';
import { html } from './xml.js';
import { failoverSection } from './failover-html.js';

export interface HtmlOptions {
  /** Prefix of pcap links, relative to where the HTML file is placed. Default '' (the run dir). */
  pcapBase?: string;
  /** The run's capture manifest: adds a captures table (file, link, frames, drops, flags). */
  manifest?: CaptureManifest;
  /** Page title; default `fabric <lab> <runId>`. */
  title?: string;
}

/** A relative link to a capture file, each path segment URI-encoded. */
export function pcapHref(file: string, base = ''): string {
  const prefix = base && !base.endsWith('/') ? base + '/' : base;
  return (prefix + file).split('/').map(encodeURIComponent).join('/');
}

const CSS = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;background:#f1f5f9;color:#0f172a}
main{max-width:1500px;margin:0 auto;padding:18px 24px 60px}
h1{font-size:22px;margin:0}
h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid #cbd5e1}
h3{font-size:14px;margin:16px 0 6px}
code,pre,.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
pre{white-space:pre-wrap;margin:4px 0}
a{color:#1d4ed8}
header.top{display:flex;gap:24px;align-items:center;flex-wrap:wrap;background:#fff;border-radius:10px;padding:14px 18px;box-shadow:0 1px 3px #0002}
.verdict{font-size:20px;font-weight:700;color:#fff;padding:10px 18px;border-radius:8px;letter-spacing:.5px}
.verdict.passed{background:#16a34a}.verdict.failed{background:#dc2626}
.meta{display:grid;grid-template-columns:auto auto;gap:0 12px;font-size:13px}
.meta dt{color:#64748b}.meta dd{margin:0;font-family:"DejaVu Sans Mono",monospace;font-size:12px}
.tiles{display:flex;gap:10px;margin-left:auto}
.tile{background:#f8fafc;border-radius:8px;padding:6px 14px;text-align:center;min-width:78px;border:1px solid #e2e8f0}
.tile b{display:block;font-size:22px}
.tile.passed b{color:#16a34a}.tile.failed b{color:#dc2626}.tile.skipped b{color:#64748b}.tile.score b{color:#7c3aed}
.card{background:#fff;border-radius:10px;padding:12px 16px;box-shadow:0 1px 3px #0002;margin-bottom:12px}
.topo-wrap{overflow-x:auto}
svg.topology{max-width:100%;height:auto;display:block;margin:0 auto}
svg .col-title{font:600 14px system-ui,sans-serif;fill:#334155}
svg .band-title{font:600 11px system-ui,sans-serif}
svg .node-label{font:11px "DejaVu Sans Mono",monospace}
.legend{display:flex;flex-direction:column;gap:4px;font-size:12px;margin-top:8px}
.lg{display:inline-flex;align-items:center;gap:4px;margin-right:12px}
.sw{display:inline-block}.sw.box{width:14px;height:12px;border-radius:3px;border:1px solid #0003}.sw.line{width:22px}
.flow{margin-bottom:16px}
.flow h3 .tenant{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;margin-right:6px}
.flow h3 .bad{color:#dc2626;font-weight:600;margin-left:8px}
.hops{display:flex;flex-wrap:wrap;align-items:flex-end;gap:6px 0}
.hop{display:flex;align-items:flex-end}
.arrow{color:#94a3b8;font-size:18px;padding:0 3px 40px}
.hopcard{width:168px;border:2px solid #cbd5e1;border-radius:8px;background:#fff;padding:4px;display:flex;flex-direction:column}
.hopcard.ok{border-color:#86efac}.hopcard.bad{border-color:#dc2626;background:#fef2f2}.hopcard.exp{border-style:dashed}
.hopcard .cls{font-size:10px;font-weight:700;color:#fff;border-radius:4px;padding:1px 5px;align-self:flex-start;margin-bottom:2px}
.hopcard .ends{font-size:10.5px;color:#334155;margin-bottom:4px;word-break:break-all}
.hopcard .state{font-size:10px;color:#64748b;margin-top:3px}
.hopcard.bad .state{color:#b91c1c;font-weight:600}
.blk{border-radius:4px;padding:2px 5px;margin-top:2px;font-size:10.5px;line-height:1.25;border:2px solid transparent;overflow-wrap:anywhere}
.blk .k{display:block;font-size:9px;text-transform:uppercase;letter-spacing:.3px;opacity:.85}
.blk .v{font-family:"DejaVu Sans Mono",monospace;font-weight:600}
.blk.mismatch{border-color:#dc2626;box-shadow:0 0 0 2px #fecaca;position:relative}
.blk.payload .v,.blk.raw .v{display:block;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-weight:400}
.blk .want{display:block;font-size:9.5px;background:#fff;color:#b91c1c;border-radius:3px;padding:0 3px;margin-top:2px}
.blk.missing{background:repeating-linear-gradient(45deg,#fee2e2,#fee2e2 5px,#fff 5px,#fff 10px)!important;color:#991b1b!important;border-color:#dc2626}
.stack-legend{display:flex;flex-wrap:wrap;gap:6px;font-size:11px;margin:4px 0 10px}
.stack-legend span{padding:2px 6px;border-radius:4px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #e2e8f0}
th{background:#f8fafc;font-size:12px;color:#475569}
.badge{display:inline-block;font-size:11px;font-weight:700;border-radius:4px;padding:1px 7px;color:#fff;text-transform:uppercase}
.badge.passed,.badge.killed{background:#16a34a}.badge.failed,.badge.survived{background:#dc2626}.badge.skipped{background:#94a3b8}.badge.error{background:#b45309}pre.cmd{color:#334155;background:#f1f5f9}
tr.failed td{background:#fef2f2}
tr.lossy td{background:#fffbeb}
.msg{color:#991b1b}
.ev{margin:4px 0 0;padding:0;list-style:none}
.ev li{margin:3px 0;padding:3px 6px;background:#f8fafc;border-left:3px solid #dc2626;border-radius:3px}
tr.passed .ev li{border-left-color:#16a34a}
.ev .note{color:#64748b;font-size:12px}
.stats{color:#64748b;font-size:12px}
.flag{display:inline-block;font-size:11px;background:#fef3c7;color:#92400e;border-radius:3px;padding:0 5px;margin-right:3px}
footer{margin-top:30px;color:#64748b;font-size:12px}
`;

const CLASS_SHORT: Record<string, string> = {
  'client-access': 'client',
  'tenant-lan': 'tenant LAN',
  'dc-fabric': 'DC fabric',
  'dc-interconnect': 'interconnect',
  'long-haul': 'long haul',
  provider: 'provider',
  hypervisor: 'hypervisor',
};

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

function durationText(a: string, b: string): string {
  const d = Date.parse(b) - Date.parse(a);
  return Number.isFinite(d) && d >= 0 ? fmtMs(d) : '?';
}

/** Does an observed block value match the expected one? '*' tokens match any token. */
function valueMatches(expected: string, observed: string): boolean {
  const e = expected.split(/\s+/),
    o = observed.split(/\s+/);
  return e.length === o.length && e.every((t, i) => t === '*' || t === o[i]);
}

const fabricPart = (bs: StackBlock[]) => bs.filter((b) => b.kind !== 'payload' && b.kind !== 'raw');

function blockHtml(b: StackBlock, extraClass = '', want?: string): string {
  const c = BLOCK_COLOR[b.kind];
  return (
    `<div class="blk ${b.kind}${extraClass}" style="background:${c.bg};color:${c.ink}" title="${html(`${b.label}: ${b.value}`)}">` +
    `<span class="k">${html(b.label)}</span><span class="v">${html(b.value)}</span>${want !== undefined ? `<span class="want">${html(want)}</span>` : ''}</div>`
  );
}

/** One hop card: observed blocks (mismatches against expected marked) or expected blocks only. */
function hopCard(h: HopStack): string {
  const expected = expectedBlocks(h.expected);
  const cls = CLASS_COLOR[h.class] ?? '#64748b';
  const head =
    `<span class="cls" style="background:${cls}">${html(CLASS_SHORT[h.class] ?? h.class)}</span>` +
    `<span class="ends mono" title="${html(h.link)}">${html(h.from)} → ${html(h.to)}</span>`;
  if (h.observed === undefined) {
    // ok === false without an observed frame: the frame was expected here and never seen.
    if (h.ok === false) {
      return `<div class="hopcard bad" data-link="${html(h.link)}">${head}${expected.map((b) => blockHtml(b, ' missing', undefined)).join('')}<span class="state">expected, not observed</span></div>`;
    }
    return `<div class="hopcard exp" data-link="${html(h.link)}">${head}${expected.map((b) => blockHtml(b)).join('')}<span class="state">expected (not captured)</span></div>`;
  }
  const observed = observedBlocks(h.observed);
  const exp = fabricPart(expected);
  const obs = fabricPart(observed);
  // Compare the fabric headers position by position, outer first (payload is not part of a plan).
  const bad = new Set<number>();
  const wants = new Map<number, string>();
  obs.forEach((b, i) => {
    const e = exp[i];
    if (!e) {
      bad.add(i);
      wants.set(i, 'not expected');
      return;
    }
    if (e.kind !== b.kind || !valueMatches(e.value, b.value)) {
      bad.add(i);
      wants.set(i, `expected ${e.label} ${e.value}`);
    }
  });
  const missing = exp.slice(obs.length);
  const mismatch = h.ok === false || bad.size > 0 || missing.length > 0;
  const blocks: string[] = [];
  let k = 0;
  for (const b of observed) {
    if (b.kind === 'payload' || b.kind === 'raw') {
      blocks.push(blockHtml(b));
      continue;
    }
    blocks.push(bad.has(k) ? blockHtml(b, ' mismatch', wants.get(k)) : blockHtml(b));
    k++;
  }
  for (const m of missing) blocks.push(blockHtml(m, ' missing', 'missing'));
  const state = mismatch
    ? bad.size || missing.length
      ? 'observed ≠ expected'
      : 'judged wrong'
    : 'observed = expected';
  return (
    `<div class="hopcard ${mismatch ? 'bad' : 'ok'}" data-link="${html(h.link)}">${head}${blocks.join('')}<span class="state">${state}</span>` +
    (mismatch ? `<span class="state mono" title="expected stack">exp: ${html(patternText(h.expected))}</span>` : '') +
    '</div>'
  );
}

function flowsSection(report: ConformanceReport, colors: Map<string, string>): string {
  if (!report.hops.length) return '<p>No hop pictures in this report.</p>';
  const legendKinds = [
    'eth-outer',
    'ip-outer',
    'vxlan',
    'tag4',
    'tag3',
    'pw',
    'tag1',
    'tag2',
    'eth-client',
    'own-vlan',
    'payload',
  ] as const;
  const labels: Record<string, string> = {
    'eth-outer': 'outer Ethernet',
    'ip-outer': 'outer IPv4/UDP',
    vxlan: 'VXLAN',
    tag4: 'Tag4 MPLS transport',
    tag3: 'Tag3 MPLS DC/VPLS',
    pw: 'pseudowire',
    tag1: 'Tag1 802.1ad host',
    tag2: 'Tag2 802.1Q customer',
    'eth-client': 'client Ethernet',
    'own-vlan': 'own VLAN',
    payload: 'payload',
  };
  const legend =
    '<div class="stack-legend">' +
    legendKinds
      .map((k) => `<span style="background:${BLOCK_COLOR[k].bg};color:${BLOCK_COLOR[k].ink}">${labels[k]}</span>`)
      .join('') +
    '</div>';
  const flows = report.hops.map((f) => {
    const bad = f.hops.filter((h) => h.ok === false).length;
    const col = colors.get(f.tenant) ?? '#64748b';
    const cards = f.hops
      .map((h, i) => `<div class="hop">${i ? '<span class="arrow">→</span>' : ''}${hopCard(h)}</div>`)
      .join('');
    return (
      `<div class="card flow" data-tenant="${html(f.tenant)}"><h3><span class="tenant" style="background:${col}">${html(f.tenant)}</span>${html(f.flow)}` +
      `<span class="stats"> · ${f.hops.length} hops</span>${bad ? `<span class="bad">${bad} hop${bad === 1 ? '' : 's'} wrong</span>` : ''}</h3><div class="hops">${cards}</div></div>`
    );
  });
  return legend + flows.join('\n');
}

function evidenceItem(e: FrameEvidence, base: string): string {
  return (
    `<li><a class="mono" href="${html(pcapHref(e.file, base))}">${html(e.file)}</a> <b class="mono">#${e.frame}</b>` +
    `${e.note ? ` <span class="note">${html(e.note)}</span>` : ''}<pre>${html(e.decoded)}</pre>${e.command ? `<pre class="cmd" title="the frame in full">$ ${html(e.command)}</pre>` : ''}</li>`
  );
}

function checkRow(c: CheckResult, base: string): string {
  const stats = Object.entries(c.stats ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${html(k)} ${v}`)
    .join(' · ');
  const ev = c.evidence.length
    ? c.state === 'failed'
      ? `<ul class="ev">${c.evidence.map((e) => evidenceItem(e, base)).join('')}</ul>`
      : `<details><summary>${c.evidence.length} frame${c.evidence.length === 1 ? '' : 's'}</summary><ul class="ev">${c.evidence.map((e) => evidenceItem(e, base)).join('')}</ul></details>`
    : '';
  return (
    `<tr id="check-${html(c.id)}" class="check ${c.state}" data-check="${html(c.id)}" data-state="${c.state}">` +
    `<td><span class="badge ${c.state}">${c.state}</span></td>` +
    `<td><div class="title">${html(c.title)}</div><code>${html(c.id)}</code></td>` +
    `<td class="mono">${fmtMs(c.durationMs)}</td>` +
    `<td>${c.message ? `<pre class="${c.state === 'failed' || c.state === 'error' ? 'msg' : ''}">${html(c.message)}</pre>` : ''}${stats ? `<div class="stats">${stats}</div>` : ''}${ev}</td></tr>`
  );
}

function checksSection(report: ConformanceReport, base: string): string {
  return suiteOrder(report)
    .map((s) => {
      const cs = report.checks.filter((c) => c.suite === s);
      const f = cs.filter((c) => c.state === 'failed' || c.state === 'error').length;
      const state = f ? 'failed' : cs.length && cs.every((c) => c.state === 'skipped') ? 'skipped' : 'passed';
      return (
        `<div class="card suite" data-suite="${html(s)}"><h3><span class="badge ${state}">${state}</span> ${html(s)} <span class="stats">${cs.length} check${cs.length === 1 ? '' : 's'}${f ? `, ${f} failed` : ''}</span></h3>` +
        (cs.length
          ? `<table><thead><tr><th style="width:80px">state</th><th style="width:30%">check</th><th style="width:70px">time</th><th>details and evidence</th></tr></thead><tbody>${cs.map((c) => checkRow(c, base)).join('')}</tbody></table>`
          : '<p class="stats">no checks ran in this suite</p>') +
        '</div>'
      );
    })
    .join('\n');
}

function mutationsSection(report: ConformanceReport): string {
  const ms = report.mutations;
  if (!ms?.length) return '';
  const score = report.summary.mutationScore ?? ms.filter((m) => m.killed).length / ms.length;
  const rows = ms.map(
    (m) =>
      `<tr class="mutation ${m.killed ? 'passed' : 'failed'}" data-mutation="${html(m.name)}"><td><span class="badge ${m.killed ? 'killed' : 'survived'}">${m.killed ? 'killed' : 'survived'}</span></td>` +
      `<td><code>${html(m.name)}</code></td><td>${html(m.description)}</td><td>${m.killedBy.length ? m.killedBy.map((k) => `<code>${html(k)}</code>`).join(', ') : '<span class="msg">no check turned red</span>'}</td></tr>`,
  );
  return (
    `<h2 id="mutations">Mutation self-check: score ${(score * 100).toFixed(0)}% (${ms.filter((m) => m.killed).length}/${ms.length} killed)</h2>` +
    `<div class="card"><table><thead><tr><th style="width:90px">result</th><th>mutation</th><th>what was misprogrammed</th><th>caught by</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`
  );
}

function backgroundSection(report: ConformanceReport): string {
  const entries = Object.entries(report.background).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  const total = entries.reduce((s, [, v]) => s + v, 0);
  if (!entries.length)
    return '<h2 id="background">Background frames</h2><div class="card"><p>No background frames were classified.</p></div>';
  return (
    `<h2 id="background">Background frames (${total}, not tenant traffic)</h2><div class="card"><table><thead><tr><th>kind</th><th style="width:120px">frames</th></tr></thead><tbody>` +
    entries.map(([k, v]) => `<tr><td><code>${html(k)}</code></td><td class="mono">${v}</td></tr>`).join('') +
    '</tbody></table></div>'
  );
}

function capturesSection(report: ConformanceReport, o: HtmlOptions): string {
  const base = o.pcapBase ?? '';
  if (o.manifest) {
    const files = [...o.manifest.files].sort((a, b) => (a.file < b.file ? -1 : 1));
    return (
      `<h2 id="captures">Captures (${files.length} files, ${o.manifest.totals.packets} frames, ${o.manifest.totals.dropped} dropped)</h2><div class="card"><table><thead><tr><th>file</th><th>link</th><th>class</th><th>frames</th><th>dropped</th><th>flags</th></tr></thead><tbody>` +
      files
        .map(
          (f) =>
            `<tr><td><a class="mono" href="${html(pcapHref(f.file, base))}">${html(f.file)}</a></td><td class="mono">${html(`${f.node}:${f.ifname}`)} ↔ ${html(`${f.peer.node}:${f.peer.ifname}`)}</td>` +
            `<td>${html(f.linkClass)}</td><td class="mono">${f.packets}</td><td class="mono">${f.dropped ?? '?'}</td><td>${f.flags.map((x) => `<span class="flag">${html(x)}</span>`).join('')}</td></tr>`,
        )
        .join('') +
      '</tbody></table></div>'
    );
  }
  const files = [...new Set(report.checks.flatMap((c) => c.evidence.map((e) => e.file)))].sort();
  if (!files.length) return '';
  return (
    `<h2 id="captures">Capture files named as evidence (${files.length})</h2><div class="card"><ul>` +
    files.map((f) => `<li><a class="mono" href="${html(pcapHref(f, base))}">${html(f)}</a></li>`).join('') +
    '</ul></div>'
  );
}

export function renderHtml(report: ConformanceReport, o: HtmlOptions = {}): string {
  const base = o.pcapBase ?? '';
  const { passed, failed, skipped } = report.summary;
  const mutationsFailed = report.mutations?.some((m) => !m.killed) ?? false;
  const verdict = failed > 0 || (report.summary.errors ?? 0) > 0 || mutationsFailed ? 'failed' : 'passed';
  const colors = tenantColors([
    ...report.topology.nodes.map((n) => n.tenant).filter((t): t is string => !!t),
    ...report.hops.map((h) => h.tenant),
  ]);
  const topo = topologySvg(report.topology);
  const title = o.title ?? `fabric ${report.lab} ${report.runId}`;
  const score =
    report.summary.mutationScore ??
    (report.mutations?.length ? report.mutations.filter((m) => m.killed).length / report.mutations.length : undefined);
  const tiles = [
    `<div class="tile passed"><b>${passed}</b>passed</div>`,
    `<div class="tile failed"><b>${failed}</b>failed</div>`,
    `<div class="tile skipped"><b>${skipped}</b>skipped</div>`,
    report.summary.errors ? `<div class="tile failed"><b>${report.summary.errors}</b>not run (probe error)</div>` : '',
    score !== undefined ? `<div class="tile score"><b>${(score * 100).toFixed(0)}%</b>mutation score</div>` : '',
  ].join('');
  const failedChecks = report.checks.filter((c) => c.state === 'failed');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${html(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header class="top">
<div class="verdict ${verdict}" id="verdict">${verdict === 'passed' ? 'PASSED' : 'FAILED'}</div>
<div><h1>fabric conformance · ${html(report.lab)}</h1>
<dl class="meta"><dt>run</dt><dd>${html(report.runId)}</dd><dt>plan</dt><dd>${html(report.planHash)}</dd><dt>runtime</dt><dd>${html(report.runtime)}</dd>
<dt>time</dt><dd>${html(report.startedAt)} (${durationText(report.startedAt, report.finishedAt)})</dd><dt>suites</dt><dd>${html(report.suites.join(', '))}</dd></dl></div>
<div class="tiles">${tiles}</div>
</header>
${failedChecks.length ? `<div class="card" style="margin-top:12px;border-left:5px solid #dc2626"><b>Failed:</b> ${failedChecks.map((c) => `<a href="#check-${html(c.id)}"><code>${html(c.id)}</code></a>`).join(', ')}</div>` : ''}
<h2 id="topology">Topology (${report.topology.nodes.length} nodes, ${report.topology.links.length} links)</h2>
<div class="card"><div class="topo-wrap">${topo.svg}</div>${topologyLegend(report.topology)}</div>
<h2 id="hops">Tag stack at each hop, per tenant flow</h2>
${flowsSection(report, colors)}
<h2 id="checks">Checks (${report.checks.length})</h2>
${checksSection(report, base)}
${failoverSection(report)}
${mutationsSection(report)}
${backgroundSection(report)}
${capturesSection(report, o)}
<footer>Generated by fabric from report version ${report.reportVersion}. Capture links are relative to this file's folder (${html(report.runDir)}).</footer>
</main>
</body>
</html>
`;
}

export async function writeHtml(report: ConformanceReport, path: string, o: HtmlOptions = {}): Promise<void> {
  await writeFile(path, renderHtml(report, o));
}
