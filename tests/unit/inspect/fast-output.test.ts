// The inspect printers write bytes straight from the dissector (text-bytes.ts, print.ts,
// Dissector.jsonInto, ShapeStats.addWalk). Each must give exactly what the string printers
// give from layer objects (layersText, JSON.stringify, frameJsonWith, relTime, signature()), on
// many random and byte-mutated frames from every first layer, with varied record metadata.
import { expect } from 'chai';
import fc from 'fast-check';
import { Writable } from 'node:stream';
import {
  build,
  Dissector,
  formatIpv4,
  formatMac,
  LAYER_ID,
  parseDecodeAs,
  putHex4,
  putIpv4,
  putMac,
  putPadded,
  putUint,
  type LayerSpec,
} from '../../../src/decode/index.js';
import { escapeControl, formatTs, type RawRecord } from '../../../src/pcap/index.js';
import { frameJsonWith } from '../../../src/inspect/format-json.js';
import { layersText, relTime } from '../../../src/inspect/format-text.js';
import { LineOutput } from '../../../src/inspect/output.js';
import { FileState, printRecord } from '../../../src/inspect/print.js';
import { ShapeStats } from '../../../src/inspect/stats.js';
import { layersTextInto } from '../../../src/inspect/text-bytes.js';
import type { InspectFrame } from '../../../src/inspect/types.js';
import { prng } from '../decode/helpers.js';
import { stackArb } from './stacks.js';

const FIRSTS = [LAYER_ID.eth, LAYER_ID.sll, LAYER_ID.sll2, LAYER_ID.ipv4, LAYER_ID.ipv6];

