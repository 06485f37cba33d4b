// Fuzz: ≥ 100,000 random and mutated frames (deterministic seed). dissect must never throw,
// always terminate, and always return a well-formed stack: at most one raw layer, last, with a
// documented reason, and no more bytes claimed than the frame holds.
import { expect } from 'chai';
import {
  build,
  dissect,
  Dissector,
  MAX_LAYERS,
  parseDecodeAs,
  stackSignature,
  type Layer,
  type LayerSpec,
} from '../../../src/decode/index.js';
import { prng } from './helpers.js';

const REASONS = new Set([
  'truncated',
  'unknown-ethertype',
  'unknown-protocol',
  'unknown-port',
  'payload',
  'pw-undecided',
  'malformed',
]);
const HEADER: Record<string, number> = {
  eth: 14,
  vlan: 4,
  mpls: 4,
  vxlan: 8,
  ipv4: 20,
  ipv6: 40,
  arp: 28,
  icmp: 8,
  udp: 8,
  tcp: 20,
};

const SEEDS: LayerSpec[][] = [
  [{ name: 'eth' }, { name: 'ipv4' }, { name: 'udp' }, { name: 'raw', len: 20 }],
  [
    { name: 'eth' },
    { name: 'vlan', tpid: 0x88a8, vid: 100 },
    { name: 'vlan', vid: 200 },
    { name: 'ipv4' },
    { name: 'icmp' },
    { name: 'raw', len: 8 },
  ],
  [
    { name: 'eth' },
    { name: 'vlan', vid: 3 },
    { name: 'mpls', label: 1001 },
    { name: 'mpls', label: 2002 },
    { name: 'pw', cw: true },
    { name: 'eth' },
    { name: 'vlan', vid: 100 },
    { name: 'ipv4' },
    { name: 'tcp' },
  ],
  [
    { name: 'eth' },
    { name: 'mpls', label: 1001 },
    { name: 'pw' },
    { name: 'eth', dst: '46:00:00:00:00:01' },
    { name: 'arp' },
  ],
  [{ name: 'eth' }, { name: 'mpls', label: 9 }, { name: 'ipv4' }, { name: 'udp' }, { name: 'raw', len: 4 }],
  [{ name: 'eth' }, { name: 'mpls', label: 9 }, { name: 'ipv6' }, { name: 'icmp' }],
  [
    { name: 'eth' },
    { name: 'ipv4' },
    { name: 'udp' },
    { name: 'vxlan', vni: 5001 },
    { name: 'eth' },
    { name: 'vlan', vid: 7 },
    { name: 'ipv6' },
    { name: 'tcp', options: new Uint8Array(8) },
  ],
  [{ name: 'eth' }, { name: 'ipv4', options: new Uint8Array(4) }, { name: 'ipv4' }, { name: 'ipv6' }, { name: 'udp' }],
  [{ name: 'eth' }, { name: 'arp' }],
];
const VALID = SEEDS.map((s) => build(s, { minSize: 60 }));
const INTERESTING = [
  0x00, 0x01, 0x04, 0x05, 0x06, 0x08, 0x11, 0x12, 0x45, 0x47, 0x60, 0x81, 0x86, 0x88, 0x91, 0xa8, 0xb5, 0xdd, 0xff,
];
const OPTIONS = [
  undefined,
  { keepPayload: true },
  { decodeAs: parseDecodeAs(['pw-eth-cw']) },
  { decodeAs: parseDecodeAs(['1001=pw-eth-nocw', '9=ipv6', 'raw']) },
];

/** The signature recomputed from the layer objects (checks the memoised fast path). */
function shapeOf(layers: Layer[]): string {
  return layers
    .map((l) => {
      if (l.name === 'vlan') return `vlan(${l.tpid.toString(16).padStart(4, '0')})`;
      if (l.name === 'pw') return l.cw ? 'pw+cw' : 'pw';
      if (l.name === 'raw') return `raw(${l.reason})`;
      return l.name;
    })
    .join('/');
}

function checkStack(frame: Uint8Array, layers: Layer[]): void {
  expect(layers.length).to.be.within(1, MAX_LAYERS);
  let claimed = 0;
  layers.forEach((l, i) => {
    if (l.name === 'raw') {
      expect(i, 'raw is last').to.equal(layers.length - 1);
      expect(REASONS.has(l.reason!), String(l.reason)).to.equal(true);
      claimed += l.len;
    } else if (l.name === 'pw') {
      claimed += l.cw ? 4 : 0;
    } else {
      claimed += HEADER[l.name]!;
    }
  });
  expect(claimed).to.be.at.most(frame.length);
}

