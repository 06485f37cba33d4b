// containerlab's graph labels, derived from a node's role and datacenter: `graph-level` (the row
// in a top-down drawing: core routers at 1, endpoints and VMs at 6), `graph-icon` (the NeXt UI
// icon `containerlab graph` draws) and `graph-group` (the datacenter, or `core` for nodes outside
// every DC). Written into the generated .clab.yml and read by `fabric graph`, so both draw alike.
import type { NodeModel, NodeRole } from './model.js';

const LEVEL: Record<NodeRole, number> = {
  p: 1,
  provider: 1,
  pe: 2,
  interconnect: 2,
  'dc-switch': 3,
  'access-switch': 4,
  hypervisor: 4,
  'vxlan-gateway': 5,
  endpoint: 6,
  vm: 6,
};

const ICON: Record<NodeRole, 'router' | 'switch' | 'host' | 'server' | 'cloud'> = {
  p: 'router',
  provider: 'cloud',
  pe: 'router',
  interconnect: 'switch',
  'dc-switch': 'switch',
  'access-switch': 'switch',
  hypervisor: 'server',
  'vxlan-gateway': 'router',
  endpoint: 'host',
  vm: 'server',
};

export interface GraphFacts {
  level: number;
  icon: string;
  group: string;
}

export function graphFacts(n: Pick<NodeModel, 'role' | 'dc'>): GraphFacts {
  return { level: LEVEL[n.role], icon: ICON[n.role], group: n.dc ?? 'core' };
}

/** The `graph-*` labels of a node in the containerlab topology. */
export function graphLabels(n: Pick<NodeModel, 'role' | 'dc'>): Record<string, string> {
  const f = graphFacts(n);
  return { 'graph-group': f.group, 'graph-icon': f.icon, 'graph-level': String(f.level) };
}