/** Stacks with the fields the text treats specially (tags with pcp/dei, tc, cw seq, odd TPIDs, cooked headers). */
const SPECIAL: LayerSpec[][] = [
  [
    { name: 'eth', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
    { name: 'vlan', tpid: 0x9100, vid: 7, pcp: 5, dei: 1 },
    { name: 'vlan', tpid: 0x88a8, vid: 4095, pcp: 7 },
    { name: 'mpls', label: 0xfffff, tc: 3, ttl: 1 },
    { name: 'pw', cw: true, seq: 65535 },
    { name: 'eth', src: '6e:00:00:00:00:0a', dst: 'ff:ff:ff:ff:ff:ff' },
    { name: 'arp', op: 2, sha: '6e:00:00:00:00:0a', spa: '10.0.0.1', tpa: '10.0.0.2' },
  ],
  [
    { name: 'eth', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
    { name: 'arp', op: 7, sha: '02:00:00:00:00:01', spa: '255.255.255.255', tpa: '0.0.0.0' },
  ],
  [{ name: 'eth', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x1234 }],
  [
    { name: 'sll', pkttype: 4, addr: '02:00:00:00:00:09' },
    { name: 'ipv6', src: 'fd00::1', dst: 'ff02::1' },
    { name: 'icmp', type: 135, code: 0 },
  ],
  [
    { name: 'sll2', pkttype: 9, ifindex: 4294967295, addr: '02:00:00:00:00:09' },
    { name: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2' },
    { name: 'icmp', type: 200, code: 9 },
  ],
  [
    { name: 'eth', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
    { name: 'ipv4', src: '1.2.3.4', dst: '100.20.3.0' },
    { name: 'tcp', sport: 1, dport: 65535, flags: 0xf00 },
  ],
];

/** Random stacks, the special ones, and byte mutations of both. */
function frames(count: number): Uint8Array[] {
  const stacks = fc.sample(stackArb, { numRuns: 300, seed: 20261205 }).map((s) => s.layers);
  const bases = [...stacks, ...SPECIAL].map((s) => build(s));
  const rnd = prng(0x2026);
  const out: Uint8Array[] = [];
  for (let i = 0; out.length < count; i++) {
    const f = bases[i % bases.length]!.slice();
    for (let e = 0; e < Math.floor(i / bases.length) % 4; e++)
      f[Math.floor(rnd() * f.length)] = Math.floor(rnd() * 256);
    out.push(i % 7 === 6 ? f.subarray(0, Math.floor(rnd() * f.length)) : f);
  }
  return out;
}

const DISSECTORS = [
  new Dissector(),
  new Dissector({ decodeAs: parseDecodeAs(['pw-eth-cw', 'udp.port==9,vxlan', '1000-2000=pw-eth-nocw']) }),
];

describe('inspect: byte printers equal the string printers', () => {
  it('layersTextInto and Dissector.jsonInto on 12,000 random and mutated frames from every first layer', () => {
    const u = Buffer.alloc(1 << 16);
    let checked = 0;
    frames(12_000).forEach((f, i) => {
      const d = DISSECTORS[i & 1]!;
      d.walk(f, 0, f.length, FIRSTS[i % FIRSTS.length]!);
      const layers = d.layers();
      const text = u.toString('latin1', 0, layersTextInto(d, u, 0));
      if (text !== layersText(layers)) expect(text, Buffer.from(f).toString('hex')).to.equal(layersText(layers));
      const json = u.toString('latin1', 0, d.jsonInto(u, 0));
      if (json !== JSON.stringify(layers))
        expect(json, Buffer.from(f).toString('hex')).to.equal(JSON.stringify(layers));
      checked++;
    });
    expect(checked).to.equal(12_000);
  });

  it('shapeCode: equal codes exactly for equal signatures, and ShapeStats counts as by signature', () => {
    const byCode = new Map<number, string>();
    const bySig = new Map<string, number>();
    const fast = new ShapeStats();
    const slow = new ShapeStats();
    frames(6_000).forEach((f, i) => {
      const d = DISSECTORS[i & 1]!;
      d.walk(f, 0, f.length, FIRSTS[i % FIRSTS.length]!);
      const sig = d.signature();
      const code = d.shapeCode();
      fast.addWalk(d);
      slow.add(sig);
      if (code < 0) return;
      expect(byCode.get(code) ?? sig).to.equal(sig);
      expect(bySig.get(sig) ?? code).to.equal(code);
      byCode.set(code, sig);
      bySig.set(sig, code);
    });
    expect(byCode.size).to.be.greaterThan(300); // enough shapes to make the table grow
    expect(fast.text()).to.equal(slow.text());
    expect(fast.json()).to.equal(slow.json());
  });

  it('number and address writers equal String, padStart, toString(16), formatMac, formatIpv4', () => {
    const u = new Uint8Array(64);
    const s = (end: number) => Buffer.from(u.subarray(0, end)).toString('latin1');
    const rnd = prng(7);
    const values = [0, 1, 9, 10, 99, 100, 999, 1000, 65535, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 53 - 1];
    for (let i = 0; i < 2000; i++) values.push(Math.floor(rnd() * 10 ** (1 + (i % 16))));
    for (const v of values) {
      expect(s(putUint(u, 0, v))).to.equal(String(v));
      expect(s(putUint(u, 0, -v))).to.equal(String(-v));
      for (const w of [0, 3, 6, 9]) expect(s(putPadded(u, 0, v, w))).to.equal(String(v).padStart(w, '0'));
      if (v < 2 ** 32) expect(s(putHex4(u, 0, v))).to.equal('0x' + v.toString(16).padStart(4, '0'));
    }
    const b = new Uint8Array(6);
    for (let i = 0; i < 2000; i++) {
      for (let j = 0; j < 6; j++) b[j] = Math.floor(rnd() * 256);
      expect(s(putMac(u, 0, b, 0))).to.equal(formatMac(b, 0));
      expect(s(putIpv4(u, 0, b, 1))).to.equal(formatIpv4(b, 1));
    }
  });
});

/** The line the string printers made for a record (text or JSON Lines). */
function referenceLine(r: RawRecord, st: FileState, d: Dissector, decoded: boolean, o: Options): string {
  const pcapng = st.info?.format === 'pcapng';
  const layers = decoded ? d.layers() : [{ name: 'raw' as const, len: r.caplen, reason: 'unknown-linktype' as const }];
  if (o.json) {
    const jf: Omit<InspectFrame, 'layers'> = {
      n: r.n,
      tsString: formatTs(r.sec, r.frac, r.fracDigits),
      len: r.len,
      caplen: r.caplen,
    };
    if (st.several) jf.file = st.file;
    if (pcapng) jf.if = r.ifName ?? r.ifIndex;
    return frameJsonWith(jf, JSON.stringify(layers)) + '\n';
  }
  const t = o.absTime
    ? formatTs(r.sec, r.frac, r.fracDigits)
    : relTime(formatTs(r.sec, r.frac, r.fracDigits), formatTs(st.sec0, st.frac0, st.digits0));
  const iface = pcapng ? ` @${r.ifName !== undefined ? escapeControl(r.ifName) : r.ifIndex}` : '';
  const cut =
    r.caplen === r.len
      ? ''
      : r.caplen < r.len
        ? ` [${r.caplen} of ${r.len} bytes captured]`
        : ` [captured length ${r.caplen} > original length ${r.len}]`;
  return `${r.n} ${t}${iface} ${layersText(layers)}${cut}\n`;
}

interface Options {
  json?: boolean;
  absTime?: boolean;
}

describe('inspect: printRecord equals the string printers', () => {
  it('text and JSON lines for 6,000 records: times of every precision, cut frames, interfaces, several files', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(Buffer.from(c));
        cb();
      },
    });
    const out = new LineOutput(sink, true);
    const rnd = prng(0x1234);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const names = [undefined, 'eth0', 'tap\u001b[2J', 'lien\n"quoted"', 'ünï\u2028', 'a\\b'];
    const all = frames(6_000);
    for (let i = 0; i < all.length; i++) {
      const f = all[i]!;
      const pcapng = i % 3 === 0;
      const st = new FileState(pick(['a.pcap', 'dir/"x".pcapng', 'ü\u0007.pcap']), 0, i % 5 === 0, {});
      st.infoOf = () => ({
        file: st.file,
        format: pcapng ? 'pcapng' : 'pcap',
        linktype: 1,
        snaplen: 0,
        interfaces: [],
      });
      const digits = pick([0, 6, 9, 9, 6, 3]);
      const sec = Math.floor(rnd() * 2 ** (i % 2 ? 32 : 40));
      const first = { sec: sec - Math.floor(rnd() * 5), frac: 0, fracDigits: pick([digits, digits, 6, 9]) };
      first.frac = Math.floor(rnd() * 10 ** first.fracDigits);
      const buf = new Uint8Array(f.length + 8);
      buf.set(f, 8);
      const caplen = f.length;
      const r: RawRecord = {
        n: 1 + Math.floor(rnd() * 2 ** (i % 40)),
        buf,
        off: 8,
        caplen,
        len: pick([caplen, caplen, caplen + 1 + Math.floor(rnd() * 1500), Math.floor(rnd() * caplen)]),
        sec,
        frac: Math.floor(rnd() * 10 ** digits),
        fracDigits: digits,
        linktype: 1,
        ifIndex: Math.floor(rnd() * 4),
        ifName: pick(names),
        comment: undefined,
      };
      st.first({ ...r, ...first });
      const decoded = i % 11 !== 10;
      const d = DISSECTORS[i & 1]!;
      if (decoded) d.walk(buf, 8, 8 + caplen, FIRSTS[i % FIRSTS.length]!);
      const o: Options = { json: i % 2 === 0, absTime: i % 4 === 1 };
      printRecord(out, r, st, d, decoded, o);
      await out.flush();
      const got = Buffer.concat(chunks).toString('utf8');
      chunks.length = 0;
      const want =
        (st.several && !o.json ? `==> ${escapeControl(st.file)} <==\n` : '') + referenceLine(r, st, d, decoded, o);
      if (got !== want) expect(got, `record ${i}`).to.equal(want);
    }
  });
});
