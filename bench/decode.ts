// Decode throughput: full tag-stack extraction over a ≥1M-frame pcap mixing plain, 802.1Q, QinQ,
// MPLS pseudowires (with and without control word) and VXLAN, side by side with tshark -T fields
// and tcpdump -nn on the same file, in the same run.
import { existsSync, readFileSync, statSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { execa } from 'execa';
import { build, Dissector, type LayerSpec } from '../src/decode/index.js';
import { createPcapWriter, openCapture, scanCapture } from '../src/pcap/index.js';
import type { BenchContext, BenchFigure, BenchModule } from './run.js';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';

const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(path: string): EventEmitter };

const FRAMES = Number(process.env.FABRIC_BENCH_FRAMES ?? 1_000_000);
/** tshark decodes 0.03-0.1 Mpps here: it runs on a prefix of the file by default (say so in the output). */
const TSHARK_FRAMES = Math.min(FRAMES, Number(process.env.FABRIC_BENCH_TSHARK_FRAMES ?? 200_000));
const TCPDUMP_FRAMES = Math.min(FRAMES, Number(process.env.FABRIC_BENCH_TCPDUMP_FRAMES ?? FRAMES));
const RUNS = 5;
const VERSION = 'v1';

const MIX = [
  'plain 20%',
  '802.1Q 20%',
  'QinQ 802.1ad+802.1Q 20%',
  'MPLS/pseudowire 20% (1-2 labels, half with control word)',
  'VXLAN 20% (outer 802.1Q)',
];

