// Dissect: the compiled walker records (layer id, offset, key) per layer into preallocated typed
// arrays; layer objects are materialised only when asked for. `dissect()` is the convenient
// path; a reused `Dissector` plus `walk()`/`keys`/`signature()` is the zero-allocation fast path.
import {
  LAYER_ID,
  LAYER_NAME,
  layerJson as layerJsonImport,
  materialize as materializeImport,
  REASON,
  walk as walkImport,
  type WalkState,
} from './compile.js';
import {
  JSON_BYTES_MAX,
  layerJsonBytes as layerJsonBytesImport,
  readFields as readFieldsImport,
} from './compile-bytes.js';
import { asciiBytes, putBytes, putUint } from './put.js';
import { PW_ETH_CW, PW_ETH_NOCW, PW_IPV4, PW_IPV6, PW_RAW } from './pw-heuristic.js';
import type { DecodeAs, DissectOptions, Layer, LayerName, PwPayloadKind, RawReason } from './types.js';

/** Most layers one frame may have (the last slot is kept for the final raw). Deeper → raw `malformed`. */
export const MAX_LAYERS = 256;

const KIND_CODE: Record<PwPayloadKind, number> = {
  'pw-eth-cw': PW_ETH_CW,
  'pw-eth-nocw': PW_ETH_NOCW,
  ipv4: PW_IPV4,
  ipv6: PW_IPV6,
  raw: PW_RAW,
};

const EMPTY = new Uint8Array(0);
// shapeCode tokens, one base-32 digit per layer (never 0, so the digits spell the stack): a
// layer id, or for a tag one of the three usual TPIDs, a pseudowire with control word, or a raw
// layer with its reason code.
const T_VLAN_8100 = 1 + Math.max(...Object.values(LAYER_ID));
const T_VLAN_88A8 = T_VLAN_8100 + 1;
const T_VLAN_9100 = T_VLAN_8100 + 2;
const T_PW_CW = T_VLAN_8100 + 3;
const T_RAW = T_VLAN_8100 + 4;
if (T_RAW + REASON.length > 32) throw new Error('decoder: shapeCode tokens no longer fit 5 bits');
/** Most layers a shapeCode holds (5 bits each, within 2^53). */
export const SHAPE_CODE_LAYERS = 10;
const SIG_SLOTS = 1024;
const SIG_MAX_TOKENS = 24; // longer stacks are rare; their signature is rebuilt each time

// Module-local copies of hot imports: under tsx (esbuild) an imported binding can be a getter
// call on every access, which showed up as the top entry of a dissect() profile.
const walk = walkImport;
const materialize = materializeImport;
const layerJson = layerJsonImport;
const layerJsonBytes = layerJsonBytesImport;
const readFields = readFieldsImport;
const RAW_JSON_HEAD = asciiBytes('{"name":"raw","len":');
/** `,"reason":"<reason>"}` per reason code (a walk without a reason code ends as `malformed`). */
const RAW_JSON_TAIL = REASON.map((r) => asciiBytes(`,"reason":"${r ?? 'malformed'}"}`));
const ID_RAW: number = LAYER_ID.raw;
const ID_VLAN: number = LAYER_ID.vlan;
const ID_PW: number = LAYER_ID.pw;
const ID_ETH: number = LAYER_ID.eth;
const ID_VXLAN: number = LAYER_ID.vxlan;

/**
 * A reusable dissector. `walk(frame)` fills, for layer i < count:
 * - `kinds[i]`: layer id (LAYER_ID; name via `name(i)`),
 * - `offs[i]`: byte offset of the layer in the frame buffer,
 * - `keys[i]`: one field per layer: eth.type, vlan.vid, mpls.label, pw cw (1/0), vxlan.vni,
 *   ipv4.proto, ipv6.next, arp.op, icmp.type, udp.dport, tcp.dport, raw length.
 * Nothing is allocated per frame until `layer(i)`, `layers()` or a new `signature()` shape.
 */
export class Dissector implements WalkState {
  readonly kinds = new Uint8Array(MAX_LAYERS);
  readonly offs = new Int32Array(MAX_LAYERS);
  readonly keys = new Int32Array(MAX_LAYERS);
  daDefault = 0;
  daLabels: Map<number, number> | null = null;
  daRanges: Int32Array | null = null;
  daPorts: Map<number, number> | null = null;
  first: number = ID_ETH;
  /** Raw reason code of the last walk (REASON[reason]); 0 = no raw layer. */
  reason = 0;
  count = 0;
  /** Length overrun of the last walk (see WalkState.over): layer index + 1, 0 = none. */
  over = 0;
  overLen = 0;
  overAvail = 0;
  private readonly keepPayload: boolean;
  private frame: Uint8Array = EMPTY;
  private readonly sigScratch = new Int32Array(MAX_LAYERS);
  private readonly sigCodes = new Int32Array(SIG_SLOTS * SIG_MAX_TOKENS);
  private readonly sigLen = new Uint8Array(SIG_SLOTS);
  private readonly sigStr: (string | undefined)[] = new Array<string | undefined>(SIG_SLOTS).fill(undefined);

