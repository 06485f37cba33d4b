// The one bind table, used in both directions (scapy's bind_layers):
// - dissect: (lower layer, value of its `next` field) → upper layer;
// - build: (lower layer, upper layer) → value to write in the lower layer's `next` field when the
//   caller left it out. The FIRST rule for a (lower, upper) pair is the one build uses.
import type { LayerName } from './types.js';

export interface BindRule {
  lower: LayerName;
  /** Field of `lower` holding the key; absent = unconditional (vxlan → eth). */
  field?: string;
  value?: number;
  /**
   * Upper layer. `pw` after the bottom MPLS label is special: the pseudowire payload is chosen by
   * the heuristic or decode-as (pw-heuristic.ts), which may also go straight to ipv4/ipv6.
   */
  upper: LayerName;
}

/** Ethertypes that introduce another header (shared by eth and vlan). */
const ETHERTYPES: Array<[number, LayerName]> = [
  [0x8100, 'vlan'], // 802.1Q
  [0x88a8, 'vlan'], // 802.1ad
  [0x9100, 'vlan'], // legacy QinQ
  [0x8847, 'mpls'], // unicast
  [0x8848, 'mpls'], // multicast
  [0x0800, 'ipv4'],
  [0x86dd, 'ipv6'],
  [0x0806, 'arp'],
];

/** IP protocol numbers (IPv4 proto and IPv6 next header). */
const IP_PROTOS: Array<[number, LayerName]> = [
  [17, 'udp'],
  [6, 'tcp'],
  [4, 'ipv4'], // IP in IP
  [41, 'ipv6'],
];

export const BIND: readonly BindRule[] = [
  ...ETHERTYPES.map(([value, upper]): BindRule => ({ lower: 'eth', field: 'type', value, upper })),
  ...ETHERTYPES.map(([value, upper]): BindRule => ({ lower: 'vlan', field: 'type', value, upper })),
  ...ETHERTYPES.map(([value, upper]): BindRule => ({ lower: 'sll', field: 'type', value, upper })),
  ...ETHERTYPES.map(([value, upper]): BindRule => ({ lower: 'sll2', field: 'type', value, upper })),
  { lower: 'mpls', field: 's', value: 0, upper: 'mpls' },
  { lower: 'mpls', field: 's', value: 1, upper: 'pw' },
  { lower: 'mpls', field: 's', value: 1, upper: 'eth' }, // build: eth straight after a label = pw without cw
  { lower: 'mpls', field: 's', value: 1, upper: 'ipv4' },
  { lower: 'mpls', field: 's', value: 1, upper: 'ipv6' },
  { lower: 'pw', upper: 'eth' },
  { lower: 'ipv4', field: 'proto', value: 1, upper: 'icmp' },
  ...IP_PROTOS.map(([value, upper]): BindRule => ({ lower: 'ipv4', field: 'proto', value, upper })),
  { lower: 'ipv6', field: 'next', value: 58, upper: 'icmp' }, // ICMPv6 shares the icmp layer
  ...IP_PROTOS.map(([value, upper]): BindRule => ({ lower: 'ipv6', field: 'next', value, upper })),
  { lower: 'udp', field: 'dport', value: 4789, upper: 'vxlan' },
  { lower: 'vxlan', upper: 'eth' },
];

/** Build direction: the value for `lower.field` when `upper` follows, or undefined. */
export function bindValue(lower: LayerName, upper: LayerName): number | undefined {
  for (const r of BIND) if (r.lower === lower && r.upper === upper) return r.value;
  return undefined;
}

/** Dissect direction, for tooling and docs: the keyed rules of one lower layer. */
export function bindingsOf(lower: LayerName): BindRule[] {
  return BIND.filter((r) => r.lower === lower);
}

/**
 * Ethertypes the pseudowire heuristic accepts as "plausible Ethernet" although we do not
 * dissect them: LACP/slow protocols, PTP, LLDP, CFM, MACsec, and the local experimental pair
 * (build's default ethertype).
 */
export const RECOGNISED_ETHERTYPES: ReadonlySet<number> = new Set([
  ...ETHERTYPES.map(([v]) => v),
  0x8809,
  0x88f7,
  0x88cc,
  0x8902,
  0x88e5,
  0x88b5,
  0x88b6,
]);
