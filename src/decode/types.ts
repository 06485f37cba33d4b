// The decoder's public vocabulary. This is also the `fabric inspect --json` contract
// (schemas/inspect-frame.schema.json): layer names and field names/types here must not change
// without bumping that schema.

export interface EthLayer {
  name: 'eth';
  src: string;
  dst: string;
  type: number;
}
/**
 * Linux cooked capture v1 (`tcpdump -i any`, linktype 113). pkttype: 0 to us, 1 broadcast,
 * 2 multicast, 3 to another host, 4 sent by us. addr: the link-layer source address (first 6 bytes).
 */
export interface SllLayer {
  name: 'sll';
  pkttype: number;
  hatype: number;
  addr: string;
  type: number;
}
/** Linux cooked capture v2 (linktype 276): as SLL, plus the interface index. */
export interface Sll2Layer {
  name: 'sll2';
  type: number;
  ifindex: number;
  hatype: number;
  pkttype: number;
  addr: string;
}
/** 802.1Q (tpid 0x8100) or 802.1ad (0x88a8; 0x9100 accepted). `type` is the ethertype after the tag. */
export interface VlanLayer {
  name: 'vlan';
  tpid: number;
  pcp: number;
  dei: number;
  vid: number;
  type: number;
}
export interface MplsLayer {
  name: 'mpls';
  label: number;
  tc: number;
  s: boolean;
  ttl: number;
}
/** Ethernet-over-MPLS pseudowire marker after the bottom label; cw = RFC 4385 control word present. */
export interface PwLayer {
  name: 'pw';
  cw: boolean;
  seq?: number;
}
export interface VxlanLayer {
  name: 'vxlan';
  vni: number;
}
export interface Ipv4Layer {
  name: 'ipv4';
  src: string;
  dst: string;
  proto: number;
  ttl: number;
  id: number;
}
export interface Ipv6Layer {
  name: 'ipv6';
  src: string;
  dst: string;
  next: number;
}
export interface ArpLayer {
  name: 'arp';
  op: number;
  sha: string;
  spa: string;
  tha: string;
  tpa: string;
}
export interface IcmpLayer {
  name: 'icmp';
  type: number;
  code: number;
  id?: number;
  seq?: number;
}
export interface UdpLayer {
  name: 'udp';
  sport: number;
  dport: number;
}
export interface TcpLayer {
  name: 'tcp';
  sport: number;
  dport: number;
  flags: number;
}
export type RawReason =
  | 'truncated' // the header of the next layer did not fit in the captured bytes
  | 'unknown-ethertype'
  | 'unknown-protocol' // IP protocol / next header we do not dissect
  | 'unknown-port' // UDP/TCP payload on a port with no binding
  | 'payload' // application payload (not an error)
  | 'pw-undecided' // pseudowire payload the heuristic could not classify and no decode-as was given
  | 'malformed' // a header with impossible values (bad IHL, bad length, ...)
  | 'unknown-linktype'; // a capture link type the decoder does not dissect (fabric inspect reports it)
export interface RawLayer {
  name: 'raw';
  len: number;
  reason?: RawReason;
  data?: Uint8Array;
}

export type Layer =
  | EthLayer
  | SllLayer
  | Sll2Layer
  | VlanLayer
  | MplsLayer
  | PwLayer
  | VxlanLayer
  | Ipv4Layer
  | Ipv6Layer
  | ArpLayer
  | IcmpLayer
  | UdpLayer
  | TcpLayer
  | RawLayer;

export type LayerName = Layer['name'];

/** What follows the bottom-of-stack MPLS label. */
export type PwPayloadKind = 'pw-eth-cw' | 'pw-eth-nocw' | 'ipv4' | 'ipv6' | 'raw';

export interface DecodeAs {
  /** Applies to every bottom label without a per-label entry. */
  default?: PwPayloadKind;
  /** Per bottom-of-stack label, e.g. { 1001: 'pw-eth-nocw' }. From the plan's decode hints. */
  labels?: Record<number, PwPayloadKind>;
  /** Label ranges (inclusive); a per-label entry wins over a range, a later range over an earlier one. */
  ranges?: { from: number; to: number; kind: PwPayloadKind }[];
  /** UDP ports (source or destination) whose payload is VXLAN, besides 4789. */
  vxlanPorts?: number[];
}

export interface DissectOptions {
  decodeAs?: DecodeAs;
  /** Keep `data` on the final raw layer (payload bytes); off by default for speed. */
  keepPayload?: boolean;
}
