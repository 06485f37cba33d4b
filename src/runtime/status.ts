// The `fabric status` contract (schemaVersion 1), computed from a deployed model: where every
// node lives and where every link endpoint can be captured. An endpoint inside a namespace gives
// that namespace and its ifname; an endpoint on a bridge in the root namespace gives `netns: null`
// and the root interface (`hostIf`) a capture tool opens.
import type { LabModel, NodeModel } from '../topology/model.js';
import { netnsName } from '../names/index.js';
import type { StatusDoc, StatusEndpoint, StatusLink, StatusNode } from './types.js';

/** True when the node is a network namespace of its own in the netns runtime. */
export function nodeHasNetns(n: NodeModel): boolean {
  return n.kind === 'linux';
}

/** The node a VM runs on: the other end of its `hypervisor` link (moved by a failover). */
function hypervisorOf(model: LabModel, vm: string): string | null {
  const l = model.links.find((x) => x.class === 'hypervisor' && x.endpoints.some((e) => e.node === vm));
  return l?.endpoints.find((e) => e.node !== vm)?.node ?? null;
}

export function buildStatus(model: LabModel, runtime: string): StatusDoc {
  const byName = new Map(model.nodes.map((n) => [n.name, n]));
  const nodes: StatusNode[] = model.nodes.map((n) => ({
    name: n.name,
    kind: n.kind,
    role: n.role,
    dc: n.dc ?? null,
    tenant: n.tenant ?? null,
    netns: nodeHasNetns(n) ? netnsName(model.name, n.name) : null,
    container: null,
    bridge: n.kind === 'ovs-bridge' || n.kind === 'bridge' ? (n.bridge ?? n.name) : null,
    hypervisor: n.kind === 'generic_vm' ? hypervisorOf(model, n.name) : null,
  }));
  const links: StatusLink[] = model.links.map((l) => ({
    id: l.id,
    class: l.class,
    endpoints: l.endpoints.map((e): StatusEndpoint => {
      const node = byName.get(e.node);
      const inNs = node ? nodeHasNetns(node) : false;
      // A VM interface has no host-side capture point until a VM runtime reports its tap.
      const vm = node?.kind === 'generic_vm';
      return {
        node: e.node,
        ifname: e.ifname,
        netns: inNs ? netnsName(model.name, e.node) : null,
        hostIf: inNs || vm ? null : e.ifname,
      };
    }) as [StatusEndpoint, StatusEndpoint],
  }));
  return { schemaVersion: 1, lab: model.name, runtime, nodes, links };
}

/** A readable table for `fabric status <lab>` (text mode). */
export function formatStatus(doc: StatusDoc): string {
  const table = (head: string[], rows: string[][]): string => {
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (r: string[]): string =>
      r
        .map((c, i) => c.padEnd(w[i]!))
        .join('  ')
        .trimEnd();
    return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
  };
  const dash = (v: string | null): string => v ?? '-';
  const ep = (e: StatusEndpoint): string =>
    `${e.node}:${e.ifname}${e.netns ? ` (${e.netns})` : e.hostIf ? ` [${e.hostIf}]` : ''}`;
  const out = [
    `lab ${doc.lab} (runtime ${doc.runtime}): ${doc.nodes.length} nodes, ${doc.links.length} links`,
    '',
    table(
      ['NODE', 'KIND', 'ROLE', 'DC', 'TENANT', 'NETNS', 'BRIDGE'],
      doc.nodes.map((n) => [n.name, n.kind, n.role, dash(n.dc), dash(n.tenant), dash(n.netns), dash(n.bridge)]),
    ),
    '',
    table(
      ['LINK', 'CLASS', 'A', 'B'],
      doc.links.map((l) => [l.id, l.class, ep(l.endpoints[0]), ep(l.endpoints[1])]),
    ),
  ];
  return out.join('\n') + '\n';
}
