// The stack text of one frame (layersText's exact output) written as bytes straight from the
// dissector's typed arrays and the frame: no layer object, no string per field. The lookup
// tables below are built once from format-text.ts's own vocabulary, so both paths print the
// same words; a unit test compares them on many random and mutated frames.
import {
  asciiBytes,
  fieldIndex,
  formatIpv6,
  LAYER_ID,
  putAscii,
  putBytes,
  putHex4,
  putIpv4,
  putMac,
  putUint,
  REASON,
  type Dissector,
} from '../decode/index.js';
import { ICMP4, ICMP6, SLL_PKTTYPE, tcpFlagsText } from './format-text.js';

/** Most bytes one layer adds to the text (an IPv6 header with its ICMPv6 message is the longest). */
export const TEXT_BYTES_PER_LAYER = 192;

const ID_ETH: number = LAYER_ID.eth;
const ID_VLAN: number = LAYER_ID.vlan;
const ID_RAW: number = LAYER_ID.raw;
const ID_IPV4: number = LAYER_ID.ipv4;
const ID_IPV6: number = LAYER_ID.ipv6;
const ID_ICMP: number = LAYER_ID.icmp;
const ID_UDP: number = LAYER_ID.udp;
const ID_TCP: number = LAYER_ID.tcp;
const REASON_PAYLOAD = REASON.indexOf('payload');

const ETH = { src: fieldIndex('eth', 'src'), dst: fieldIndex('eth', 'dst'), type: fieldIndex('eth', 'type') };
const VLAN = {
  tpid: fieldIndex('vlan', 'tpid'),
  pcp: fieldIndex('vlan', 'pcp'),
  dei: fieldIndex('vlan', 'dei'),
  vid: fieldIndex('vlan', 'vid'),
  type: fieldIndex('vlan', 'type'),
};
const MPLS = {
  label: fieldIndex('mpls', 'label'),
  tc: fieldIndex('mpls', 'tc'),
  s: fieldIndex('mpls', 's'),
  ttl: fieldIndex('mpls', 'ttl'),
};
const PW = { cw: fieldIndex('pw', 'cw'), seq: fieldIndex('pw', 'seq') };
const VNI = fieldIndex('vxlan', 'vni');
const IP4 = { src: fieldIndex('ipv4', 'src'), dst: fieldIndex('ipv4', 'dst'), proto: fieldIndex('ipv4', 'proto') };
const IP6 = { src: fieldIndex('ipv6', 'src'), dst: fieldIndex('ipv6', 'dst'), next: fieldIndex('ipv6', 'next') };
const ARP = {
  op: fieldIndex('arp', 'op'),
  sha: fieldIndex('arp', 'sha'),
  spa: fieldIndex('arp', 'spa'),
  tpa: fieldIndex('arp', 'tpa'),
};
const ICMP = {
  type: fieldIndex('icmp', 'type'),
  code: fieldIndex('icmp', 'code'),
  id: fieldIndex('icmp', 'id'),
  seq: fieldIndex('icmp', 'seq'),
};
const PORTS = { sport: fieldIndex('udp', 'sport'), dport: fieldIndex('udp', 'dport') };
const TCP = { sport: fieldIndex('tcp', 'sport'), dport: fieldIndex('tcp', 'dport'), flags: fieldIndex('tcp', 'flags') };
const SLL = { pkttype: fieldIndex('sll', 'pkttype'), addr: fieldIndex('sll', 'addr'), type: fieldIndex('sll', 'type') };
const SLL2 = {
  ifindex: fieldIndex('sll2', 'ifindex'),
  pkttype: fieldIndex('sll2', 'pkttype'),
  addr: fieldIndex('sll2', 'addr'),
  type: fieldIndex('sll2', 'type'),
};

const table = (names: Record<number, string>) =>
  Array.from({ length: 256 }, (_, t) => (names[t] === undefined ? undefined : asciiBytes(names[t]!)));
const ICMP4_NAME = table(ICMP4);
const ICMP6_NAME = table(ICMP6);
/** `[flags]` for the 8 flag bits tcpdump names (the text ignores the bits above). */
const TCP_FLAGS = Array.from({ length: 256 }, (_, f) => asciiBytes(` [${tcpFlagsText(f)}]`));
const RAW_REASON = REASON.map((r) => asciiBytes(` (${r ?? 'malformed'})`));
const SEP = asciiBytes(' | ');
const ETHERTYPE = asciiBytes(' ethertype ');

/** Scratch for Dissector.fields: one layer's fields at a time. */
const v = new Float64Array(16);

