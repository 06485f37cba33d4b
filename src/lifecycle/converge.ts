// Converging `fabric up` (netns runtime): before the idempotent deploy adds what is new, remove
// what the changed intent dropped, and what changed in a way the deploy cannot converge in place
// (a namespace node whose interfaces, addresses or routes changed is rebuilt; a bridge is rebuilt
// only when its identity changed, since ports come and go with their links). Links are removed
// by deleting one end of their veth pair: the kernel takes the other end with it.
import { hostNet } from '../hostnet/index.js';
import { netnsName } from '../runtime/index.js';
import type { LabModel, LinkModel, NodeModel } from '../topology/model.js';
import type { LabDiff } from './diff.js';

export interface PruneReport {
  netns: string[];
  bridges: string[];
  links: string[];
}

/** Nodes to remove before the deploy (dropped, or changed beyond what the deploy converges). */
export function nodesToRemove(d: LabDiff): NodeModel[] {
  const rebuilt = d.nodes.changed.filter(
    (c) => c.before!.kind !== 'ovs-bridge' || c.fields!.some((f) => f !== 'interfaces'),
  );
  return [...d.nodes.removed, ...rebuilt].map((c) => c.before!);
}

/** Links to remove: dropped or changed ones, and links whose node is removed but whose other end stays. */
export function linksToRemove(d: LabDiff, deployed: LabModel): LinkModel[] {
  const gone = new Set(nodesToRemove(d).map((n) => n.name));
  const ids = new Set([...d.links.removed, ...d.links.changed].map((c) => c.name));
  return deployed.links.filter((l) => ids.has(l.id) || l.endpoints.some((e) => gone.has(e.node)));
}

/** Removes from the host what `d` drops from the deployed lab; returns what it removed. */
export async function prune(d: LabDiff, deployed: LabModel): Promise<PruneReport> {
  const net = hostNet();
  const lab = deployed.name;
  const nodes = nodesToRemove(d);
  const kindOf = new Map(deployed.nodes.map((n) => [n.name, n]));
  const rep: PruneReport = { netns: [], bridges: [], links: [] };
  for (const l of linksToRemove(d, deployed)) {
    // Every bridge end loses its port record (a port whose device is gone stays in OVSDB otherwise);
    // one end of the veth is deleted, the kernel takes the other.
    for (const e of l.endpoints)
      if (kindOf.get(e.node)?.kind === 'ovs-bridge') await net.ovs.delPort(null, e.ifname).catch(() => undefined);
    let done = false;
    for (const e of l.endpoints) {
      const n = kindOf.get(e.node);
      if (done || !n) continue;
      const where = n.kind === 'ovs-bridge' ? null : n.kind === 'linux' ? netnsName(lab, n.name) : undefined;
      if (where !== undefined) done = await net.ip.delLink(where, e.ifname).catch(() => false);
    }
    if (done) rep.links.push(l.id);
  }
  const ns = nodes.filter((n) => n.kind === 'linux').map((n) => netnsName(lab, n.name));
  const present = await net.ip.listNetns();
  rep.netns = ns.filter((x) => present.has(x));
  if (rep.netns.length) await net.ip.delNetns(rep.netns);
  const brs = new Set(await net.ovs.bridgeNames());
  rep.bridges = nodes
    .filter((n) => n.kind === 'ovs-bridge')
    .map((n) => n.bridge ?? n.name)
    .filter((b) => brs.has(b));
  if (rep.bridges.length) await net.ovs.delBridges(rep.bridges);
  return rep;
}
