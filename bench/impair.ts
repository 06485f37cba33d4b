// Declared against measured link impairment: a two-DC lab whose dedicated line declares 20 ms
// ± 2 ms, 1 % loss, 2 % duplication, 5 % reordering and 50 mbit/s; the impairment probe offers numbered trains at 1,000 and
// 10,000 pps (bounded counts) at each end in turn and measures from the captures of both ends.
// Prints, per rate, the declared value beside the measured one (delay p50/p99, loss with its
// 95 % interval, duplication and reordering with theirs, achieved rate).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wilson } from '../src/capture/impair-measure.js';
import type { BenchFigure, BenchModule } from './run.js';

const LAB = 'bimpair';
const LINK = 'dc1-ic:p2--dc2-ic:p2';
const YML = `name: ${LAB}
datacenters:
  dc1: {}
  dc2: {}
interconnects:
  - between: [dc1, dc2]
    impair: { delay: 20ms, jitter: 2ms, loss: 1%, duplicate: 2%, reorder: 5%, rate: 50mbit }
tenants:
  red:
    sites:
      - { name: c1, type: client, dc: dc1, systems: [ { name: h1, vlan: 100, ip: 10.20.30.10/24 } ] }
      - { name: k1, type: cloud, dc: dc2, systems: [ { name: v1, vlan: 100, ip: 10.20.30.50/24 } ] }
`;
const RATES = [
  { pps: 1000, count: 3000 },
  { pps: 10_000, count: 10_000 },
];

/** The 95 % Wilson interval of k in n, in percent. */
function ci(k: number, n: number): string {
  const [lo, hi] = wilson(k, n);
  return `${(lo * 100).toFixed(2)}..${(hi * 100).toFixed(2)} %`;
}

export const bench: BenchModule = {
  name: 'impair',
  description:
    'declared vs measured impairment (20 ms ± 2 ms, 1 % loss, 2 % duplicate, 5 % reorder, 50 mbit/s) at 1,000 and 10,000 pps',
  async run(ctx) {
    const work = mkdtempSync(join(tmpdir(), 'fabric-bench-impair-'));
    process.env.FABRIC_STATE_DIR = join(work, 'state');
    process.env.FABRIC_CAPTURE_DIR = join(work, 'captures');
    const file = join(work, 'fabric.yml');
    writeFileSync(file, YML);
    const { getRuntime } = await import('../src/runtime/index.js');
    const { programLab } = await import('../src/tagging/index.js');
    const { loadLab } = await import('../src/topology/index.js');
    const { applyDeclared, stopImpairments } = await import('../src/impair/index.js');
    const { loadContext } = await import('../src/conformance/context.js');
    const { probeImpairment } = await import('../src/conformance/impair-probe.js');
    const rt = getRuntime('netns');
    const out: BenchFigure[] = [];
    try {
      const model = await loadLab(file);
      const state = await rt.deploy(model);
      await programLab(state);
      const applied = await applyDeclared(LAB, model);
      ctx.log(`  ${applied.map((a) => `${a.link}: ${a.action}`).join('; ')}`);
      const tc = await loadContext(LAB);
      for (const r of RATES) {
        const rec = await probeImpairment(tc, join(work, `run-${r.pps}`), { pps: r.pps, count: r.count });
        const l = rec.links.find((x) => x.link === LINK)!;
        for (const t of l.trains) {
          const m = t.measure;
          const tag = `${r.pps} pps ${t.kind === 'rate' ? `rate train ${t.pps} pps of ${t.size} B` : `${t.from} → ${t.to}`}`;
          if (t.kind === 'rate') {
            out.push({
              name: `${tag}: achieved rate (declared 50)`,
              value: (m.achievedBps ?? 0) / 1e6,
              unit: 'Mbit/s',
            });
            continue;
          }
          out.push(
            { name: `${tag}: delay p50 (declared 20)`, value: m.delayMs?.p50 ?? NaN, unit: 'ms' },
            { name: `${tag}: delay p99 (declared ≤ 22)`, value: m.delayMs?.p99 ?? NaN, unit: 'ms' },
            {
              name: `${tag}: loss (declared 1 %), 95 % interval ${(m.lossCi[0] * 100).toFixed(2)}..${(m.lossCi[1] * 100).toFixed(2)} %`,
              value: m.lossRatio * 100,
              unit: '%',
              note: `${m.lost}/${m.sent}`,
            },
            {
              name: `${tag}: duplicated (declared 2 %), 95 % interval ${ci(m.duplicates, m.received)}`,
              value: m.duplicateRatio * 100,
              unit: '%',
              note: `${m.duplicates}/${m.received}`,
            },
            {
              name: `${tag}: reordered (declared 5 %), 95 % interval ${ci(m.reordered, m.received)}`,
              value: m.reorderRatio * 100,
              unit: '%',
              note: `${m.reordered}/${m.received}`,
            },
            { name: `${tag}: offered`, value: (m.offeredBps ?? 0) / 1e6, unit: 'Mbit/s' },
          );
        }
      }
      return out;
    } finally {
      await stopImpairments(LAB).catch(() => 0);
      await rt.destroy(LAB).catch(() => undefined);
      rmSync(work, { recursive: true, force: true });
    }
  },
};
