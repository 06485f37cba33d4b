// Lab up/down scale bench (issue 3 §8): the netns runtime against the bare floor, i.e. the same
// namespaces and veth pairs made by a plain `ip -batch` script (no OVS, no addressing, no
// offload/sysctl work). N = 10, 100, 1000 nodes from scaleLab(N); "traffic-ready" adds one ping
// answered between two endpoints on the same access switch.
//   npx tsx bench/run.ts lab-up        # through make bench
import { run, tryRun } from '../src/exec/index.js';
import { getRuntime } from '../src/runtime/index.js';
import { listNetns, listRootLinks } from '../src/runtime/netns/system.js';
import { planLab } from '../src/runtime/netns/plan.js';
import { scaleLab } from '../src/topology/index.js';
import type { LabModel } from '../src/topology/model.js';

interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

interface Ctx {
  log(line: string): void;
}

const SIZES = (process.env.FABRIC_BENCH_SIZES ?? '10,100,1000').split(',').map(Number);

const sec = (ms: number): number => Math.round(ms) / 1000;

async function untilGone(netns: string[], ifs: string[], limitMs = 300_000): Promise<void> {
  const end = Date.now() + limitMs;
  for (;;) {
    const [ns, links] = await Promise.all([listNetns(), listRootLinks()]);
    if (!netns.some((n) => ns.has(n)) && !ifs.some((i) => links.has(i))) return;
    if (Date.now() > end) throw new Error('floor teardown did not settle');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The floor: namespaces + veths of the same model, nothing else, one `ip -batch` each way. */
async function floor(model: LabModel): Promise<{ up: number; down: number }> {
  const plan = planLab(model);
  const ns = (n: string): string => `flr-${n}`;
  const rootName = new Map<string, string>();
  let k = 0;
  const rn = (name: string): string => {
    if (!rootName.has(name)) rootName.set(name, `flr${k++}`);
    return rootName.get(name)!;
  };
  const nsNames = plan.namespaces.map((n) => ns(n.node));
  const end = (e: { netns: string | null; ifname: string; node: string }): string =>
    e.netns ? `${e.ifname} netns ${ns(e.node)}` : rn(e.ifname);
  const up = [
    ...nsNames.map((n) => `netns add ${n}`),
    ...plan.links.map((l) => `link add name ${end(l.a)} type veth peer name ${end(l.b)}`),
  ];
  const t0 = performance.now();
  await run('ip', ['-batch', '-'], { input: up.join('\n') + '\n' });
  const tUp = performance.now() - t0;
  const roots = [...rootName.values()];
  // Down: namespaces (their veths go with them), then root-only pairs; poll until the kernel is done.
  const rootOnly = plan.links.filter((l) => !l.a.netns && !l.b.netns).map((l) => rn(l.a.ifname));
  const t1 = performance.now();
  await tryRun('ip', ['-force', '-batch', '-'], {
    input: [...nsNames.map((n) => `netns delete ${n}`), ...rootOnly.map((i) => `link del ${i}`)].join('\n') + '\n',
  });
  await untilGone(nsNames, roots);
  return { up: tUp, down: performance.now() - t1 };
}

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
  const sw = model.nodes.find((n) => n.kind === 'ovs-bridge')!;
  const onSw = model.links
    .filter((l) => l.endpoints.some((e) => e.node === sw.name))
    .map((l) => l.endpoints.find((e) => e.node !== sw.name)!.node);
  const eps = onSw.map((n) => model.nodes.find((x) => x.name === n)!).filter((n) => n.kind === 'linux');
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
  description: 'netns runtime up/down for N = 10, 100, 1000 nodes vs the bare ip -batch floor (root)',
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
      const f = await floor(model);
      const target = n <= 100 ? 5 : n <= 1000 ? 60 : Infinity;
      figures.push(
        { name: `N=${n} ours: up`, value: sec(o.up), unit: 's' },
        {
          name: `N=${n} ours: up + probe answered (traffic-ready)`,
          value: sec(o.ready),
          unit: 's',
          note: Number.isFinite(target) ? `target ≤ ${target} s` : undefined,
        },
        { name: `N=${n} floor: ip -batch netns + veth`, value: sec(f.up), unit: 's' },
        { name: `N=${n} ratio up ours/floor`, value: Math.round((o.up / Math.max(1, f.up)) * 10) / 10, unit: 'x' },
        { name: `N=${n} ours: down`, value: sec(o.down), unit: 's' },
        { name: `N=${n} floor: down`, value: sec(f.down), unit: 's' },
        {
          name: `N=${n} ratio down ours/floor`,
          value: Math.round((o.down / Math.max(1, f.down)) * 10) / 10,
          unit: 'x',
        },
      );
      rows.push(
        `${String(n).padStart(6)}  ${sec(o.up).toFixed(2).padStart(7)}  ${sec(o.ready).toFixed(2).padStart(7)}  ${sec(f.up).toFixed(2).padStart(7)}  ${(o.up / Math.max(1, f.up)).toFixed(1).padStart(6)}x  ${sec(o.down).toFixed(2).padStart(7)}  ${sec(f.down).toFixed(2).padStart(7)}  ${(o.down / Math.max(1, f.down)).toFixed(1).padStart(6)}x`,
      );
    }
    ctx.log('\n     N  up (s)  ready(s) floor-up  ratio  down (s) floor-dn  ratio');
    for (const r of rows) ctx.log(r);
    return figures;
  },
};
