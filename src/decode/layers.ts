// Protocol layers declared as data, scapy style: an ordered list of on-wire fields per layer.
// Nothing here runs per frame: compile.ts turns these declarations into specialised readers
// (dissect) once at load, and build.ts interprets them when crafting frames (not a hot path).
import type { LayerName, RawReason } from './types.js';

export type FieldKind = 'uint' | 'bool' | 'mac' | 'ipv4' | 'ipv6';

/**
 * How build fills a field the caller left out (beyond a plain default):
 * - `next`: from the bind table, given the layer that follows (ethertype, IP protocol, UDP port, MPLS S bit);
 * - `total-len`: bytes from this layer's start to the end of the packet (IPv4 total length, UDP length);
 * - `payload-len`: bytes after this layer's header (IPv6 payload length);
 * - `hdr-words`: header length in 32-bit words (IPv4 IHL, TCP data offset);
 * - `chksum`: Internet checksum of the layer (with pseudo-header where the protocol wants one).
 */
export type AutoKind = 'next' | 'total-len' | 'payload-len' | 'hdr-words' | 'chksum';

export interface FieldDecl {
  name: string;
  /** Default `uint`. */
  kind?: FieldKind;
  /** Width for uint/bool; implied by the kind for addresses. */
  bits?: number;
  default?: number | string | boolean;
  auto?: AutoKind;
  /** Dissect requires this value; a mismatch ends the walk with raw `malformed`. */
  expect?: number;
}

export interface LayerDecl {
  name: LayerName;
  fields: readonly FieldDecl[];
  /** Fixed header size in bytes (the minimum when `hdrWords` is set). */
  size: number;
  /**
   * Bytes the first field starts *before* this layer. A VLAN tag's TPID is the previous header's
   * ethertype field, so vlan declares the on-wire TPID+TCI+type with overlap 2 and occupies 4 bytes.
   */
  overlap?: number;
  /** Field giving the real header length in 32-bit words (options). */
  hdrWords?: string;
  /** Field whose value selects the next layer in the bind table. */
  next?: string;
  /** Length field bounding this layer: its end is start + value + add (trailing padding is ignored). */
  bound?: { field: string; add: number };
  /** When this field is non-zero the rest is payload (IPv4 non-first fragment). */
  payloadIfNonZero?: string;
  /** How the walk ends when the `next` key has no binding (or there is no `next`). `end` = no raw layer. */
  unbound: RawReason | 'end';
  /** Fields in the dissect output, in order (the `fabric inspect --json` contract). */
  out: readonly string[];
  /** The one field the zero-allocation fast path records per layer (Dissector.keys). */
  key?: string;
}

export const ETH: LayerDecl = {
  name: 'eth',
  fields: [
    { name: 'dst', kind: 'mac', default: 'ff:ff:ff:ff:ff:ff' },
    { name: 'src', kind: 'mac', default: '02:00:00:00:00:01' },
    // 0x88b5 = IEEE 802 local experimental ethertype, used when nothing follows.
    { name: 'type', bits: 16, auto: 'next', default: 0x88b5 },
  ],
  size: 14,
  next: 'type',
  unbound: 'unknown-ethertype',
  key: 'type',
  out: ['src', 'dst', 'type'],
};

/** Linux cooked v1: the address field is 8 bytes; the first 6 are read (Ethernet-sized addresses). */
export const SLL: LayerDecl = {
  name: 'sll',
  fields: [
    { name: 'pkttype', bits: 16, default: 0 },
    { name: 'hatype', bits: 16, default: 1 },
    { name: 'halen', bits: 16, default: 6 },
    { name: 'addr', kind: 'mac', default: '02:00:00:00:00:01' },
    { name: 'addrpad', bits: 16, default: 0 },
    { name: 'type', bits: 16, auto: 'next', default: 0x88b5 },
  ],
  size: 16,
  next: 'type',
  unbound: 'unknown-ethertype',
  key: 'type',
  out: ['pkttype', 'hatype', 'addr', 'type'],
};

export const SLL2: LayerDecl = {
  name: 'sll2',
  fields: [
    { name: 'type', bits: 16, auto: 'next', default: 0x88b5 },
    { name: 'reserved', bits: 16, default: 0 },
    { name: 'ifindex', bits: 32, default: 1 },
    { name: 'hatype', bits: 16, default: 1 },
    { name: 'pkttype', bits: 8, default: 0 },
    { name: 'halen', bits: 8, default: 6 },
    { name: 'addr', kind: 'mac', default: '02:00:00:00:00:01' },
    { name: 'addrpad', bits: 16, default: 0 },
  ],
  size: 20,
  next: 'type',
  unbound: 'unknown-ethertype',
  key: 'type',
  out: ['type', 'ifindex', 'hatype', 'pkttype', 'addr'],
};