/** Deterministic frame templates: 64 variants per kind. */
function templates(): Uint8Array[][] {
  const te = new TextEncoder();
  const pay = (i: number): LayerSpec => ({
    name: 'raw',
    data: te.encode(`fabric bench payload ${i}`.padEnd(18 + (i % 24), '.')),
  });
  const mac = (a: number, b: number) =>
    `02:00:00:${(a & 0xff).toString(16).padStart(2, '0')}:00:${(b & 0xff).toString(16).padStart(2, '0')}`;
  const inner = (i: number): LayerSpec[] => [
    { name: 'eth', src: mac(i, 10), dst: mac(i, 50) },
    { name: 'vlan', vid: 100 + (i % 8) },
    { name: 'ipv4', src: `10.20.30.${10 + (i % 50)}`, dst: '10.20.30.50' },
    { name: 'icmp', type: 8, id: i, seq: i },
    pay(i),
  ];
  const kinds: ((i: number) => LayerSpec[])[] = [
    (i) => [
      { name: 'eth', src: mac(i, 1), dst: mac(i, 2) },
      { name: 'ipv4', src: `10.0.${i}.1`, dst: '10.0.0.2' },
      { name: 'udp', sport: 40000 + i, dport: 5001 },
      pay(i),
    ],
    (i) => [
      { name: 'eth', src: mac(i, 1), dst: mac(i, 2) },
      { name: 'vlan', vid: 10 + i },
      { name: 'ipv4', src: `10.0.${i}.1`, dst: '10.0.0.2' },
      { name: 'tcp', sport: 40000 + i, dport: 80, flags: 0x18 },
      pay(i),
    ],
    (i) => [
      { name: 'eth', src: mac(i, 1), dst: mac(i, 2) },
      { name: 'vlan', tpid: 0x88a8, vid: 100 + i },
      { name: 'vlan', vid: 200 + i },
      { name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.50' },
      { name: 'icmp', type: 8, id: i, seq: i },
      pay(i),
    ],
    (i) => [
      { name: 'eth', src: mac(i, 1), dst: mac(i, 2) },
      { name: 'vlan', tpid: 0x88a8, vid: 300 + i },
      ...(i % 2 ? [{ name: 'mpls', label: 16000 + i, ttl: 63 } as LayerSpec] : []),
      { name: 'mpls', label: 1000 + i, ttl: 64 },
      { name: 'pw', cw: i % 4 < 2 },
      ...inner(i),
    ],
    (i) => [
      { name: 'eth', src: mac(i, 1), dst: mac(i, 2) },
      { name: 'vlan', vid: 20 },
      { name: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' },
      { name: 'udp', sport: 49152 + i, dport: 4789 },
      { name: 'vxlan', vni: 5000 + i },
      ...inner(i),
    ],
  ];
  return kinds.map((k) => Array.from({ length: 64 }, (_, i) => build(k(i), { minSize: 60 })));
}

async function generate(path: string, frames: number): Promise<void> {
  const t = templates();
  const tmp = path + '.tmp';
  const w = createPcapWriter(tmp, { precision: 'us' });
  let x = 12345;
  for (let n = 0; n < frames; n++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0; // LCG: a fixed, shuffled mix
    const kind = t[(x >>> 16) % t.length]!;
    if (!w.write({ data: kind[(x >>> 8) % kind.length]!, ts: 1_700_000_000 + n * 1e-5 })) await w.drain();
  }
  await w.close();
  renameSync(tmp, path);
}

export async function input(ctx: BenchContext, frames: number): Promise<string> {
  const p = join(ctx.cacheDir, `decode-${VERSION}-${frames}.pcap`);
  if (!existsSync(p)) {
    ctx.log(`generating ${p} (${frames} frames)...`);
    await generate(p, frames);
  }
  return p;
}

const secs = (t0: number) => (performance.now() - t0) / 1000;
/** CPU seconds used by this process since `c0` (robust against other load on a shared machine). */
const cpuSecs = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
};
/** CPU seconds of waited-for children (cutime + cstime from /proc/self/stat; USER_HZ = 100). */
function childCpu(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
}
const mpps = (frames: number, s: number) => frames / s / 1e6;

async function tool(
  ctx: BenchContext,
  label: string,
  cmd: string,
  args: string[],
  frames: number,
): Promise<[number, number]> {
  const c0 = childCpu();
  const t0 = performance.now();
  const r = await execa(cmd, args, { stdout: 'ignore', stderr: 'pipe', reject: false }); // 'ignore' = the child writes to /dev/null
  const s = secs(t0);
  const cpu = childCpu() - c0;
  if (r.exitCode !== 0) throw new Error(`${cmd} failed (exit ${r.exitCode}): ${r.stderr}`);
  ctx.log(
    `  ${label}: ${frames} frames in ${s.toFixed(2)} s wall = ${mpps(frames, s).toFixed(3)} Mpps; ${cpu.toFixed(2)} s CPU = ${mpps(frames, cpu).toFixed(3)} Mpps per CPU-second`,
  );
  return [mpps(frames, s), mpps(frames, cpu)];
}

export const bench: BenchModule = {
  name: 'decode',
  description: `full tag-stack decode of ${FRAMES} frames (${MIX.join(', ')})`,
  async run(ctx) {
    if (FRAMES < 1_000_000) ctx.log(`NOTE: FABRIC_BENCH_FRAMES=${FRAMES} is below the 1,000,000 the issue asks for`);
    const file = await input(ctx, FRAMES);
    ctx.log(`input: ${file} (${(statSync(file).size / 1e6).toFixed(1)} MB)`);
    const figures: BenchFigure[] = [];

    // 1. Ours, fast path: chunked file walker (zero-copy records) + reused Dissector.walk, which
    //    extracts every layer (ids, offsets, vid/label/vni/... keys) of the whole stack.
    ctx.log(
      `load average at start: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (${availableParallelism()} CPUs); wall-clock figures suffer on a loaded machine, CPU-time figures much less`,
    );
    const d = new Dissector();
    let best = 0;
    let bestCpu = 0;
    const rss0 = process.memoryUsage.rss();
    let peakRss = rss0;
    for (let r = 0; r < RUNS; r++) {
      let layers = 0;
      let frames = 0;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await scanCapture(
        file,
        (rec) => {
          layers += d.walk(rec.buf, rec.off, rec.off + rec.caplen);
          frames++;
        },
        {
          afterChunk: () => {
            peakRss = Math.max(peakRss, process.memoryUsage.rss());
          },
        },
      );
      const s = secs(t0);
      const cpu = cpuSecs(c0);
      best = Math.max(best, mpps(frames, s));
      bestCpu = Math.max(bestCpu, mpps(frames, cpu));
      ctx.log(
        `  ours fast (scanCapture + Dissector.walk) run ${r + 1}: ${frames} frames, ${layers} layers in ${s.toFixed(3)} s wall = ${mpps(frames, s).toFixed(2)} Mpps; ${cpu.toFixed(3)} s CPU = ${mpps(frames, cpu).toFixed(2)} Mpps per CPU-second`,
      );
    }
    figures.push({
      name: `ours: fast file path + Dissector.walk (best of ${RUNS}, wall)`,
      value: best,
      unit: 'Mpps',
      note: best >= 8 ? 'target 8 Mpps met' : 'BELOW the 8 Mpps target',
    });
    figures.push({ name: `ours: same, per CPU-second (best of ${RUNS})`, value: bestCpu, unit: 'Mpps' });
    figures.push({
      name: 'ours: RSS growth during the fast path',
      value: Math.round((peakRss - rss0) / 1e6),
      unit: 'MB',
      note: `RSS ${Math.round(rss0 / 1e6)} -> ${Math.round(peakRss / 1e6)} MB over a ${(statSync(file).size / 1e6).toFixed(0)} MB file`,
    });

    // 2. Framing alone (what the reader costs without decoding).
    {
      let frames = 0;
      const t0 = performance.now();
      await scanCapture(file, () => {
        frames++;
      });
      const s = secs(t0);
      ctx.log(
        `  ours framing only (scanCapture): ${frames} frames in ${s.toFixed(3)} s = ${mpps(frames, s).toFixed(2)} Mpps`,
      );
      figures.push({ name: 'ours: fast file path, framing only', value: mpps(frames, s), unit: 'Mpps' });
    }

    // 3. Ours, stack shapes: walk + signature() per frame (what --stats does).
    {
      const shapes = new Map<string, number>();
      let frames = 0;
      const t0 = performance.now();
      await scanCapture(file, (rec) => {
        d.walk(rec.buf, rec.off, rec.off + rec.caplen);
        const sg = d.signature();
        shapes.set(sg, (shapes.get(sg) ?? 0) + 1);
        frames++;
      });
      const s = secs(t0);
      ctx.log(
        `  ours walk + signature (stack shapes): ${frames} frames, ${shapes.size} shapes in ${s.toFixed(3)} s = ${mpps(frames, s).toFixed(2)} Mpps`,
      );
      figures.push({ name: 'ours: fast path + stack signature', value: mpps(frames, s), unit: 'Mpps' });
    }

    // 4. Ours through the pcap-parser path (the card's streaming parser) + walk, and the
    //    async-iterator fast engine (what `fabric inspect` uses), with layer objects.
    for (const engine of ['pcap-parser', 'fast'] as const) {
      let frames = 0;
      const t0 = performance.now();
      const cap = await openCapture(file, { engine, reuseBuffers: engine === 'fast' });
      for await (const f of cap) {
        d.walk(f.data);
        frames++;
      }
      const s = secs(t0);
      const label =
        engine === 'pcap-parser'
          ? 'ours: pcap-parser path + Dissector.walk'
          : 'ours: openCapture iterator (fast engine) + walk';
      ctx.log(`  ${label}: ${frames} frames in ${s.toFixed(3)} s = ${mpps(frames, s).toFixed(2)} Mpps`);
      figures.push({ name: label, value: mpps(frames, s), unit: 'Mpps' });
    }

    // 4b. pcap-parser's own framing, no wrapper (reference for the figure above).
    {
      const t0 = performance.now();
      const frames = await new Promise<number>((resolve, reject) => {
        let k = 0;
        const p = pcapParser.parse(file);
        p.on('packet', () => {
          k++;
        });
        p.on('end', () => resolve(k));
        p.on('error', reject);
      });
      const s = secs(t0);
      ctx.log(
        `  pcap-parser framing alone ('packet' events): ${frames} frames in ${s.toFixed(3)} s = ${mpps(frames, s).toFixed(2)} Mpps`,
      );
      figures.push({ name: 'pcap-parser framing alone (no decode)', value: mpps(frames, s), unit: 'Mpps' });
    }

    // 5. tshark -T fields and tcpdump -nn on the same file (a prefix when they are too slow).
    const tsharkFile = TSHARK_FRAMES < FRAMES ? await prefix(ctx, file, TSHARK_FRAMES) : file;
    const tcpdumpFile = TCPDUMP_FRAMES < FRAMES ? await prefix(ctx, file, TCPDUMP_FRAMES) : file;
    const tsharkNote = TSHARK_FRAMES < FRAMES ? `first ${TSHARK_FRAMES} frames of the same file` : 'whole file';
    const [tsharkMpps, tsharkCpu] = await tool(
      ctx,
      `tshark -T fields (${tsharkNote})`,
      'tshark',
      [
        '-r',
        tsharkFile,
        '-n',
        '-T',
        'fields',
        '-e',
        'vlan.id',
        '-e',
        'ieee8021ad.id',
        '-e',
        'mpls.label',
        '-e',
        'vxlan.vni',
        '-e',
        'ip.src',
        '-e',
        'ip.dst',
      ],
      TSHARK_FRAMES,
    );
    figures.push({
      name: 'tshark -T fields (vlan, 802.1ad, mpls, vni, ip src/dst)',
      value: tsharkMpps,
      unit: 'Mpps',
      note: tsharkNote,
    });
    figures.push({ name: 'tshark -T fields, per CPU-second', value: tsharkCpu, unit: 'Mpps' });
    const tcpNote = TCPDUMP_FRAMES < FRAMES ? `first ${TCPDUMP_FRAMES} frames` : 'whole file';
    const [tcpdumpMpps, tcpdumpCpu] = await tool(
      ctx,
      `tcpdump -nn (${tcpNote})`,
      'tcpdump',
      ['-nn', '-r', tcpdumpFile],
      TCPDUMP_FRAMES,
    );
    figures.push({ name: 'tcpdump -nn', value: tcpdumpMpps, unit: 'Mpps', note: tcpNote });
    figures.push({ name: 'tcpdump -nn, per CPU-second', value: tcpdumpCpu, unit: 'Mpps' });
    const [tcpdumpE] = await tool(
      ctx,
      `tcpdump -nn -e (${tcpNote})`,
      'tcpdump',
      ['-nn', '-e', '-r', tcpdumpFile],
      TCPDUMP_FRAMES,
    );
    figures.push({ name: 'tcpdump -nn -e', value: tcpdumpE, unit: 'Mpps', note: tcpNote });

    figures.push({ name: 'ratio ours fast / tshark -T fields', value: best / tsharkMpps, unit: 'x' });
    figures.push({ name: 'ratio ours fast / tcpdump -nn', value: best / tcpdumpMpps, unit: 'x' });
    figures.push({ name: 'ratio ours fast / tshark, per CPU-second', value: bestCpu / tsharkCpu, unit: 'x' });
    figures.push({ name: 'ratio ours fast / tcpdump -nn, per CPU-second', value: bestCpu / tcpdumpCpu, unit: 'x' });
    const pp = figures.find((f) => f.name.startsWith('ours: pcap-parser'))!.value;
    figures.push({ name: 'ratio ours pcap-parser path / tshark -T fields', value: pp / tsharkMpps, unit: 'x' });
    return figures;
  },
};

/** The first `frames` records of `file` as their own pcap (cached). */
export async function prefix(ctx: BenchContext, file: string, frames: number): Promise<string> {
  const p = file.replace(/\.pcap$/, `-first${frames}.pcap`);
  if (existsSync(p)) return p;
  ctx.log(`writing prefix ${p}`);
  const tmp = p + '.tmp';
  const w = createPcapWriter(tmp, { precision: 'us' });
  await scanCapture(
    file,
    (r) => {
      if (r.n > frames) return;
      w.write({
        data: r.buf.slice(r.off, r.off + r.caplen),
        tsNs: BigInt(r.sec) * 1_000_000_000n + BigInt(r.frac) * 1000n,
        len: r.len,
      });
    },
    { afterChunk: () => w.drain() },
  );
  await w.close();
  renameSync(tmp, p);
  return p;
}
