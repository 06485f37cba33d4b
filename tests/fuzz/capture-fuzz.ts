// Fuzz target for the capture readers and the decoder behind them: random classic pcap (us/ns,
// both byte orders) and pcapng files (sections, interfaces with names, comments, if_tsresol),
// over every link type the decoder knows and a few it does not, with record fields pushed out of
// range (time fractions, captured vs original length, IP lengths), then byte-mutated and cut.
// Each case is walked in memory and every record decoded; the invariants below must hold:
// - only a FabricError may be thrown (a file that cannot be read at all), never anything else;
// - every timestamp is in range (fraction < 10^digits) and its text is a plain decimal;
// - a record never points outside the bytes it came from, nor beyond MAX_CAPLEN;
// - strings from the capture come out of escapeControl with no control character;
// - the dissector ends every walk with a well-formed stack.
// `make fuzz` runs 1M cases; the unit tests run a short fixed-seed sample.
import { build, Dissector, firstLayer, LAYER_ID, MAX_LAYERS, type LayerSpec } from '../../src/decode/index.js';
import { isFabricError } from '../../src/errors/fabric-error.js';
import {
  encodePcap,
  encodePcapng,
  escapeControl,
  formatTs,
  MAX_CAPLEN,
  type WritePacket,
} from '../../src/pcap/index.js';
import { CaptureWalker } from '../../src/pcap/walker.js';
import { WarningSink } from '../../src/pcap/warnings.js';
import type { RawRecord } from '../../src/pcap/types.js';

/** mulberry32. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LINKTYPES = [1, 1, 1, 113, 276, 101, 228, 229, 12, 14, 105, 0];
const NAMES = ['dc1-sw:p2', 'eth0', 'a\u001b[2J\r\nb', '\u202eevil', 'x\u0000y', '', 'tab\there\u0085'];
const INNER: LayerSpec[][] = [
  [{ name: 'ipv4' }, { name: 'udp' }, { name: 'raw', len: 6 }],
  [{ name: 'ipv4', len: 1400 }, { name: 'icmp' }],
  [{ name: 'ipv6' }, { name: 'tcp' }],
  [{ name: 'ipv6', plen: 3000 }, { name: 'udp', dport: 4789 }, { name: 'vxlan', vni: 9 }, { name: 'eth' }],
  [{ name: 'vlan', vid: 5 }, { name: 'mpls', label: 1001 }, { name: 'pw', cw: true }, { name: 'eth' }, { name: 'arp' }],
  [{ name: 'arp' }],
];

function frameFor(linktype: number, int: (n: number) => number): Uint8Array {
  const inner = INNER[int(INNER.length)]!;
  const ip = inner.filter((l) => l.name !== 'vlan' && l.name !== 'mpls' && l.name !== 'pw' && l.name !== 'arp');
  switch (linktype) {
    case 1:
      return build([{ name: 'eth' }, ...inner]);
    case 113:
      return build([{ name: 'sll', pkttype: int(5) }, ...inner]);
    case 276:
      return build([{ name: 'sll2', pkttype: int(5), ifindex: int(100) }, ...inner]);
    case 101:
    case 12:
    case 14:
    case 228:
    case 229:
      return ip.length && (ip[0]!.name === 'ipv4' || ip[0]!.name === 'ipv6') ? build(ip) : build(INNER[0]!);
    default: {
      const b = new Uint8Array(int(80));
      for (let i = 0; i < b.length; i++) b[i] = int(256);
      return b;
    }
  }
}

// Frames are built once per link type (build is the slow part); files combine and mutate them.
const POOL = new Map<number, Uint8Array[]>();
function pooled(linktype: number, int: (n: number) => number): Uint8Array {
  let pool = POOL.get(linktype);
  if (!pool) {
    const r = prng(linktype + 1);
    const i2 = (n: number) => Math.floor(r() * n);
    pool = Array.from({ length: 48 }, () => frameFor(linktype, i2));
    POOL.set(linktype, pool);
  }
  return pool[int(pool.length)]!;
}

/** One random capture file (before mutation). */
function makeFile(rnd: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rnd() * n);
  const linktype = LINKTYPES[int(LINKTYPES.length)]!;
  const packets: WritePacket[] = [];
  const count = 1 + int(4);
  for (let i = 0; i < count; i++) {
    const data = pooled(linktype, int);
    const p: WritePacket = { data, tsNs: BigInt(int(2 ** 31)) * 1_000_000_000n + BigInt(int(1e9)) };
    if (int(4) === 0) p.len = data.length + int(200) - 100; // cut, or caplen above len
    if (p.len !== undefined && p.len < 0) p.len = 0;
    if (int(3) === 0) p.comment = NAMES[int(NAMES.length)]!;
    packets.push(p);
  }
  if (int(2) === 0) {
    const precision = int(2) === 0 ? 'us' : 'ns';
    const bytes = encodePcap(packets, { linktype, precision, bigEndian: int(4) === 0, snaplen: 65535 });
    // Push some time fractions out of range (what tshark flags as an invalid fractional second).
    const dv = new DataView(bytes.buffer);
    if (int(3) === 0 && bytes.length >= 40) dv.setUint32(28, int(2 ** 32), int(4) !== 0);
    return bytes;
  }
  const interfaces = Array.from({ length: 1 + int(3) }, () => ({
    name: int(2) === 0 ? NAMES[int(NAMES.length)]! : undefined,
    linktype: int(3) === 0 ? LINKTYPES[int(LINKTYPES.length)]! : linktype,
    precision: (int(2) === 0 ? 'us' : 'ns') as 'us' | 'ns',
    snaplen: int(3) === 0 ? 64 + int(200) : undefined,
  }));
  for (const p of packets) p.ifIndex = int(interfaces.length);
  const ng = encodePcapng(packets, {
    interfaces,
    sectionComment: int(2) === 0 ? NAMES[int(NAMES.length)] : undefined,
    bigEndian: int(4) === 0,
  });
  return ng;
}