export const VLAN: LayerDecl = {
  name: 'vlan',
  fields: [
    { name: 'tpid', bits: 16, default: 0x8100 },
    { name: 'pcp', bits: 3, default: 0 },
    { name: 'dei', bits: 1, default: 0 },
    { name: 'vid', bits: 12, default: 1 },
    { name: 'type', bits: 16, auto: 'next', default: 0x88b5 },
  ],
  size: 4,
  overlap: 2,
  next: 'type',
  unbound: 'unknown-ethertype',
  key: 'vid',
  out: ['tpid', 'pcp', 'dei', 'vid', 'type'],
};

export const MPLS: LayerDecl = {
  name: 'mpls',
  fields: [
    { name: 'label', bits: 20, default: 16 },
    { name: 'tc', bits: 3, default: 0 },
    // S = bottom of stack: from the bind table (1 unless another mpls follows).
    { name: 's', kind: 'bool', bits: 1, auto: 'next', default: true },
    { name: 'ttl', bits: 8, default: 64 },
  ],
  size: 4,
  next: 's',
  unbound: 'malformed',
  key: 'label',
  out: ['label', 'tc', 's', 'ttl'],
};

/** RFC 4385 control word (present only when pw.cw is true; pw without cw occupies no bytes). */
export const PW: LayerDecl = {
  name: 'pw',
  fields: [
    { name: 'zero', bits: 4, expect: 0, default: 0 },
    { name: 'flags', bits: 4, default: 0 },
    { name: 'frg', bits: 2, default: 0 },
    { name: 'length', bits: 6, default: 0 },
    { name: 'seq', bits: 16, default: 0 },
  ],
  size: 4,
  unbound: 'malformed',
  out: ['cw', 'seq'],
};

export const VXLAN: LayerDecl = {
  name: 'vxlan',
  fields: [
    { name: 'flags', bits: 8, default: 0x08 },
    { name: 'reserved1', bits: 24, default: 0 },
    { name: 'vni', bits: 24, default: 0 },
    { name: 'reserved2', bits: 8, default: 0 },
  ],
  size: 8,
  unbound: 'malformed',
  key: 'vni',
  out: ['vni'],
};

export const IPV4: LayerDecl = {
  name: 'ipv4',
  fields: [
    { name: 'version', bits: 4, expect: 4, default: 4 },
    { name: 'ihl', bits: 4, auto: 'hdr-words', default: 5 },
    { name: 'tos', bits: 8, default: 0 },
    { name: 'len', bits: 16, auto: 'total-len', default: 20 },
    { name: 'id', bits: 16, default: 0 },
    { name: 'flags', bits: 3, default: 0 },
    { name: 'frag', bits: 13, default: 0 },
    { name: 'ttl', bits: 8, default: 64 },
    // 253 = RFC 3692 experimental, used when nothing bound follows.
    { name: 'proto', bits: 8, auto: 'next', default: 253 },
    { name: 'chksum', bits: 16, auto: 'chksum', default: 0 },
    { name: 'src', kind: 'ipv4', default: '10.0.0.1' },
    { name: 'dst', kind: 'ipv4', default: '10.0.0.2' },
  ],
  size: 20,
  hdrWords: 'ihl',
  next: 'proto',
  bound: { field: 'len', add: 0 },
  payloadIfNonZero: 'frag',
  unbound: 'unknown-protocol',
  key: 'proto',
  out: ['src', 'dst', 'proto', 'ttl', 'id'],
};

export const IPV6: LayerDecl = {
  name: 'ipv6',
  fields: [
    { name: 'version', bits: 4, expect: 6, default: 6 },
    { name: 'tc', bits: 8, default: 0 },
    { name: 'fl', bits: 20, default: 0 },
    { name: 'plen', bits: 16, auto: 'payload-len', default: 0 },
    // 59 = No Next Header.
    { name: 'next', bits: 8, auto: 'next', default: 59 },
    { name: 'hlim', bits: 8, default: 64 },
    { name: 'src', kind: 'ipv6', default: 'fd00::1' },
    { name: 'dst', kind: 'ipv6', default: 'fd00::2' },
  ],
  size: 40,
  next: 'next',
  bound: { field: 'plen', add: 40 },
  unbound: 'unknown-protocol',
  key: 'next',
  out: ['src', 'dst', 'next'],
};

