// Compiles the layer declarations (layers.ts) and the bind table (bind.ts) into specialised
// JavaScript once, at module load: one walker with every offset, width and binding inlined as a
// constant (a `switch` per layer and per key), and one object-literal reader per layer. This is
// what makes dissect fast: no per-field interpretation and no generic bit reader in the hot loop.
import { formatIpv4, formatIpv6, formatMac } from './addr.js';
import { BIND } from './bind.js';
import { fieldBits, fieldOffsets, LAYERS, type LayerDecl } from './layers.js';
import { decidePw, PW_EMPTY, PW_ETH_CW, PW_ETH_NOCW, PW_IPV4, PW_IPV6, PW_RAW } from './pw-heuristic.js';
import type { Layer, LayerName, RawReason } from './types.js';

/** Numeric layer ids used by the fast path (Dissector.kinds). 0 is never a layer. */
export const LAYER_ID = {
  eth: 1,
  vlan: 2,
  mpls: 3,
  pw: 4,
  vxlan: 5,
  ipv4: 6,
  ipv6: 7,
  arp: 8,
  icmp: 9,
  udp: 10,
  tcp: 11,
  raw: 12,
  sll: 13,
  sll2: 14,
} as const satisfies Record<LayerName, number>;
export const LAYER_NAME: readonly LayerName[] = (() => {
  const out: LayerName[] = [];
  for (const [name, id] of Object.entries(LAYER_ID)) out[id] = name as LayerName;
  return out;
})();

/** Raw reason codes (Dissector.reason). 0 = the walk ended without a raw layer. */
export const REASON: readonly (RawReason | undefined)[] = [
  undefined,
  'truncated',
  'unknown-ethertype',
  'unknown-protocol',
  'unknown-port',
  'payload',
  'pw-undecided',
  'malformed',
];
const R = Object.fromEntries(REASON.map((r, i) => [r ?? 'end', i])) as Record<RawReason | 'end', number>;

/** JS expression reading a uint field at bit offset `bit` (from the layer start `o`), `bits` wide. */
export function uintExpr(bit: number, bits: number): string {
  const at = (i: number) => (i === 0 ? 'b[o]' : i < 0 ? `b[o - ${-i}]` : `b[o + ${i}]`);
  const i0 = Math.floor(bit / 8);
  const i1 = Math.floor((bit + bits - 1) / 8);
  const nb = i1 - i0 + 1;
  if (bits === 32 && bit % 8 === 0) {
    return `(${at(i0)} * 16777216 + ((${at(i0 + 1)} << 16) | (${at(i0 + 2)} << 8) | ${at(i0 + 3)}))`;
  }
  if (nb > 3) throw new Error(`decoder compile: a ${bits}-bit field at bit ${bit} spans ${nb} bytes`);
  const parts: string[] = [];
  for (let i = i0; i <= i1; i++) {
    const sh = 8 * (i1 - i);
    parts.push(sh ? `(${at(i)} << ${sh})` : at(i));
  }
  let e = parts.length === 1 ? parts[0]! : `(${parts.join(' | ')})`;
  const shift = 8 * nb - (bit - 8 * i0) - bits;
  if (shift) e = `(${e} >> ${shift})`;
  if (bits < 8 * nb) e = `(${e} & ${2 ** bits - 1})`;
  return e;
}

function fieldExpr(decl: LayerDecl, name: string): string {
  const f = fieldOffsets(decl).get(name);
  if (!f) throw new Error(`decoder compile: ${decl.name} has no field ${name}`);
  const byte = f.bit / 8;
  const at = byte === 0 ? 'o' : byte < 0 ? `o - ${-byte}` : `o + ${byte}`;
  switch (f.field.kind) {
    case 'mac':
      return `M(b, ${at})`;
    case 'ipv4':
      return `I4(b, ${at})`;
    case 'ipv6':
      return `I6(b, ${at})`;
    case 'bool':
      return `(${uintExpr(f.bit, fieldBits(f.field))} !== 0)`;
    default:
      return uintExpr(f.bit, fieldBits(f.field));
  }
}

export type Materializer = (id: number, b: Uint8Array, o: number, key: number) => Layer | undefined;

function literal(decl: LayerDecl): string {
  if (decl.name === 'pw')
    return `k === 1 ? { name: 'pw', cw: true, seq: ${fieldExpr(decl, 'seq')} } : { name: 'pw', cw: false }`;
  const props = decl.out.map((n) => `${n}: ${fieldExpr(decl, n)}`);
  return `{ name: '${decl.name}', ${props.join(', ')} }`;
}

/**
 * One reader for every header layer: a switch on the layer id whose cases build object literals
 * (one hidden class per layer, all offsets constant). Raw is materialised by the Dissector.
 */
