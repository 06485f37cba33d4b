// Lab up/down scale bench: the netns runtime against the honest floor (bench/lab-up-floor.ts: the
// same namespaces, veths, links up, bridges and ports in one OVS transaction, one flow bundle per
// bridge). N = 100, 1000, 2000 nodes from scaleLab(N) (FABRIC_BENCH_SIZES overrides);
// "traffic-ready" adds one ping answered between two endpoints on the same access switch. Targets:
// deploy-only and traffic-ready within 2x of the floor, down within 1.5x; ms/node shows growth.
//   npx tsx bench/run.ts lab-up        # through make bench
import { tryRun } from '../src/hostnet/exec.js';
import { getRuntime } from '../src/runtime/index.js';
import { labUpFloor } from './lab-up-floor.js';
import { scaleLab } from '../src/topology/index.js';
import type { LabModel, NodeModel } from '../src/topology/model.js';

interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

interface Ctx {
  log(line: string): void;
}

const SIZES = (process.env.FABRIC_BENCH_SIZES ?? '100,1000,2000').split(',').map(Number);

const sec = (ms: number): number => Math.round(ms) / 1000;

/** Two endpoints on the first access switch: the traffic-ready probe of both sides. */
function probeEndpoints(model: LabModel): NodeModel[] {
  const sw = model.nodes.find((n) => n.kind === 'ovs-bridge')!;
  const onSw = model.links
    .filter((l) => l.endpoints.some((e) => e.node === sw.name))
    .map((l) => l.endpoints.find((e) => e.node !== sw.name)!.node);
  return onSw.map((n) => model.nodes.find((x) => x.name === n)!).filter((n) => n.kind === 'linux');
}

const ratio = (a: number, b: number): number => Math.round((a / Math.max(1, b)) * 100) / 100;

async function ours(
  model: LabModel,
  log: (l: string) => void,
): Promise<{ up: number; ready: number; down: number; stages: string }> {
  const rt = getRuntime('netns');
  await rt.destroy(model.name).catch(() => undefined);
  const t0 = performance.now();
  const state = await rt.deploy(model);
  const tUp = performance.now() - t0;
  // Traffic-ready: one probe answered between two endpoints on the first access switch.
  const eps = probeEndpoints(model);
  if (eps.length >= 2) {
    const dst = eps[1]!.interfaces[0]!.addresses[0]!.split('/')[0]!;
    const r = await tryRun(
      'ip',
      ['netns', 'exec', `clab-${model.name}-${eps[0]!.name}`, 'ping', '-c', '1', '-W', '5', dst],
      { timeout: 20_000 },
    );
    if (r.exitCode !== 0) log(`  warning: probe ${eps[0]!.name} → ${dst} not answered`);
  }
  const tReady = performance.now() - t0;
  const stages = state.stages.map((s) => `${s.stage} ${sec(s.ms)}`).join(', ');
  const t1 = performance.now();
  const rep = await rt.destroy(model.name);
  const tDown = performance.now() - t1;
  if (rep.leftover.netns.length || rep.leftover.rootIfs.length || rep.leftover.bridges.length)
    log(`  warning: leftovers after down: ${JSON.stringify(rep.leftover)}`);
  log(`  down stages: ${rep.stages.map((s) => `${s.stage} ${sec(s.ms)}`).join(', ')}`);
  return { up: tUp, ready: tReady, down: tDown, stages };
}

export const bench = {
  name: 'lab-up',
  description: 'netns runtime up/ready/down for N = 100, 1000, 2000 nodes vs the honest floor (root)',
  async run(ctx: Ctx): Promise<Figure[]> {
    if (process.getuid?.() !== 0) throw new Error('lab-up bench needs root');
    process.env.FABRIC_STATE_DIR ??= '/run/fabric/bench-labs';
    const figures: Figure[] = [];
    const rows: string[] = [];
    for (const n of SIZES) {
      const model = scaleLab(n);
      ctx.log(`N=${n}: ${model.nodes.length} nodes, ${model.links.length} links`);
      const o = await ours(model, ctx.log);
      ctx.log(`  up stages: ${o.stages}`);
      const [from, to] = probeEndpoints(model);
      const f = await labUpFloor(model, from && to ? { from, to } : undefined);
      const r = { up: ratio(o.up, f.up), ready: ratio(o.ready, f.ready), down: ratio(o.down, f.down) };
      figures.push(
        { name: `N=${n} ours: deploy-only`, value: sec(o.up), unit: 's' },
        { name: `N=${n} floor: deploy-only`, value: sec(f.up), unit: 's' },
        { name: `N=${n} ratio deploy-only ours/floor`, value: r.up, unit: 'x', note: 'target ≤ 2' },
        { name: `N=${n} ours: traffic-ready`, value: sec(o.ready), unit: 's' },
        { name: `N=${n} floor: traffic-ready (+ bundle per bridge, ping)`, value: sec(f.ready), unit: 's' },
        { name: `N=${n} ratio traffic-ready ours/floor`, value: r.ready, unit: 'x', note: 'target ≤ 2' },
        { name: `N=${n} ours: down`, value: sec(o.down), unit: 's' },
        { name: `N=${n} floor: down`, value: sec(f.down), unit: 's' },
        { name: `N=${n} ratio down ours/floor`, value: r.down, unit: 'x', note: 'target ≤ 1.5' },
        { name: `N=${n} ours: ready ms per node`, value: Math.round(o.ready / n), unit: 'ms' },
        { name: `N=${n} floor: ready ms per node`, value: Math.round(f.ready / n), unit: 'ms' },
      );
      const c = (v: number): string => sec(v).toFixed(2).padStart(7);
      rows.push(
        `${String(n).padStart(6)}  ${c(o.up)} ${c(f.up)} ${r.up.toFixed(2).padStart(5)}x  ${c(o.ready)} ${c(f.ready)} ${r.ready.toFixed(2).padStart(5)}x  ${c(o.down)} ${c(f.down)} ${r.down.toFixed(2).padStart(5)}x  ${(o.ready / n).toFixed(1).padStart(5)} ${(f.ready / n).toFixed(1).padStart(5)}`,
      );
    }
    ctx.log('\n     N   up-ours up-floor ratio  rdy-ours rdy-flr ratio   dn-ours dn-floor ratio  ms/node ours floor');
    for (const r of rows) ctx.log(r);
    return figures;
  },
};
