// Loading the largest intent the limits allow (docs/lab-format.md, Limits): generated at the byte
// and node limits, loaded and resolved in a fresh process each, against the targets of 10 s and
// 1 GiB. Also the largest refused intent (every system wrong: thousands of diagnostics) and one
// just over the byte limit (refused before parsing). The target is judged on the loading
// process's CPU time (its wall time on an idle machine); wall time and the load average are
// printed beside it, because a shared machine stretches wall time several-fold.
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_INTENT_BYTES, MAX_LAB_NODES } from '../src/topology/index.js';
import { bigIntent } from '../tests/helpers/big-intent.js';
import type { BenchContext, BenchFigure, BenchModule } from './run.js';

const TARGET_MS = 10_000;
const TARGET_MIB = 1024;
const CHILD = fileURLToPath(new URL('./intent-load-child.ts', import.meta.url));

interface ChildResult {
  ms: number;
  cpuMs: number;
  maxRssMiB: number;
  outcome: string;
}

/** Tenants of one site with 4 systems each: as many as the customer-tag space and node limit allow. */
function largestValid(): string {
  const tenants = Math.min(3894, Math.floor((MAX_LAB_NODES - 10) / 5));
  return bigIntent({ tenants, sites: 1, systems: 4, padTo: MAX_INTENT_BYTES - 64 });
}

/** Structure, not padding, up to the byte limit: extra nodes with labels, within the node limit. */
function largestDense(): string {
  let text = bigIntent({ tenants: 1000, sites: 1, systems: 4 }) + 'extra_nodes:\n';
  const rows: string[] = [];
  for (let i = 0; ; i++) {
    const labels = Array.from({ length: 12 }, (_, k) => `l${k}: v${i}-${k}`).join(', ');
    const row = `  - { name: x${i}, kind: linux, dc: dc1, labels: { ${labels} } }\n`;
    if (text.length + row.length > MAX_INTENT_BYTES - 64 || 5000 + i + 1 > MAX_LAB_NODES - 10) break;
    text += row;
    rows.push(row);
  }
  return text;
}

/** One site whose every system has a loopback address: one diagnostic per system. */
function largestRefused(): string {
  const n = MAX_LAB_NODES - 10;
  const head =
    'name: big\ndatacenters:\n  dc1: {}\ntenants:\n  red:\n    sites:\n      - name: c1\n        type: client\n        dc: dc1\n        systems:\n';
  const rows = Array.from(
    { length: n },
    (_, i) => `          - { name: h${i}, vlan: 100, ip: 127.0.${i >> 8}.${i & 255}/8 }\n`,
  );
  return head + rows.join('');
}

async function measure(ctx: BenchContext, name: string, text: string): Promise<ChildResult> {
  const file = join(ctx.cacheDir, `intent-load-${name}.yml`);
  writeFileSync(file, text);
  const { stdout } = await execa(process.execPath, ['--import', 'tsx', CHILD, file]);
  const r = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildResult;
  ctx.log(
    `  ${name}: ${Buffer.byteLength(text)} bytes → ${r.outcome}: ${r.cpuMs.toFixed(0)} ms CPU, ${r.ms.toFixed(0)} ms wall (load average ${loadavg()[0]!.toFixed(1)}), peak RSS ${r.maxRssMiB.toFixed(0)} MiB`,
  );
  return r;
}

export const bench: BenchModule = {
  name: 'intent-load',
  description: `load + resolve of the largest allowed intent (${MAX_INTENT_BYTES} bytes, ${MAX_LAB_NODES} nodes) vs ${TARGET_MS} ms and ${TARGET_MIB} MiB`,
  async run(ctx: BenchContext): Promise<BenchFigure[]> {
    const figures: BenchFigure[] = [];
    const cases: [string, string][] = [
      ['largest-valid', largestValid()],
      ['largest-dense', largestDense()],
      ['largest-refused', largestRefused()],
      ['over-limit', 'name: big\n' + '#'.repeat(MAX_INTENT_BYTES)],
    ];
    let failed = false;
    for (const [name, text] of cases) {
      const r = await measure(ctx, name, text);
      if (r.outcome.startsWith('crashed')) failed = true;
      figures.push(
        { name: `ours: ${name} load CPU time`, value: Math.round(r.cpuMs), unit: 'ms', note: r.outcome },
        {
          name: `ours: ${name} load wall time`,
          value: Math.round(r.ms),
          unit: 'ms',
          note: `load average ${loadavg()[0]!.toFixed(1)}`,
        },
        { name: `limit: ${name} load time`, value: TARGET_MS, unit: 'ms' },
        { name: `ours: ${name} peak RSS`, value: Math.round(r.maxRssMiB), unit: 'MiB' },
        { name: `limit: ${name} peak RSS`, value: TARGET_MIB, unit: 'MiB' },
      );
      if (r.cpuMs > TARGET_MS || r.maxRssMiB > TARGET_MIB) failed = true;
    }
    if (failed) throw new Error('intent-load: a case crashed or exceeded 10 s / 1 GiB (figures above)');
    return figures;
  },
};
