// Local throughput check for the decoder (not a test; `make bench` is the real benchmark):
//   npx tsx tests/unit/decode/measure-mpps.ts [frames]
// Builds a mix of plain, QinQ, MPLS/pseudowire (with and without cw) and VXLAN frames into one
// buffer and times dissect(), Dissector.walk() (+keys) and stackSignature() over it.
import { build, dissect, Dissector, type LayerSpec } from '../../../src/decode/index.js';

const N = Number(process.argv[2] ?? 1_000_000);
const payload = { name: 'raw', data: new TextEncoder().encode('Happy fabric payload') } as const;
const inner: LayerSpec[] = [
  { name: 'eth', src: '02:00:00:00:00:0a', dst: '02:00:00:00:00:32' },
  { name: 'vlan', vid: 100 },
  { name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.50' },
  { name: 'icmp', id: 1, seq: 1 },
  payload,
];
const shapes: LayerSpec[][] = [
  [{ name: 'eth' }, { name: 'ipv4' }, { name: 'udp', sport: 1000, dport: 2000 }, payload],
  [{ name: 'eth' }, { name: 'vlan', vid: 10 }, { name: 'ipv4' }, { name: 'tcp' }],
  [{ name: 'eth' }, { name: 'vlan', tpid: 0x88a8, vid: 100 }, { name: 'vlan', vid: 200 }, { name: 'ipv4' }, { name: 'icmp' }, payload],
  [{ name: 'eth' }, { name: 'vlan', tpid: 0x88a8, vid: 300 }, { name: 'mpls', label: 1001 }, { name: 'mpls', label: 2001 }, { name: 'pw', cw: false }, ...inner],
  [{ name: 'eth' }, { name: 'mpls', label: 1002 }, { name: 'pw', cw: true }, ...inner],
  [{ name: 'eth' }, { name: 'vlan', vid: 20 }, { name: 'ipv4' }, { name: 'udp' }, { name: 'vxlan', vni: 5001 }, ...inner],
];
const frames = shapes.map((s) => build(s, { minSize: 60 }));
const total = frames.reduce((a, f, i) => a + f.length * Math.ceil((N - i) / frames.length), 0);
const buf = new Uint8Array(total);
const starts = new Int32Array(N + 1);
for (let i = 0, o = 0; i < N; i++) {
  const f = frames[i % frames.length]!;
  buf.set(f, o);
  starts[i] = o;
  o += f.length;
  starts[i + 1] = o;
}
const views = Array.from({ length: N }, (_, i) => buf.subarray(starts[i], starts[i + 1]));

/** Best of 5 timed runs after a warm-up (the machine is shared; the best run is the least disturbed). */
function time(label: string, fn: () => number): void {
  fn();
  let best = Infinity;
  let check = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    check = fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  console.log(`${label.padEnd(44)} ${(N / best / 1e6).toFixed(2)} Mpps  (check ${check})`);
}

const d = new Dissector();
time('Dissector.walk (ids+offsets+keys)', () => {
  let acc = 0;
  for (let i = 0; i < N; i++) acc += d.walk(buf, starts[i]!, starts[i + 1]!) + d.keys[1]!;
  return acc;
});
time('Dissector.walk + signature()', () => {
  let acc = 0;
  for (let i = 0; i < N; i++) { d.walk(buf, starts[i]!, starts[i + 1]!); acc += d.signature().length; }
  return acc;
});
time('dissect() full Layer objects', () => {
  let acc = 0;
  for (let i = 0; i < N; i++) acc += dissect(views[i]!).length;
  return acc;
});
