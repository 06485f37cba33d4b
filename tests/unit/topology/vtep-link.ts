// Test helper: a link that carries VXLAN between VTEPs (a bridge device's transport port, or a
// virtual hypervisor's tap), budgeted a VXLAN header above its class MTU.
import type { LabModel, LinkModel } from '../../../src/topology/model.js';

export function vtepLink(m: LabModel, l: LinkModel): boolean {
  const role = (node: string) => m.nodes.find((n) => n.name === node)?.role;
  return l.endpoints.some((e) => role(e.node) === 'vm' || (role(e.node) === 'vxlan-gateway' && e.ifname === 'eth1'));
}
