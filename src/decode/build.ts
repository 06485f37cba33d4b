// Build: frames from the same declarations and bind table dissect uses. The caller gives partial
// layers, outer to inner; build fills defaults, the "next" fields from the bind table (ethertypes,
// IP protocol, UDP port to VXLAN, MPLS S bit), lengths, header lengths and checksums.
import { FabricError } from '../errors/fabric-error.js';
import { ipv4 as parseIpv4, ipv6 as parseIpv6, mac as parseMac } from './addr.js';
import { bindValue } from './bind.js';
import { sum16, finish } from './checksum.js';
import { fieldBits, fieldOffsets, LAYERS, type FieldDecl, type HeaderLayerName, type LayerDecl } from './layers.js';
import type {
  ArpLayer,
  EthLayer,
  IcmpLayer,
  Ipv4Layer,
  Ipv6Layer,
  LayerName,
  MplsLayer,
  PwLayer,
  RawReason,
  Sll2Layer,
  SllLayer,
  TcpLayer,
  UdpLayer,
  VlanLayer,
  VxlanLayer,
} from './types.js';

type Spec<L extends { name: string }, X = unknown> = { name: L['name'] } & Partial<Omit<L, 'name'>> & X;

export type EthSpec = Spec<EthLayer>;
export type SllSpec = Spec<SllLayer, { halen?: number }>;
export type Sll2Spec = Spec<Sll2Layer, { halen?: number }>;
export type VlanSpec = Spec<VlanLayer>;
export type MplsSpec = Spec<MplsLayer>;
/** `cw` defaults to false (the lab's own pseudowires carry no control word). */
export type PwSpec = Spec<PwLayer, { flags?: number; frg?: number; length?: number }>;
export type VxlanSpec = Spec<VxlanLayer, { flags?: number }>;
/** `options` is padded with zeros to a multiple of 4 bytes. */
export type Ipv4Spec = Spec<
  Ipv4Layer,
  { tos?: number; ihl?: number; len?: number; flags?: number; frag?: number; chksum?: number; options?: Uint8Array }
>;
export type Ipv6Spec = Spec<Ipv6Layer, { tc?: number; fl?: number; plen?: number; hlim?: number }>;
export type ArpSpec = Spec<ArpLayer, { htype?: number; ptype?: number; hlen?: number; plen?: number }>;
export type IcmpSpec = Spec<IcmpLayer, { chksum?: number }>;
export type UdpSpec = Spec<UdpLayer, { len?: number; chksum?: number }>;
export type TcpSpec = Spec<
  TcpLayer,
  {
    seq?: number;
    ack?: number;
    dataofs?: number;
    window?: number;
    chksum?: number;
    urgptr?: number;
    options?: Uint8Array;
  }
>;
/** Payload bytes (`data`), or `len` zero bytes. `reason` is ignored (so dissect output builds back). */
export interface RawSpec {
  name: 'raw';
  data?: Uint8Array;
  len?: number;
  reason?: RawReason;
}

/** A partial layer for build(). Every dissect() layer is also a valid LayerSpec. */
export type LayerSpec =
  | EthSpec
  | SllSpec
  | Sll2Spec
  | VlanSpec
  | MplsSpec
  | PwSpec
  | VxlanSpec
  | Ipv4Spec
  | Ipv6Spec
  | ArpSpec
  | IcmpSpec
  | UdpSpec
  | TcpSpec
  | RawSpec;

export interface BuildOptions {
  /** Pad the frame with zeros to at least this many bytes (60 = Ethernet minimum without FCS). */
  minSize?: number;
}

type Value = number | boolean | Uint8Array;

interface Planned {
  name: LayerName;
  decl?: LayerDecl;
  values: Map<string, Value>;
  explicit: Set<string>;
  /** Bytes this layer adds to the frame. */
  size: number;
  /** Header bytes (size minus payload; raw has none). */
  hdr: number;
  extra?: Uint8Array; // options or raw data
  off: number;
}

function buildError(i: number, name: string, msg: string): FabricError {
  return new FabricError('E_BUILD', `build: layer ${i} (${name}): ${msg}`, {
    hint: 'give layers outer to inner, e.g. [{name:"eth"}, {name:"vlan", vid: 100}, {name:"ipv4"}, {name:"udp"}]',
  });
}