export const materialize: Materializer = (() => {
  const cases = Object.values(LAYERS).map((d) => `    case ${LAYER_ID[d.name]}: return ${literal(d)};`);
  const src = `"use strict"; return function materialize(id, b, o, k) {\n  switch (id) {\n${cases.join('\n')}\n    default: return undefined;\n  }\n};`;

  return new Function('M', 'I4', 'I6', src)(formatMac, formatIpv4, formatIpv6) as Materializer;
})();

export type JsonWriter = (id: number, b: Uint8Array, o: number, key: number) => string;

/** A JS expression giving the JSON text of one field value (addresses quoted; no escaping needed). */
function jsonValue(decl: LayerDecl, name: string): string {
  const kind = fieldOffsets(decl).get(name)?.field.kind;
  const e = fieldExpr(decl, name);
  return kind === 'mac' || kind === 'ipv4' || kind === 'ipv6' ? `'"' + ${e} + '"'` : `${e}`;
}

function jsonLiteral(decl: LayerDecl): string {
  if (decl.name === 'pw')
    return `k === 1 ? '{"name":"pw","cw":true,"seq":' + ${fieldExpr(decl, 'seq')} + '}' : '{"name":"pw","cw":false}'`;
  const props = decl.out.map((n, i) => `'${i === 0 ? '' : ','}"${n}":' + ${jsonValue(decl, n)}`);
  return `'{"name":"${decl.name}",' + ${props.join(' + ')} + '}'`;
}

/**
 * The JSON text of a header layer, exactly as JSON.stringify(materialize(...)) would write it,
 * without building the object: `fabric inspect --json` writes millions of these.
 */
export const layerJson: JsonWriter = (() => {
  const cases = Object.values(LAYERS).map((d) => `    case ${LAYER_ID[d.name]}: return ${jsonLiteral(d)};`);
  const src = `"use strict"; return function layerJson(id, b, o, k) {\n  switch (id) {\n${cases.join('\n')}\n    default: return 'null';\n  }\n};`;
  return new Function('M', 'I4', 'I6', src)(formatMac, formatIpv4, formatIpv6) as JsonWriter;
})();

/** State the walker fills (the Dissector implements it). */
export interface WalkState {
  kinds: Uint8Array;
  offs: Int32Array;
  keys: Int32Array;
  /** decode-as: default decision code (0 = heuristic) and per-label codes. */
  daDefault: number;
  daLabels: Map<number, number> | null;
  /** decode-as label ranges: (from, to, code) triples, searched last to first; null when none. */
  daRanges: Int32Array | null;
  /** decode-as UDP ports (source or destination) → layer id; null when none. */
  daPorts: Map<number, number> | null;
  /** Layer id the walk starts with (eth, or what the capture's link type starts with). */
  first: number;
  reason: number;
  count: number;
  /**
   * The first layer whose length field claims more bytes than the frame has left (IPv4 total
   * length, IPv6 payload length, UDP length): its index + 1, 0 when none; with the length it
   * claims and the bytes that were left. Meaningful to report only for frames not cut by snaplen.
   */
  over: number;
  overLen: number;
  overAvail: number;
}
export type Walker = (b: Uint8Array, start: number, end: number, st: WalkState) => number;