  constructor(opts: DissectOptions = {}) {
    this.keepPayload = opts.keepPayload === true;
    this.setDecodeAs(opts.decodeAs);
  }

  setDecodeAs(da: DecodeAs | undefined): void {
    this.daDefault = da?.default ? KIND_CODE[da.default] : 0;
    const entries = Object.entries(da?.labels ?? {});
    this.daLabels = entries.length ? new Map(entries.map(([l, k]) => [Number(l), KIND_CODE[k]])) : null;
    const ranges = da?.ranges ?? [];
    this.daRanges = ranges.length ? Int32Array.from(ranges.flatMap((r) => [r.from, r.to, KIND_CODE[r.kind]])) : null;
    const ports = da?.vxlanPorts ?? [];
    this.daPorts = ports.length ? new Map(ports.map((p) => [p, ID_VXLAN])) : null;
  }

  /**
   * Walks one frame: bytes [start, end) of `frame`, starting with layer `first` (LAYER_ID; Ethernet
   * by default, see firstLayer for capture link types). Never throws on any content. Returns the layer count.
   */
  walk(frame: Uint8Array, start = 0, end = frame.length, first: number = ID_ETH): number {
    this.frame = frame;
    this.first = first;
    return walk(frame, start, end, this);
  }

  name(i: number): LayerName {
    return LAYER_NAME[this.kinds[i]!]!;
  }

  /** Raw reason of the last walk, if it ended with a raw layer. */
  rawReason(): RawReason | undefined {
    return REASON[this.reason];
  }

  /** Materialises layer i of the last walk. */
  layer(i: number): Layer {
    const id = this.kinds[i]!;
    const o = this.offs[i]!;
    if (id === ID_RAW) {
      const len = this.keys[i]!;
      const raw: Layer = { name: 'raw', len, reason: REASON[this.reason] ?? 'malformed' };
      if (this.keepPayload) raw.data = this.frame.slice(o, o + len);
      return raw;
    }
    return materialize(id, this.frame, o, this.keys[i]!)!;
  }

  /** All layers of the last walk. */
  layers(): Layer[] {
    const n = this.count;
    const out: Layer[] = [];
    const b = this.frame,
      kinds = this.kinds,
      offs = this.offs,
      keys = this.keys;
    for (let i = 0; i < n; i++) {
      const id = kinds[i]!;
      out.push(id === ID_RAW ? this.layer(i) : materialize(id, b, offs[i]!, keys[i]!)!);
    }
    return out;
  }

  /**
   * The layers of the last walk as JSON text, exactly JSON.stringify(layers()) (without payload
   * bytes), written straight from the frame: no layer object is built.
   */
  json(): string {
    const n = this.count;
    const b = this.frame,
      kinds = this.kinds,
      offs = this.offs,
      keys = this.keys;
    let s = '[';
    for (let i = 0; i < n; i++) {
      const id = kinds[i]!;
      if (i > 0) s += ',';
      s +=
        id === ID_RAW
          ? `{"name":"raw","len":${keys[i]},"reason":"${REASON[this.reason] ?? 'malformed'}"}`
          : layerJson(id, b, offs[i]!, keys[i]!);
    }
    return s + ']';
  }

  /**
   * The same JSON text as json(), written as bytes into `u` at `p`; returns the next offset. The
   * caller makes room for jsonBytesMax() bytes.
   */
  jsonInto(u: Uint8Array, p: number): number {
    const n = this.count;
    const b = this.frame,
      kinds = this.kinds,
      offs = this.offs,
      keys = this.keys;
    u[p++] = 91;
    for (let i = 0; i < n; i++) {
      const id = kinds[i]!;
      if (i > 0) u[p++] = 44;
      if (id === ID_RAW) {
        p = putBytes(u, p, RAW_JSON_HEAD);
        p = putUint(u, p, keys[i]!);
        p = putBytes(u, p, RAW_JSON_TAIL[this.reason]!);
      } else p = layerJsonBytes(id, b, offs[i]!, keys[i]!, u, p);
    }
    u[p++] = 93;
    return p;
  }

  /** Most bytes jsonInto can write for the last walk. */
  jsonBytesMax(): number {
    return 2 + this.count * (JSON_BYTES_MAX + 1);
  }

  /**
   * The output fields of header layer i of the last walk into `v` (see readFields: numbers,
   * booleans as 0/1, addresses as their offset in bytes()).
   */
  fields(i: number, v: Float64Array): void {
    readFields(this.kinds[i]!, this.frame, this.offs[i]!, this.keys[i]!, v);
  }

  /** The buffer the last walk read (the addresses of fields() point into it). */
  bytes(): Uint8Array {
    return this.frame;
  }