function convert(i: number, layer: string, f: FieldDecl, v: unknown): Value {
  const bad = (why: string) => buildError(i, layer, `field ${f.name} = ${JSON.stringify(v)}: ${why}`);
  switch (f.kind) {
    case 'mac':
    case 'ipv4':
    case 'ipv6': {
      if (v instanceof Uint8Array) {
        if (v.length !== fieldBits(f) / 8) throw bad(`expected ${fieldBits(f) / 8} bytes`);
        return v;
      }
      if (typeof v !== 'string') throw bad('expected an address string');
      return f.kind === 'mac' ? parseMac(v) : f.kind === 'ipv4' ? parseIpv4(v) : parseIpv6(v);
    }
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (v === 0 || v === 1) return v === 1;
      throw bad('expected a boolean');
    default: {
      const bits = fieldBits(f);
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= 2 ** bits) {
        throw bad(`expected an integer in 0..${2 ** bits - 1} (${bits} bits)`);
      }
      return v;
    }
  }
}

function plan(specs: readonly LayerSpec[]): Planned[] {
  const out: Planned[] = [];
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i] as unknown as Record<string, unknown> & { name: string };
    if (!spec || typeof spec !== 'object') throw buildError(i, '?', 'not an object');
    const next = specs[i + 1]?.name;
    if (spec.name === 'raw') {
      const data =
        spec.data instanceof Uint8Array
          ? spec.data
          : new Uint8Array(typeof spec.len === 'number' && spec.len >= 0 ? spec.len : 0);
      out.push({ name: 'raw', values: new Map(), explicit: new Set(), size: data.length, hdr: 0, extra: data, off: 0 });
      continue;
    }
    const decl = (LAYERS as Record<string, LayerDecl | undefined>)[spec.name];
    if (!decl)
      throw buildError(i, String(spec.name), `unknown layer; known: ${[...Object.keys(LAYERS), 'raw'].join(', ')}`);
    const values = new Map<string, Value>();
    const explicit = new Set<string>();
    const prev = out[i - 1];
    for (const f of decl.fields) {
      const given = spec[f.name];
      if (given !== undefined) {
        values.set(f.name, convert(i, decl.name, f, given));
        explicit.add(f.name);
        continue;
      }
      let v: unknown = f.default;
      if (f.auto === 'next' && next !== undefined) {
        const nextSpec = specs[i + 1] as unknown as Record<string, unknown>;
        const nextDecl = (LAYERS as Record<string, LayerDecl | undefined>)[next];
        // The next layer's overlapped first field (vlan.tpid) IS this field on the wire.
        const overlapped = nextDecl?.overlap ? nextSpec[nextDecl.fields[0]!.name] : undefined;
        v = overlapped ?? bindValue(decl.name, next) ?? f.default;
      }
      if (decl.name === 'icmp' && f.name === 'type' && nearestIp(out, i)?.name === 'ipv6') v = 128; // ICMPv6 echo request
      values.set(f.name, convert(i, decl.name, f, v));
    }
    if (decl.overlap) {
      // The overlapped bytes belong to the previous header, which already wrote its next field there.
      const prevNext = prev?.decl?.next;
      if (!prev || !prevNext)
        throw buildError(i, decl.name, `must follow a layer with a next-type field (eth or vlan)`);
      values.set(decl.fields[0]!.name, prev.values.get(prevNext)!);
    }
    let hdr = decl.size;
    let extra: Uint8Array | undefined;
    if (decl.name === 'pw') {
      hdr = spec.cw === true ? 4 : 0;
    } else if (decl.hdrWords && spec.options instanceof Uint8Array && spec.options.length > 0) {
      extra = new Uint8Array(Math.ceil(spec.options.length / 4) * 4);
      extra.set(spec.options);
      hdr += extra.length;
      if (hdr > 60) throw buildError(i, decl.name, `options make the header ${hdr} bytes (at most 60)`);
    }
    out.push({ name: decl.name, decl, values, explicit, size: hdr, hdr, extra, off: 0 });
  }
  return out;
}

function nearestIp(layers: Planned[], i: number): Planned | undefined {
  for (let j = i - 1; j >= 0; j--) if (layers[j]!.name === 'ipv4' || layers[j]!.name === 'ipv6') return layers[j];
  return undefined;
}

function writeUint(buf: Uint8Array, bitOff: number, bits: number, v: number): void {
  if (bitOff % 8 === 0 && bits % 8 === 0) {
    for (let k = bits / 8 - 1, p = bitOff / 8; k >= 0; k--, p++) buf[p] = Math.floor(v / 2 ** (8 * k)) & 0xff;
    return;
  }
  for (let k = 0; k < bits; k++) {
    const bit = Math.floor(v / 2 ** (bits - 1 - k)) & 1;
    const pos = bitOff + k;
    const mask = 0x80 >> (pos & 7);
    if (bit) buf[pos >> 3]! |= mask;
    else buf[pos >> 3]! &= ~mask;
  }
}