function walkCase(decl: LayerDecl): string {
  const id = LAYER_ID[decl.name];
  const L: string[] = [];
  const stop = (reason: RawReason | 'end') => `{ reason = ${R[reason]}; break loop; }`;
  L.push(`case ${id}: { // ${decl.name}`);
  L.push(`  if (o + ${decl.size} > end) ${stop('truncated')}`);
  for (const f of decl.fields) {
    if (f.expect !== undefined) L.push(`  if (${fieldExpr(decl, f.name)} !== ${f.expect}) ${stop('malformed')}`);
  }
  if (decl.hdrWords) {
    L.push(`  const h = ${fieldExpr(decl, decl.hdrWords)} * 4;`);
    L.push(`  if (h < ${decl.size}) ${stop('malformed')}`);
    L.push(`  if (o + h > end) ${stop('truncated')}`);
  } else {
    L.push(`  const h = ${decl.size};`);
  }
  if (decl.bound) {
    L.push(`  const bl = ${fieldExpr(decl, decl.bound.field)}${decl.bound.add ? ` + ${decl.bound.add}` : ''};`);
    L.push(`  if (bl < h) ${stop('malformed')}`);
    L.push(`  if (o + bl < end) end = o + bl;`);
    L.push(`  else if (o + bl > end && over === 0) { over = n + 1; overLen = bl; overAvail = end - o; }`);
  }
  if (decl.next)
    L.push(
      `  const k = ${decl.name === 'mpls' ? `${fieldExpr(decl, decl.next)} ? 1 : 0` : fieldExpr(decl, decl.next)};`,
    );
  // UDP: decode-as ports (tshark's udp.port==N,vxlan) match either port, looked up when unbound.
  const udp = decl.name === 'udp';
  if (udp) L.push(`  const sp = ${fieldExpr(decl, 'sport')};`);
  L.push(`  kinds[n] = ${id}; offs[n] = o; keys[n] = ${decl.key ? fieldExpr(decl, decl.key) : 0}; n++;`);
  if (decl.payloadIfNonZero)
    L.push(`  if (${fieldExpr(decl, decl.payloadIfNonZero)} !== 0) { o += h; ${stop('payload')} }`);
  L.push(`  o += h;`);
  const rules = BIND.filter((r) => r.lower === decl.name);
  const keyed = rules.filter((r) => r.field !== undefined);
  if (decl.next && keyed.length > 0) {
    const seen = new Set<number>();
    L.push(`  switch (k) {`);
    for (const r of keyed) {
      if (seen.has(r.value!)) continue; // first rule for a value wins
      seen.add(r.value!);
      L.push(`    case ${r.value}: id = ${LAYER_ID[r.upper]}; continue loop;`);
    }
    if (udp)
      L.push(
        `    default: if (daPorts !== null) { let u = daPorts.get(k); if (u === undefined) u = daPorts.get(sp); if (u !== undefined) { id = u; continue loop; } } ${stop(decl.unbound)}`,
      );
    else L.push(`    default: ${stop(decl.unbound)}`);
    L.push(`  }`);
  } else if (rules.length > 0) {
    L.push(`  id = ${LAYER_ID[rules[0]!.upper]}; continue loop;`);
  } else {
    L.push(`  ${stop(decl.unbound)}`);
  }
  L.push(`}`);
  return L.join('\n');
}

/** The pseudowire is the one layer chosen by a heuristic (or decode-as), not by a field. */
function pwCase(): string {
  const id = LAYER_ID.pw;
  return `case ${id}: { // pw: what follows the bottom label
  const label = keys[n - 1];
  let d = 0;
  if (daLabels !== null) { const v = daLabels.get(label); if (v !== undefined) d = v; }
  if (d === 0 && daRanges !== null) {
    for (let r = daRanges.length - 3; r >= 0; r -= 3) if (label >= daRanges[r] && label <= daRanges[r + 1]) { d = daRanges[r + 2]; break; }
  }
  if (d === 0) d = daDefault;
  if (d === 0) d = decidePw(b, o, end, frameLen);
  switch (d) {
    case ${PW_ETH_CW}:
      if (o + 4 > end) { reason = ${R.truncated}; break loop; }
      kinds[n] = ${id}; offs[n] = o; keys[n] = 1; n++; o += 4; id = ${LAYER_ID.eth}; continue loop;
    case ${PW_ETH_NOCW}:
      kinds[n] = ${id}; offs[n] = o; keys[n] = 0; n++; id = ${LAYER_ID.eth}; continue loop;
    case ${PW_IPV4}: id = ${LAYER_ID.ipv4}; continue loop;
    case ${PW_IPV6}: id = ${LAYER_ID.ipv6}; continue loop;
    case ${PW_RAW}: reason = ${R.payload}; break loop;
    case ${PW_EMPTY}: reason = ${R.truncated}; break loop;
    default: reason = ${R['pw-undecided']}; break loop;
  }
}`;
}

export function walkerSource(): string {
  const cases = Object.values(LAYERS).map((d) => (d.name === 'pw' ? pwCase() : walkCase(d)));
  return `"use strict";
return function walk(b, start, end, st) {
  const kinds = st.kinds, offs = st.offs, keys = st.keys;
  const daLabels = st.daLabels, daDefault = st.daDefault, daRanges = st.daRanges, daPorts = st.daPorts;
  const max = kinds.length - 1; // keep one slot for the final raw layer
  if (end > b.length) end = b.length;
  if (start < 0) start = 0;
  const frameLen = end - start;
  let o = start, n = 0, id = st.first, reason = 0, over = 0, overLen = 0, overAvail = 0;
  loop: for (;;) {
    if (n >= max) { reason = ${R.malformed}; break; }
    switch (id) {
${cases.join('\n')}
      default: reason = ${R.malformed}; break loop;
    }
  }
  if (reason !== 0) {
    const len = end > o ? end - o : 0;
    if (reason !== ${R.payload} || len > 0) { kinds[n] = ${LAYER_ID.raw}; offs[n] = o; keys[n] = len; n++; }
  }
  st.reason = reason;
  st.count = n;
  st.over = over;
  st.overLen = overLen;
  st.overAvail = overAvail;
  return n;
};`;
}

export const walk: Walker = new Function('decidePw', walkerSource())(decidePw) as Walker;
