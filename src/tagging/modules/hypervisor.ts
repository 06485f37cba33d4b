// hypervisor: sites hosted on a hypervisor (seed 000 FIG. 5) attach to the fabric where that
// hypervisor uplinks, instead of at an access switch; a failover moves the attachment by editing
// the model (the site facts of the hypervisor node). Past the uplink, the own VLAN goes up to the
// hypervisor's bridge device, and VXLAN in the dot1q transport VLAN from there to the virtual
// hypervisor (or host stack) running the site. The hypervisor bridges themselves are plain
// learning switches (src/failover), so this module writes no flows.
import { GATEWAY_TRANSPORT_IF, VTEP, vniOf } from '../../topology/hypervisors.js';
import { ANY, type LayerPattern } from '../patterns.js';
import type { PlanContext } from '../context.js';
import type { Crossing, Delivery, TagModule } from './module.js';

/** Every hypervisor that holds a site attaches it (moveSite keeps at most one holder per site). */
function allocate(ctx: PlanContext): void {
  for (const n of ctx.index.byRole('hypervisor'))
    if (n.tenant && n.facts?.site) ctx.attachments.set(`${n.tenant}/${n.facts.site}`, n.name);
}

/**
 * Uplink to the hypervisor; a flood also crosses the bridge device (tenant side in, transport
 * side out) and the active virtual hypervisor's tap. Customer VMs are no endpoints: a unicast
 * frame's path ends at the hypervisor. Guests not set up: the path ends at the uplink too, as
 * the hypervisor's bridge forwards nothing until the failover setup programs it.
 */
function deliver(d: Delivery): boolean {
  const { index, site: s } = d;
  const hv = s.accessSwitch;
  if (index.node(hv).role !== 'hypervisor') return false;
  d.add(d.hop(d.from, hv, 'hypervisor'), d.from, hv);
  if (!d.flood || !d.guests) return true;
  const gw = index.portsOf(hv).find((p) => index.node(p.peer).role === 'vxlan-gateway')?.peer;
  if (!gw) throw new Error(`expected: hypervisor ${hv} has no bridge device`);
  const gwPorts = index
    .portsOf(hv)
    .filter((p) => p.peer === gw)
    .sort((x, y) => x.peerIf.localeCompare(y.peerIf, 'en', { numeric: true }));
  // gw eth1 is the transport; eth2.. the tenant side, one per served own VLAN in order.
  const tenantSide = gwPorts[1 + s.vlans.indexOf(d.vlan)];
  if (!tenantSide) return true;
  d.add(tenantSide.link, hv, gw);
  d.add(gwPorts[0]!.link, gw, hv);
  for (const p of index.portsOf(hv)) {
    const n = index.node(p.peer);
    if (n.role === 'vm' && n.facts?.vmState === 'active') d.add(p.link, hv, p.peer);
  }
  return true;
}

/**
 * Uplink: own VLAN. Bridge device, tenant side: untagged (an access port of the own VLAN). Its
 * transport side: VXLAN from its VTEP to the guest's; a VM tap: the same in the dot1q transport
 * VLAN (seed 000 FIG. 5).
 */
function layers(c: Crossing): LayerPattern[] {
  const nodes = [c.from, c.to].map((n) => c.index.node(n));
  const gw = nodes.find((n) => n.role === 'vxlan-gateway');
  const vm = nodes.some((n) => n.role === 'vm');
  if (!gw && !vm)
    return [
      { ...c.client, type: 0x8100 },
      { name: 'vlan', tpid: 0x8100, vid: c.vlan },
    ];
  const gwIf = gw ? c.link.endpoints.find((e) => e.node === gw.name)?.ifname : undefined;
  if (gw && gwIf !== GATEWAY_TRANSPORT_IF) return [{ ...c.client }];
  const hv = nodes.find((n) => n.role === 'hypervisor')?.name;
  const s = c.plan.sites.find((x) => x.accessSwitch === hv && x.tenant === c.tenant && x.vlans.includes(c.vlan));
  const vxlan: LayerPattern[] = [
    { name: 'ipv4', src: VTEP.gatewayIp, dst: VTEP.guestIp, proto: 17, ttl: ANY, id: ANY },
    { name: 'udp', sport: ANY, dport: VTEP.dstport },
    { name: 'vxlan', vni: s ? vniOf(s.hostTag, c.vlan) : ANY },
    { ...c.client },
  ];
  // A guest's tap is a trunk of the transport VLAN; a traditional hypervisor's host stack
  // (FIG. 1-2, a namespace) sits on an access port of it.
  if (vm && nodes.some((n) => n.role === 'vm' && n.kind === 'generic_vm'))
    return [
      { name: 'eth', src: ANY, dst: ANY, type: 0x8100 },
      { name: 'vlan', tpid: 0x8100, vid: VTEP.vlan, type: 0x0800 },
      ...vxlan,
    ];
  return [{ name: 'eth', src: ANY, dst: ANY, type: 0x0800 }, ...vxlan];
}

export const hypervisor: TagModule = {
  name: 'hypervisor',
  description: 'sites hosted on a hypervisor attach at its uplink; own VLAN to its bridge device, VXLAN to the guest',
  requires: [],
  roles: [],
  allocate,
  render: () => {},
  expect: { deliver, classes: ['hypervisor'], layers },
};