function writeLayer(buf: Uint8Array, p: Planned): void {
  const decl = p.decl!;
  if (p.hdr === 0) return; // pw without control word
  for (const [name, { bit, field }] of fieldOffsets(decl)) {
    const v = p.values.get(name)!;
    const at = p.off * 8 + bit;
    if (v instanceof Uint8Array) buf.set(v, at / 8);
    else writeUint(buf, at, fieldBits(field), typeof v === 'boolean' ? (v ? 1 : 0) : v);
  }
  if (p.extra) buf.set(p.extra, p.off + decl.size);
}

function setField(buf: Uint8Array, p: Planned, name: string, v: number): void {
  if (p.explicit.has(name)) return;
  const f = fieldOffsets(p.decl!).get(name)!;
  p.values.set(name, v);
  writeUint(buf, p.off * 8 + f.bit, fieldBits(f.field), v);
}

/** Pseudo-header sum for an upper-layer checksum (RFC 768/793 for IPv4, RFC 8200 §8.1 for IPv6). */
function pseudoSum(buf: Uint8Array, ip: Planned, proto: number, len: number): number {
  if (ip.name === 'ipv4') return sum16(buf, ip.off + 12, ip.off + 20) + proto + len;
  return sum16(buf, ip.off + 8, ip.off + 40) + proto + Math.floor(len / 0x10000) + (len & 0xffff);
}

/**
 * Builds a frame from partial layers, outer to inner. Throws FabricError E_BUILD on a layer or
 * value that cannot be encoded (unknown layer, value out of range, vlan not after eth/vlan).
 */
export function build(layers: readonly LayerSpec[], opts: BuildOptions = {}): Uint8Array {
  const planned = plan(layers);
  let total = 0;
  for (const p of planned) {
    p.off = total;
    total += p.size;
  }
  // Everything after a layer is its payload, so its end is the end of the packet.
  for (const p of planned) if (p.decl) p.size = total - p.off;
  const buf = new Uint8Array(Math.max(total, opts.minSize ?? 0));
  for (const p of planned) {
    if (p.name === 'raw') {
      buf.set(p.extra!, p.off);
      continue;
    }
    // Lengths first (checksums cover them).
    for (const f of p.decl!.fields) {
      if (p.explicit.has(f.name)) continue;
      if (f.auto === 'total-len') p.values.set(f.name, check16(p, f.name, p.size));
      else if (f.auto === 'payload-len') p.values.set(f.name, check16(p, f.name, p.size - p.hdr));
      else if (f.auto === 'hdr-words') p.values.set(f.name, p.hdr / 4);
    }
    writeLayer(buf, p);
  }
  // Checksums inner to outer: an outer UDP checksum covers the inner (VXLAN) frame's checksums.
  for (let i = planned.length - 1; i >= 0; i--) {
    const p = planned[i]!;
    if (!p.decl?.fields.some((f) => f.auto === 'chksum') || p.explicit.has('chksum')) continue;
    const end = p.off + p.size;
    if (p.name === 'ipv4') {
      setField(buf, p, 'chksum', finish(sum16(buf, p.off, p.off + p.hdr)));
      continue;
    }
    const ip = nearestIp(planned, i);
    let sum: number;
    if (p.name === 'icmp') {
      sum = ip?.name === 'ipv6' ? pseudoSum(buf, ip, 58, p.size) : 0;
    } else {
      sum = ip ? pseudoSum(buf, ip, p.name === 'udp' ? 17 : 6, p.size) : 0;
    }
    let c = finish(sum16(buf, p.off, end, sum));
    if (p.name === 'udp' && c === 0) c = 0xffff; // 0 means "no checksum" in UDP
    setField(buf, p, 'chksum', c);
  }
  return buf;
}

function check16(p: Planned, field: string, v: number): number {
  if (v > 0xffff) {
    throw new FabricError('E_BUILD', `build: ${p.name}.${field} would be ${v}, above 65535`, {
      hint: 'make the payload smaller',
    });
  }
  return v;
}

/** Layer names build accepts. */
export const BUILDABLE: readonly (HeaderLayerName | 'raw')[] = [...(Object.keys(LAYERS) as HeaderLayerName[]), 'raw'];