function vlanInto(u: Uint8Array, p: number): number {
  const tpid = v[VLAN.tpid]!;
  if (tpid === 0x8100) p = putAscii(u, p, '802.1Q ');
  else if (tpid === 0x88a8) p = putAscii(u, p, '802.1ad ');
  else {
    p = putAscii(u, p, 'QinQ(');
    p = putHex4(u, p, tpid);
    p = putAscii(u, p, ') ');
  }
  p = putUint(u, p, v[VLAN.vid]!);
  if (v[VLAN.pcp]) {
    p = putAscii(u, p, ' p');
    p = putUint(u, p, v[VLAN.pcp]!);
  }
  if (v[VLAN.dei]) p = putAscii(u, p, ' dei');
  return p;
}

/** `sport > dport` of UDP (fields in v). */
function portsInto(u: Uint8Array, p: number, sport: number, dport: number): number {
  p = putUint(u, p, sport);
  p = putAscii(u, p, ' > ');
  return putUint(u, p, dport);
}

/** ICMP/UDP/TCP text (fields in v), after an IP header or alone. */
function transportInto(u: Uint8Array, p: number, id: number, v6: boolean): number {
  if (id === ID_UDP) {
    p = putAscii(u, p, 'UDP ');
    return portsInto(u, p, v[PORTS.sport]!, v[PORTS.dport]!);
  }
  if (id === ID_TCP) {
    p = putAscii(u, p, 'TCP ');
    p = portsInto(u, p, v[TCP.sport]!, v[TCP.dport]!);
    return putBytes(u, p, TCP_FLAGS[v[TCP.flags]! & 0xff]!);
  }
  const type = v[ICMP.type]!;
  p = putAscii(u, p, v6 ? 'ICMP6 ' : 'ICMP ');
  const name = (v6 ? ICMP6_NAME : ICMP4_NAME)[type];
  if (name === undefined) {
    p = putAscii(u, p, 'type ');
    p = putUint(u, p, type);
    p = putAscii(u, p, ' code ');
    return putUint(u, p, v[ICMP.code]!);
  }
  p = putBytes(u, p, name);
  if (v6 ? type === 128 || type === 129 : type === 0 || type === 8) {
    p = putAscii(u, p, ' id ');
    p = putUint(u, p, v[ICMP.id]!);
    p = putAscii(u, p, ' seq ');
    p = putUint(u, p, v[ICMP.seq]!);
  }
  return p;
}

/** An Ethernet header (layer i) and the tags directly on it (layers i+1 .. end-1). */
function ethInto(d: Dissector, i: number, end: number, u: Uint8Array, p: number): number {
  const b = d.bytes();
  p = putMac(u, p, b, v[ETH.src]!);
  p = putAscii(u, p, ' > ');
  p = putMac(u, p, b, v[ETH.dst]!);
  let type = v[ETH.type]!;
  for (let j = i + 1; j < end; j++) {
    d.fields(j, v);
    p = j === i + 1 ? putAscii(u, p, ' ') : putBytes(u, p, SEP);
    p = vlanInto(u, p);
    type = v[VLAN.type]!;
  }
  if (end >= d.count || d.kinds[end] === ID_RAW) {
    p = putBytes(u, p, ETHERTYPE);
    p = putHex4(u, p, type);
  }
  return p;
}

/** IPv4/IPv6 (layer i) with its transport header when one follows (`next`: its id, else 0). */
function ipInto(d: Dissector, i: number, id: number, next: number, u: Uint8Array, p: number): number {
  const b = d.bytes();
  const v6 = id === ID_IPV6;
  if (v6) {
    p = putAscii(u, p, 'IPv6 ');
    p = putAscii(u, p, formatIpv6(b, v[IP6.src]!));
    p = putAscii(u, p, ' > ');
    p = putAscii(u, p, formatIpv6(b, v[IP6.dst]!));
  } else {
    p = putAscii(u, p, 'IPv4 ');
    p = putIpv4(u, p, b, v[IP4.src]!);
    p = putAscii(u, p, ' > ');
    p = putIpv4(u, p, b, v[IP4.dst]!);
  }
  const proto = v[v6 ? IP6.next : IP4.proto]!;
  if (next !== 0) {
    d.fields(i + 1, v);
    u[p++] = 32;
    return transportInto(u, p, next, v6);
  }
  p = putAscii(u, p, v6 ? ' next ' : ' proto ');
  return putUint(u, p, proto);
}

