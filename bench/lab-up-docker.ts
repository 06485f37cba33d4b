// Lab-up on the docker runtime against the embedded netns runtime, side by side in one run (what
// the docker runtime costs over the embedded one): the reference lab (labs/mtdc, renamed so a
// running `make lab-up` is never touched) and a 100-node scale lab (scaleLab(100), renamed the same
// way). Each lab is deployed, made traffic-ready (tags programmed for mtdc, then one probe answered
// inside a tenant) and torn down on each runtime in turn. Needs root; dockerd is started by the
// runtime when silent.
//   npx tsx bench/run.ts lab-up-docker      # through make bench
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapLimit, tryRun } from '../src/hostnet/exec.js';
import { CONTAINER_PARALLEL } from '../src/runtime/docker/containers.js';
import { dockerClient } from '../src/runtime/docker/engine.js';
import { endpointTarball } from '../src/runtime/images/index.js';
import { getRuntime } from '../src/runtime/index.js';
import type { LabState } from '../src/runtime/types.js';
import { loadLabText, scaleLab } from '../src/topology/index.js';
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

const ROOT = new URL('..', import.meta.url).pathname;
const sec = (ms: number): number => Math.round(ms) / 1000;

/** The reference lab under another name. */
function mtdcAs(name: string): LabModel {
  const file = join(ROOT, 'labs/mtdc/fabric.yml');
  return loadLabText(readFileSync(file, 'utf8').replace(/^name: mtdc$/m, `name: ${name}`), file);
}

/** scaleLab(n) under another lab name (bridge and port names carry the lab name). */
function scaleAs(n: number, name: string): LabModel {
  const m = scaleLab(n);
  const text = JSON.stringify(m).split(`"${m.name}-`).join(`"${name}-`).split(`"${m.name}"`).join(`"${name}"`);
  return JSON.parse(text) as LabModel;
}

/** One probe inside a tenant: mtdc red c1-h1 → k1-v1, or the first two endpoints on a scale lab's first switch. */
function probeOf(model: LabModel): { from: string; to: string } | null {
  const red = model.nodes.find((n) => n.name === 'red-c1-h1');
  const v1 = model.nodes.find((n) => n.name === 'red-k1-v1');
  const addr = (n: { interfaces: { addresses: string[] }[] }): string => n.interfaces[0]!.addresses[0]!.split('/')[0]!;
  if (red && v1) return { from: `clab-${model.name}-${red.name}`, to: addr(v1) };
  const sw = model.nodes.find((n) => n.kind === 'ovs-bridge');
  if (!sw) return null;
  const eps = model.links
    .filter((l) => l.endpoints.some((e) => e.node === sw.name))
    .map((l) => model.nodes.find((x) => x.name === l.endpoints.find((e) => e.node !== sw.name)!.node)!)
    .filter((n) => n.kind === 'linux' && n.interfaces[0]?.addresses.length);
  return eps.length >= 2 ? { from: `clab-${model.name}-${eps[0]!.name}`, to: addr(eps[1]!) } : null;
}

interface Timing {
  up: number;
  ready: number;
  down: number;
  stages: string;
  probe: boolean;
}

async function once(runtime: string, model: LabModel, tags: boolean, log: (l: string) => void): Promise<Timing> {
  const rt = getRuntime(runtime);
  await rt.destroy(model.name).catch(() => undefined);
  const t0 = performance.now();
  const state: LabState = await rt.deploy(model);
  const tUp = performance.now() - t0;
  if (tags) {
    const { programLab } = await import('../src/tagging/index.js');
    await programLab(state);
  }
  const p = probeOf(model);
  let probe = false;
  if (p) {
    const r = await tryRun('ip', ['netns', 'exec', p.from, 'ping', '-c', '1', '-W', '5', p.to], { timeout: 20_000 });
    probe = r.exitCode === 0;
    if (!probe) log(`  warning: ${runtime} probe ${p.from} → ${p.to} not answered`);
  }
  const tReady = performance.now() - t0;
  const t1 = performance.now();
  const rep = await rt.destroy(model.name);
  const tDown = performance.now() - t1;
  if (rep.leftover.netns.length || rep.leftover.rootIfs.length || rep.leftover.bridges.length)
    log(`  warning: ${runtime} leftovers after down: ${JSON.stringify(rep.leftover)}`);
  return {
    up: tUp,
    ready: tReady,
    down: tDown,
    stages: state.stages.map((s) => `${s.stage} ${sec(s.ms)}`).join(', '),
    probe,
  };
}