function mutate(b: Uint8Array, rnd: () => number): Uint8Array {
  const int = (n: number) => Math.floor(rnd() * n);
  const mode = int(4);
  if (mode === 0) return b;
  const out = b.slice(0, mode === 1 ? int(b.length + 1) : b.length);
  const edits = 1 + int(4);
  for (let e = 0; e < edits && out.length > 0; e++) {
    // Half the edits land in the first 160 bytes: file, section and interface headers and options.
    const at = int(2) === 0 ? int(Math.min(160, out.length)) : int(out.length);
    out[at] = mode === 2 ? out[at]! ^ (1 << int(8)) : int(256);
  }
  return out;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const TS_TEXT = /^\d+(\.\d{1,9})?$/;

export interface FuzzStats {
  cases: number;
  records: number;
  refused: number;
  warnings: number;
}

function checkRecord(r: RawRecord, total: number, d: Dissector): void {
  const fail = (why: string) => {
    throw new Error(`record ${r.n}: ${why}`);
  };
  if (r.caplen > MAX_CAPLEN || r.off < 0 || r.off + r.caplen > Math.min(total, r.buf.length))
    fail('bytes out of bounds');
  if (r.fracDigits < 0 || r.fracDigits > 9) fail(`fracDigits ${r.fracDigits}`);
  if (!(r.frac >= 0 && r.frac < 10 ** r.fracDigits) && r.fracDigits > 0) fail(`fraction ${r.frac} out of range`);
  if (r.fracDigits === 0 && r.frac !== 0) fail('fraction without digits');
  if (!Number.isInteger(r.sec) || r.sec < 0) fail(`seconds ${r.sec}`);
  const ts = formatTs(r.sec, r.frac, r.fracDigits);
  if (!TS_TEXT.test(ts)) fail(`timestamp text ${ts}`);
  for (const s of [r.ifName, r.comment])
    if (s !== undefined && CONTROL.test(escapeControl(s))) fail('control character');
  const first = firstLayer(r.linktype, r.buf, r.off);
  if (first === 0) return;
  const n = d.walk(r.buf, r.off, r.off + r.caplen, first);
  if (n < 0 || n > MAX_LAYERS) fail(`layer count ${n}`);
  for (let i = 0; i < n; i++) {
    if (d.kinds[i] === LAYER_ID.raw && i !== n - 1) fail('raw layer not last');
    if (d.offs[i]! < r.off - 2 || d.offs[i]! > r.off + r.caplen) fail('layer offset out of the frame');
  }
  if (d.over !== 0 && (d.over > n || d.overLen <= d.overAvail)) fail('length overrun misreported');
  if (d.count > 0) d.layers(); // materialising must not throw either
}

/** Runs `cases` fuzz cases from `seed`; throws on the first broken invariant (with the case's hex). */
export function fuzzCaptures(seed: number, cases: number): FuzzStats {
  const rnd = prng(seed);
  const d = new Dissector({
    decodeAs: { ranges: [{ from: 1000, to: 1010, kind: 'pw-eth-nocw' }], vxlanPorts: [8472] },
  });
  const stats: FuzzStats = { cases: 0, records: 0, refused: 0, warnings: 0 };
  for (let c = 0; c < cases; c++) {
    const file = mutate(makeFile(rnd), rnd);
    const sink = new WarningSink('fuzz');
    let current: RawRecord | undefined;
    const walker = new CaptureWalker(
      'fuzz',
      (r) => {
        current = r;
        checkRecord(r, file.length, d);
        stats.records++;
      },
      sink,
    );
    try {
      const used = walker.push(file, 0, file.length);
      walker.finish(file.length - used);
    } catch (err) {
      if (isFabricError(err) && current === undefined) {
        stats.refused++;
      } else {
        const hex = Buffer.from(file).toString('hex');
        throw new Error(`fuzz case ${c} (seed ${seed}): ${String(err)}\n${hex}`);
      }
    }
    for (const w of sink.list) if (CONTROL.test(w.message)) throw new Error(`fuzz case ${c}: warning not escaped`);
    stats.warnings += sink.list.length;
    stats.cases++;
  }
  return stats;
}