function sllInto(d: Dissector, i: number, id: number, u: Uint8Array, p: number): number {
  const f = id === LAYER_ID.sll ? SLL : SLL2;
  if (id === LAYER_ID.sll) p = putAscii(u, p, 'SLL ');
  else {
    p = putAscii(u, p, 'SLL2 if ');
    p = putUint(u, p, v[SLL2.ifindex]!);
    u[p++] = 32;
  }
  const pkttype = v[f.pkttype]!;
  const dir = SLL_PKTTYPE[pkttype];
  p = putAscii(u, p, dir ?? 'pkttype ');
  if (dir === undefined) p = putUint(u, p, pkttype);
  u[p++] = 32;
  p = putMac(u, p, d.bytes(), v[f.addr]!);
  if (i + 1 >= d.count || d.kinds[i + 1] === ID_RAW) {
    p = putBytes(u, p, ETHERTYPE);
    p = putHex4(u, p, v[f.type]!);
  }
  return p;
}

function arpInto(d: Dissector, u: Uint8Array, p: number): number {
  const b = d.bytes();
  const op = v[ARP.op]!;
  if (op === 1) {
    p = putAscii(u, p, 'ARP who-has ');
    p = putIpv4(u, p, b, v[ARP.tpa]!);
    p = putAscii(u, p, ' tell ');
    return putIpv4(u, p, b, v[ARP.spa]!);
  }
  if (op === 2) {
    p = putAscii(u, p, 'ARP reply ');
    p = putIpv4(u, p, b, v[ARP.spa]!);
    p = putAscii(u, p, ' is-at ');
    return putMac(u, p, b, v[ARP.sha]!);
  }
  p = putAscii(u, p, 'ARP op ');
  p = putUint(u, p, op);
  u[p++] = 32;
  p = putIpv4(u, p, b, v[ARP.spa]!);
  p = putAscii(u, p, ' > ');
  return putIpv4(u, p, b, v[ARP.tpa]!);
}

/** MPLS, pseudowire and VXLAN (fields in v). */
function tunnelInto(id: number, u: Uint8Array, p: number): number {
  if (id === LAYER_ID.mpls) {
    p = putAscii(u, p, 'MPLS ');
    p = putUint(u, p, v[MPLS.label]!);
    if (v[MPLS.tc]) {
      p = putAscii(u, p, ' tc ');
      p = putUint(u, p, v[MPLS.tc]!);
    }
    p = putAscii(u, p, ' ttl ');
    p = putUint(u, p, v[MPLS.ttl]!);
    return v[MPLS.s] ? putAscii(u, p, ' [S]') : p;
  }
  if (id === LAYER_ID.pw) {
    if (!v[PW.cw]) return putAscii(u, p, 'PW nocw');
    p = putAscii(u, p, 'PW cw');
    if (!v[PW.seq]) return p;
    p = putAscii(u, p, ' seq ');
    return putUint(u, p, v[PW.seq]!);
  }
  p = putAscii(u, p, 'VXLAN ');
  return putUint(u, p, v[VNI]!);
}

/**
 * Writes the stack text of the dissector's last walk (exactly layersText(d.layers())) into `u`
 * at `p` and returns the next offset. Needs TEXT_BYTES_PER_LAYER bytes of room per layer.
 */
export function layersTextInto(d: Dissector, u: Uint8Array, p: number): number {
  const n = d.count;
  const kinds = d.kinds;
  let first = true;
  for (let i = 0; i < n; i++) {
    const id = kinds[i]!;
    if (id === ID_RAW && d.reason === REASON_PAYLOAD) continue; // application payload: not shown
    if (first) first = false;
    else p = putBytes(u, p, SEP);
    if (id === ID_RAW) {
      p = putAscii(u, p, 'raw ');
      p = putUint(u, p, d.keys[i]!);
      p = putBytes(u, p, RAW_REASON[d.reason]!);
      continue;
    }
    d.fields(i, v);
    if (id === ID_ETH) {
      // Tags follow without a separator, as tcpdump -e prints them on the Ethernet header.
      let end = i + 1;
      while (end < n && kinds[end] === ID_VLAN) end++;
      p = ethInto(d, i, end, u, p);
      i = end - 1;
    } else if (id === ID_IPV4 || id === ID_IPV6) {
      const t = i + 1 < n ? kinds[i + 1]! : 0;
      const next = t === ID_ICMP || t === ID_UDP || t === ID_TCP ? t : 0;
      p = ipInto(d, i, id, next, u, p);
      if (next !== 0) i++;
    } else if (id === ID_VLAN) p = vlanInto(u, p);
    else if (id === ID_ICMP || id === ID_UDP || id === ID_TCP) p = transportInto(u, p, id, false);
    else if (id === LAYER_ID.arp) p = arpInto(d, u, p);
    else if (id === LAYER_ID.sll || id === LAYER_ID.sll2) p = sllInto(d, i, id, u, p);
    else p = tunnelInto(id, u, p);
  }
  return p;
}