/** The engine's own floor: create + start the same number of bare containers (no links, no config), same parallelism. */
async function engineFloor(count: number): Promise<{ up: number; down: number }> {
  const d = dockerClient();
  const { tag } = await endpointTarball();
  const names = Array.from({ length: count }, (_, i) => `fabric-bench-floor-${i}`);
  await mapLimit(names, CONTAINER_PARALLEL, (n) =>
    d
      .getContainer(n)
      .remove({ force: true })
      .catch(() => undefined),
  );
  const t0 = performance.now();
  await mapLimit(names, CONTAINER_PARALLEL, async (name) => {
    const c = await d.createContainer({
      name,
      Image: tag,
      Cmd: ['/bin/busybox', 'sleep', 'infinity'],
      HostConfig: { NetworkMode: 'none' },
    });
    await c.start();
  });
  const up = performance.now() - t0;
  const t1 = performance.now();
  await mapLimit(names, CONTAINER_PARALLEL, (n) => d.getContainer(n).remove({ force: true }));
  return { up, down: performance.now() - t1 };
}

export const bench = {
  name: 'lab-up-docker',
  description: 'lab up/ready/down on the docker runtime vs netns: labs/mtdc and a 100-node scale lab (root)',
  async run(ctx: Ctx): Promise<Figure[]> {
    if (process.getuid?.() !== 0) throw new Error('lab-up-docker bench needs root');
    process.env.FABRIC_STATE_DIR ??= '/run/fabric/bench-labs';
    const labs: { label: string; model: LabModel; tags: boolean }[] = [
      { label: 'mtdc', model: mtdcAs('bkmtdc'), tags: true },
      { label: 'scale100', model: scaleAs(100, 'bks100'), tags: false },
    ];
    const figures: Figure[] = [];
    const rows: string[] = [];
    for (const { label, model, tags } of labs) {
      const linux = model.nodes.filter((n) => n.kind === 'linux').length;
      ctx.log(`${label}: ${model.nodes.length} nodes (${linux} containers on docker), ${model.links.length} links`);
      const r: Record<string, Timing> = {};
      for (const runtime of ['docker', 'netns']) {
        r[runtime] = await once(runtime, model, tags, ctx.log);
        ctx.log(`  ${runtime} up stages: ${r[runtime]!.stages}`);
      }
      const d = r.docker!;
      const n = r.netns!;
      const fl = await engineFloor(linux);
      ctx.log(`  engine floor: ${linux} bare containers up ${sec(fl.up)} s, removed ${sec(fl.down)} s`);
      figures.push(
        { name: `${label} engine floor: create+start ${linux} bare containers`, value: sec(fl.up), unit: 's' },
        { name: `${label} engine floor: remove them`, value: sec(fl.down), unit: 's' },
      );
      for (const [rt, t] of [
        ['docker', d],
        ['netns', n],
      ] as const) {
        figures.push(
          { name: `${label} ${rt}: up`, value: sec(t.up), unit: 's' },
          {
            name: `${label} ${rt}: traffic-ready${tags ? ' (tags + probe)' : ' (probe)'}`,
            value: sec(t.ready),
            unit: 's',
            note: t.probe ? undefined : 'probe NOT answered',
          },
          { name: `${label} ${rt}: down`, value: sec(t.down), unit: 's' },
        );
      }
      figures.push({
        name: `${label} ratio up docker/netns`,
        value: Math.round((d.up / Math.max(1, n.up)) * 10) / 10,
        unit: 'x',
      });
      rows.push(
        `${label.padEnd(9)} ${sec(d.up).toFixed(2).padStart(7)} ${sec(n.up).toFixed(2).padStart(7)} ${(d.up / Math.max(1, n.up)).toFixed(1).padStart(5)}x  ${sec(d.ready).toFixed(2).padStart(7)} ${sec(n.ready).toFixed(2).padStart(7)}  ${sec(d.down).toFixed(2).padStart(7)} ${sec(n.down).toFixed(2).padStart(7)}`,
      );
    }
    ctx.log('\nlab       up dock  up nns ratio  rdy dock  rdy nns  dn dock  dn nns   (seconds)');
    for (const row of rows) ctx.log(row);
    return figures;
  },
};
