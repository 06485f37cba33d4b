// What a tenant frame carries on each link class, outer to inner, after the outer Ethernet header.
// This one table drives the MTU budget, the docs and expectedStack's shape; the renderers must
// produce exactly these stacks (the integration suite checks them on captures).
//
// Why this design (seed 001 FIG. 6-8 within Open vSwitch's measured limits: at most two VLAN
// tags in one Ethernet header, at most three MPLS labels, no pseudowire control word):
// - Tag1 (host, 802.1ad S-tag) + Tag2 (customer, 802.1Q C-tag) on the DC fabric. Tag2 replaces
//   the client's own VID for the crossing (VLAN translation: PCP and DEI ride along unchanged);
//   the plan maps it back on delivery, so the client receives its frame byte for byte, own tag
//   included. A third VLAN tag would be needed to keep the own tag in place, and OVS refuses it.
// - Tag3 (DC/VPLS) is the label of an Ethernet-over-MPLS pseudowire (no control word) that
//   carries the whole QinQ frame between datacenters, so Tag1/Tag2 survive intact inside it.
// - Tag4 (transport) is pushed above Tag3 by the ingress PE, swapped at each P hop, popped by
//   the egress PE (no penultimate-hop popping: every long-haul link shows Tag4).
// - The provider segment wraps the whole MPLS frame in IPv4/UDP/VXLAN between two provider
//   routers (kernel VXLAN, dstport 4789), added by the outbound and removed by the inbound one.
import type { LinkClass } from './model.js';

export interface HeaderSpec {
  name: string;
  bytes: number;
}

const ETH = { name: 'Ethernet', bytes: 14 };
const OWN = { name: '802.1Q own VLAN', bytes: 4 };
const TAG1 = { name: '802.1ad Tag1 (host)', bytes: 4 };
const TAG2 = { name: '802.1Q Tag2 (customer)', bytes: 4 };
const TAG3 = { name: 'MPLS Tag3 (DC/VPLS, bottom)', bytes: 4 };
const TAG4 = { name: 'MPLS Tag4 (transport)', bytes: 4 };
const QINQ = [TAG1, TAG2];
const PW = [TAG3, ETH, ...QINQ];
const LONG_HAUL = [TAG4, ...PW];

/** Headers between the outer Ethernet header and the client's IP packet, per link class. */
export const ENCODING: Record<LinkClass, HeaderSpec[]> = {
  'client-access': [],
  'tenant-lan': [OWN],
  'dc-fabric': QINQ,
  'dc-interconnect': PW,
  'long-haul': LONG_HAUL,
  provider: [
    { name: 'IPv4 (outer)', bytes: 20 },
    { name: 'UDP 4789', bytes: 8 },
    { name: 'VXLAN', bytes: 8 },
    ETH,
    ...LONG_HAUL,
  ],
  hypervisor: [OWN],
};

/** Link MTU needed on a class so that a client IP packet of `tenantMtu` bytes crosses it. */
export function classMtu(cls: LinkClass, tenantMtu = 1500): number {
  return tenantMtu + ENCODING[cls].reduce((n, h) => n + h.bytes, 0);
}

/** The VXLAN overhead on the provider link (outer IPv4 + UDP + VXLAN + inner Ethernet). */
export const VXLAN_OVERHEAD = 20 + 8 + 8 + 14;