  /**
   * The stack shape of the last walk, e.g. `eth/vlan(88a8)/vlan(8100)/mpls/pw/eth/ipv4/icmp/raw(payload)`:
   * layer names, vlan with its TPID, `pw+cw` with a control word, raw with its reason. Cached per
   * shape, so repeated shapes allocate nothing.
   */
  signature(): string {
    const n = this.count;
    const codes = this.sigScratch;
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) {
      const c = this.tokenCode(i);
      codes[i] = c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    // Direct-mapped memo: one slot per hash, exact comparison of the token codes.
    const slot = (h >>> 22) & (SIG_SLOTS - 1);
    const cached = n <= SIG_MAX_TOKENS ? this.sigStr[slot] : undefined;
    if (cached !== undefined && this.sigLen[slot] === n) {
      const base = slot * SIG_MAX_TOKENS;
      let i = 0;
      while (i < n && this.sigCodes[base + i] === codes[i]) i++;
      if (i === n) return cached;
    }
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(this.token(i));
    const sig = parts.join('/');
    if (n <= SIG_MAX_TOKENS) {
      this.sigCodes.set(codes.subarray(0, n), slot * SIG_MAX_TOKENS);
      this.sigLen[slot] = n;
      this.sigStr[slot] = sig;
    }
    return sig;
  }

  /**
   * A number standing for the stack shape of the last walk: two walks have the same code exactly
   * when they have the same signature() (0 for no layer at all). -1 when the shape does not fit a code
   * (more than SHAPE_CODE_LAYERS layers, or a tag with another TPID): use signature() then.
   * Cheaper than signature() for counting shapes (no string, no memo lookup).
   */
  shapeCode(): number {
    const n = this.count;
    if (n > SHAPE_CODE_LAYERS) return -1;
    const kinds = this.kinds;
    let code = 0;
    for (let i = 0; i < n; i++) {
      let t: number = kinds[i]!;
      if (t === ID_VLAN) {
        const o = this.offs[i]!;
        const tpid = (this.frame[o - 2]! << 8) | this.frame[o - 1]!;
        if (tpid === 0x8100) t = T_VLAN_8100;
        else if (tpid === 0x88a8) t = T_VLAN_88A8;
        else if (tpid === 0x9100) t = T_VLAN_9100;
        else return -1;
      } else if (t === ID_PW) {
        if (this.keys[i] !== 0) t = T_PW_CW;
      } else if (t === ID_RAW) t = T_RAW + this.reason;
      code = code * 32 + t;
    }
    return code;
  }

  private tokenCode(i: number): number {
    const id = this.kinds[i]!;
    if (id === ID_VLAN) {
      const o = this.offs[i]!;
      return (id << 20) | (this.frame[o - 2]! << 8) | this.frame[o - 1]!;
    }
    if (id === ID_PW) return (id << 20) | this.keys[i]!;
    if (id === ID_RAW) return (id << 20) | this.reason;
    return id << 20;
  }

  private token(i: number): string {
    const id = this.kinds[i]!;
    const name = LAYER_NAME[id]!;
    if (id === ID_VLAN) return `vlan(${(this.tokenCode(i) & 0xffff).toString(16).padStart(4, '0')})`;
    if (id === ID_PW) return this.keys[i] ? 'pw+cw' : 'pw';
    if (id === ID_RAW) return `raw(${REASON[this.reason] ?? 'malformed'})`;
    return name;
  }
}

const plain = new Dissector();
const keeping = new Dissector({ keepPayload: true });
// Keyed by the DecodeAs object, so callers passing a fresh options literal each call still reuse one.
const byDecodeAs = [new WeakMap<DecodeAs, Dissector>(), new WeakMap<DecodeAs, Dissector>()] as const;

function dissectorFor(opts: DissectOptions | undefined): Dissector {
  const keep = opts?.keepPayload === true;
  const da = opts?.decodeAs;
  if (!da) return keep ? keeping : plain;
  const cache = byDecodeAs[keep ? 1 : 0];
  let d = cache.get(da);
  if (!d) {
    d = new Dissector({ decodeAs: da, keepPayload: keep });
    cache.set(da, d);
  }
  return d;
}

/**
 * Dissects one Ethernet frame into layers, outer to inner. Never throws: a truncated, unknown or
 * malformed remainder becomes a final `raw` layer with a reason; application payload after
 * UDP/TCP/ICMP is `raw` with reason `payload` (bytes in `data` with `keepPayload`).
 * A compiled Dissector is cached per `decodeAs` object: treat a DecodeAs as immutable once used.
 */
export function dissect(frame: Uint8Array, opts?: DissectOptions): Layer[] {
  const d = dissectorFor(opts);
  d.walk(frame);
  return d.layers();
}

/** The stack shape of one frame (see Dissector.signature); allocates nothing for a known shape. */
export function stackSignature(frame: Uint8Array, opts?: DissectOptions): string {
  const d = dissectorFor(opts);
  d.walk(frame);
  return d.signature();
}