describe('decode/fuzz', function () {
  this.timeout(120_000);

  it('dissects 120,000 random and mutated frames without throwing', () => {
    const rnd = prng(0xfab51c);
    const int = (n: number) => Math.floor(rnd() * n);
    let checked = 0;
    const shapes = new Set<string>();
    for (let i = 0; i < 120_000; i++) {
      let f: Uint8Array;
      const mode = int(5);
      if (mode === 0) {
        f = new Uint8Array(int(120));
        for (let k = 0; k < f.length; k++) f[k] = int(256);
      } else {
        const base = VALID[int(VALID.length)]!;
        f = base.slice(0, mode === 1 ? int(base.length + 1) : base.length);
        const edits = 1 + int(6);
        for (let e = 0; e < edits && f.length > 0; e++) {
          const at = int(f.length);
          if (mode === 2) f[at] = f[at]! ^ (1 << int(8));
          else if (mode === 3) f[at] = INTERESTING[int(INTERESTING.length)]!;
          else f[at] = int(256);
        }
      }
      const opts = OPTIONS[i & 3];
      let layers: Layer[];
      let shape: string;
      try {
        layers = dissect(f, opts);
        shape = stackSignature(f, opts);
        shapes.add(shape);
      } catch (err) {
        throw new Error(`dissect threw on ${Buffer.from(f).toString('hex')}: ${String(err)}`);
      }
      if (i % 7 === 0) {
        checkStack(f, layers);
        expect(shape).to.equal(shapeOf(layers));
        expect(JSON.stringify(dissect(f, opts))).to.equal(JSON.stringify(layers)); // deterministic
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(17_000);
    expect(shapes.size).to.be.greaterThan(100); // the mutations really reach many code paths
  });

  it('stack signatures stay exact with more shapes than the memo has slots', () => {
    const d = new Dissector();
    const frames: Uint8Array[] = [];
    for (let v = 0; v < 40; v++) {
      for (let m = 0; m < 40; m++) {
        const specs: LayerSpec[] = [{ name: 'eth' }];
        for (let k = 0; k < v; k++)
          specs.push({ name: 'vlan', tpid: [0x8100, 0x88a8, 0x9100][(k * 7 + m) % 3]!, vid: k });
        for (let k = 0; k < m; k++) specs.push({ name: 'mpls', label: k });
        specs.push({ name: 'ipv4' }, { name: 'udp' });
        frames.push(build(specs));
      }
    }
    for (let round = 0; round < 2; round++) {
      for (const f of frames) {
        d.walk(f);
        expect(d.signature()).to.equal(shapeOf(d.layers()));
      }
    }
  });

  it('terminates on a frame made only of tags (deeper than MAX_LAYERS)', () => {
    const f = new Uint8Array(14 + 4 * 1000);
    f[12] = 0x81;
    for (let o = 14; o < f.length; o += 4) {
      f[o + 2] = 0x81;
      f[o + 3] = 0x00;
    }
    const layers = dissect(f);
    expect(layers.length).to.equal(MAX_LAYERS);
    expect(layers.at(-1)).to.include({ name: 'raw', reason: 'malformed' });
    const labels = new Uint8Array(14 + 4 * 500);
    labels[12] = 0x88;
    labels[13] = 0x47;
    expect(dissect(labels).at(-1)).to.include({ name: 'raw', reason: 'malformed' });
  });

  it('a Dissector walks a sub-range of a larger buffer and never reads outside it', () => {
    const f = VALID[2]!;
    const big = new Uint8Array(f.length + 20).fill(0x81);
    big.set(f, 10);
    const d = new Dissector();
    const n = d.walk(big, 10, 10 + f.length);
    expect(d.layers()).to.deep.equal(dissect(f));
    expect(n).to.equal(dissect(f).length);
    expect(d.walk(big, 10, 10 + 13)).to.equal(1);
    expect(d.layer(0)).to.deep.equal({ name: 'raw', len: 13, reason: 'truncated' });
    expect(d.walk(big, 10, 10 + 1_000_000)).to.equal(d.walk(big, 10)); // end clamps to the buffer
  });
});