export const ARP: LayerDecl = {
  name: 'arp',
  fields: [
    { name: 'htype', bits: 16, expect: 1, default: 1 },
    { name: 'ptype', bits: 16, expect: 0x0800, default: 0x0800 },
    { name: 'hlen', bits: 8, expect: 6, default: 6 },
    { name: 'plen', bits: 8, expect: 4, default: 4 },
    { name: 'op', bits: 16, default: 1 },
    { name: 'sha', kind: 'mac', default: '00:00:00:00:00:00' },
    { name: 'spa', kind: 'ipv4', default: '0.0.0.0' },
    { name: 'tha', kind: 'mac', default: '00:00:00:00:00:00' },
    { name: 'tpa', kind: 'ipv4', default: '0.0.0.0' },
  ],
  size: 28,
  unbound: 'end',
  key: 'op',
  out: ['op', 'sha', 'spa', 'tha', 'tpa'],
};

/** ICMP and ICMPv6 share this 8-byte header; id/seq are the 4 bytes after the checksum (meaningful for echo). */
export const ICMP: LayerDecl = {
  name: 'icmp',
  fields: [
    { name: 'type', bits: 8, default: 8 },
    { name: 'code', bits: 8, default: 0 },
    { name: 'chksum', bits: 16, auto: 'chksum', default: 0 },
    { name: 'id', bits: 16, default: 0 },
    { name: 'seq', bits: 16, default: 0 },
  ],
  size: 8,
  unbound: 'payload',
  key: 'type',
  out: ['type', 'code', 'id', 'seq'],
};

export const UDP: LayerDecl = {
  name: 'udp',
  fields: [
    { name: 'sport', bits: 16, default: 49152 },
    // 9 = discard, used when nothing bound follows.
    { name: 'dport', bits: 16, auto: 'next', default: 9 },
    { name: 'len', bits: 16, auto: 'total-len', default: 8 },
    { name: 'chksum', bits: 16, auto: 'chksum', default: 0 },
  ],
  size: 8,
  next: 'dport',
  bound: { field: 'len', add: 0 },
  unbound: 'payload',
  key: 'dport',
  out: ['sport', 'dport'],
};

export const TCP: LayerDecl = {
  name: 'tcp',
  fields: [
    { name: 'sport', bits: 16, default: 49152 },
    { name: 'dport', bits: 16, default: 80 },
    { name: 'seq', bits: 32, default: 0 },
    { name: 'ack', bits: 32, default: 0 },
    { name: 'dataofs', bits: 4, auto: 'hdr-words', default: 5 },
    // 12 bits: 3 reserved, NS, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN (as tshark's tcp.flags).
    { name: 'flags', bits: 12, default: 0x002 },
    { name: 'window', bits: 16, default: 65535 },
    { name: 'chksum', bits: 16, auto: 'chksum', default: 0 },
    { name: 'urgptr', bits: 16, default: 0 },
  ],
  size: 20,
  hdrWords: 'dataofs',
  unbound: 'payload',
  key: 'dport',
  out: ['sport', 'dport', 'flags'],
};

/** Every declared layer, by name (raw has no header). */
export const LAYERS = {
  eth: ETH,
  vlan: VLAN,
  mpls: MPLS,
  pw: PW,
  vxlan: VXLAN,
  ipv4: IPV4,
  ipv6: IPV6,
  arp: ARP,
  icmp: ICMP,
  udp: UDP,
  tcp: TCP,
  sll: SLL,
  sll2: SLL2,
} as const;
export type HeaderLayerName = keyof typeof LAYERS;

/** Bit width of a field. */
export function fieldBits(f: FieldDecl): number {
  switch (f.kind) {
    case 'mac':
      return 48;
    case 'ipv4':
      return 32;
    case 'ipv6':
      return 128;
    default:
      return f.bits ?? 0;
  }
}

/** Bit offset of each field from the layer's first byte (negative for overlapped fields). */
export function fieldOffsets(decl: LayerDecl): Map<string, { bit: number; field: FieldDecl }> {
  const out = new Map<string, { bit: number; field: FieldDecl }>();
  let bit = -(decl.overlap ?? 0) * 8;
  for (const f of decl.fields) {
    out.set(f.name, { bit, field: f });
    bit += fieldBits(f);
  }
  return out;
}
