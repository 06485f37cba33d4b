// The honest floor for lab-up: the same kernel and OVS objects a netns deploy makes, with the
// fewest tool invocations and none of fabric's own work (no offload, sysctl, addressing, state,
// markers or checks): namespaces and veths (each end created inside its namespace) in one
// `ip -batch`, links up with one `ip -n <ns> -batch` per namespace (a namespace switch costs one
// process), every bridge and port in ONE ovs-vsctl transaction, and one flow bundle per bridge for
// traffic-ready. Names carry a `flr` prefix so the floor never meets a lab.
import { mapLimit, run, tryRun } from '../src/hostnet/exec.js';
import { listNetns, listOvsBridges, listRootLinks, PARALLEL } from '../src/runtime/netns/system.js';
import { planLab, placement } from '../src/runtime/netns/plan.js';
import type { LabModel, NodeModel } from '../src/topology/model.js';

export interface FloorTimes {
  /** Namespaces, veths, links up, bridges and ports. */
  up: number;
  /** up + one flow bundle per bridge + one ping answered. */
  ready: number;
  down: number;
}

interface FloorNames {
  ns: string[];
  bridges: string[];
  rootIfs: string[];
  /** One end of each veth pair with both ends in the root namespace (bridge to bridge). */
  rootPairs: string[];
}

/** Namespaces (their veths go with them), root-only pairs and bridges; polls until the kernel is done. */
async function floorDown(names: FloorNames): Promise<void> {
  await tryRun('ip', ['-force', '-batch', '-'], {
    input:
      [...names.ns.map((n) => `netns delete ${n}`), ...names.rootPairs.map((i) => `link del ${i}`)].join('\n') + '\n',
  });
  const delBr = names.bridges.flatMap((b) => ['--', '--if-exists', 'del-br', b]);
  if (delBr.length) await run('ovs-vsctl', ['--timeout=600', ...delBr], { timeout: 650_000 });
  await untilGone(names);
}

async function untilGone(names: FloorNames, limitMs = 300_000): Promise<void> {
  const end = Date.now() + limitMs;
  for (;;) {
    const [ns, links, brs] = await Promise.all([listNetns(), listRootLinks(), listOvsBridges()]);
    const left = names.ns.some((n) => ns.has(n)) || names.rootIfs.some((i) => links.has(i));
    if (!left && !names.bridges.some((b) => brs.has(b))) return;
    if (Date.now() > end) throw new Error('floor teardown did not settle');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function labUpFloor(model: LabModel, probe?: { from: NodeModel; to: NodeModel }): Promise<FloorTimes> {
  const plan = planLab(model);
  const ns = new Map(plan.namespaces.map((n, i) => [n.node, `flr-n${i}`]));
  const br = new Map(plan.ovsBridges.map((b, i) => [b.node, `flrb${i}`]));
  const ifs = new Map<string, string>();
  const rootIf = (key: string): string => {
    if (!ifs.has(key)) ifs.set(key, `flr${ifs.size}`);
    return ifs.get(key)!;
  };
  const nsIfs = new Map<string, string[]>();
  const ports = new Map<string, string[]>();
  const endOf = (e: { node: string; ifname: string; netns: string | null }): string => {
    const n = ns.get(e.node);
    if (n) {
      nsIfs.set(n, [...(nsIfs.get(n) ?? []), e.ifname]);
      return `${e.ifname} netns ${n}`;
    }
    const name = rootIf(`${e.node}:${e.ifname}`);
    const b = br.get(e.node);
    if (b) ports.set(b, [...(ports.get(b) ?? []), name]);
    return name;
  };
  const up = [
    ...[...ns.values()].map((n) => `netns add ${n}`),
    ...plan.links.map((l) => `link add name ${endOf(l.a)} type veth peer name ${endOf(l.b)}`),
    ...[...ifs.values()].map((i) => `link set dev ${i} up`),
  ];
  const rootPairs = plan.links
    .filter((l) => !ns.has(l.a.node) && !ns.has(l.b.node))
    .map((l) => rootIf(`${l.a.node}:${l.a.ifname}`));
  const names: FloorNames = { ns: [...ns.values()], bridges: [...br.values()], rootIfs: [...ifs.values()], rootPairs };
  const vsctl = [...br.values()].flatMap((b) => [
    '--',
    'add-br',
    b,
    '--',
    'set',
    'bridge',
    b,
    'datapath_type=netdev',
    'fail_mode=secure',
    ...(ports.get(b) ?? []).flatMap((p) => ['--', 'add-port', b, p]),
  ]);
  try {
    return await measure(names, up, nsIfs, vsctl, ns, probe);
  } catch (err) {
    await floorDown(names).catch(() => undefined);
    throw err;
  }
}

async function measure(
  names: FloorNames,
  up: string[],
  nsIfs: Map<string, string[]>,
  vsctl: string[],
  ns: Map<string, string>,
  probe: { from: NodeModel; to: NodeModel } | undefined,
): Promise<FloorTimes> {
  const t0 = performance.now();
  await run('ip', ['-batch', '-'], { input: up.join('\n') + '\n' });
  await mapLimit([...nsIfs.entries()], PARALLEL, ([n, list]) =>
    run('ip', ['-n', n, '-batch', '-'], {
      input: ['link set dev lo up', ...list.map((i) => `link set dev ${i} up`)].join('\n') + '\n',
    }),
  );
  if (vsctl.length) await run('ovs-vsctl', ['--timeout=600', ...vsctl], { timeout: 650_000 });
  const tUp = performance.now() - t0;
  await mapLimit(names.bridges, PARALLEL, (b) =>
    run('ovs-ofctl', ['--bundle', 'replace-flows', b, '-'], { input: 'priority=0,actions=NORMAL\n' }),
  );
  if (probe) {
    // Traffic-ready: address the two probe endpoints (only them) and have one ping answered.
    for (const n of [probe.from, probe.to]) {
      const i = n.interfaces[0]!;
      await run('ip', ['-n', ns.get(n.name)!, 'address', 'add', i.addresses[0]!, 'dev', i.name]);
    }
    const dst = probe.to.interfaces[0]!.addresses[0]!.split('/')[0]!;
    const r = await tryRun('ip', ['netns', 'exec', ns.get(probe.from.name)!, 'ping', '-c', '1', '-W', '5', dst], {
      timeout: 20_000,
    });
    if (r.exitCode !== 0) throw new Error(`floor probe ${probe.from.name} → ${dst} not answered`);
  }
  const tReady = performance.now() - t0;
  const t1 = performance.now();
  await floorDown(names);
  return { up: tUp, ready: tReady, down: performance.now() - t1 };
}

/** Nodes the floor leaves out, as the runtime does (generic_vm etc.), for the bench's note. */
export function floorSkips(model: LabModel): string[] {
  return model.nodes.filter((n) => placement(n) === 'skip').map((n) => n.name);
}
