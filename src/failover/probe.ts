// Data-plane view of a failover: a steady ICMP echo flow per tenant at a fixed rate (iputils ping
// with sequence numbers and receive timestamps, so loss is a seq range, not a guess), and
// captures on every tenant port while it runs. Each tenant's flow carries its own payload
// pattern; a frame with tenant X's pattern seen on a port of tenant Y is a cross-tenant frame.
import { readFileSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import { FabricError } from '../errors/fabric-error.js';
import type { FlowLoss } from './timeline.js';

export interface PingFlow {
  tenant: string;
  from: string;
  netns: string;
  to: string;
  ip: string;
  /** 8-byte payload pattern (hex, 16 digits). */
  pattern: string;
}

export interface PingRun {
  flow: PingFlow;
  count: number;
  proc: ResultPromise;
}

const HEX16 = /^[0-9a-f]{16}$/;
const NS = /^[A-Za-z0-9_.-]{1,64}$/;
const IP = /^(\d{1,3}\.){3}\d{1,3}$/;

/** A tenant's payload pattern: its name, padded with '-', as 8 bytes of hex. */
export function patternOf(tenant: string): string {
  return Buffer.from(tenant.padEnd(8, '-').slice(0, 8), 'latin1').toString('hex');
}

export function startPing(flow: PingFlow, pps: number, seconds: number): PingRun {
  if (!NS.test(flow.netns) || !IP.test(flow.ip) || !HEX16.test(flow.pattern)) throw new FabricError('E_FAILOVER_PROBE', `bad probe flow ${JSON.stringify(flow)}`);
  if (!(pps >= 1 && pps <= 1000) || !(seconds >= 1 && seconds <= 120)) throw new FabricError('E_FAILOVER_PROBE', `probe bounds: 1..1000 pps, 1..120 s (got ${pps}, ${seconds})`);
  const count = Math.round(pps * seconds);
  const interval = (1 / pps).toFixed(3);
  const proc = execa('ip', ['netns', 'exec', flow.netns, 'ping', '-n', '-D', '-i', interval, '-c', String(count), '-W', '1', '-w', String(Math.ceil(seconds * 2 + 5)), '-p', flow.pattern, flow.ip], { reject: false, stdin: 'ignore' });
  return { flow, count, proc };
}

/** Parses `ping -D` output: received sequence numbers with their receive times (epoch s). */
export function parsePing(out: string): { seq: number; t: number }[] {
  const res: { seq: number; t: number }[] = [];
  for (const m of out.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from [^:]+: icmp_seq=(\d+)/gm)) res.push({ seq: Number(m[2]), t: Number(m[1]) });
  return res;
}

export function lossOf(flow: PingFlow, count: number, out: string): FlowLoss {
  const got = parsePing(out);
  // Only what ping really sent counts (a loaded machine sends slower than asked, and the
  // deadline may end the run early); the last second's requests may still be in flight.
  const tx = /(\d+) packets transmitted/.exec(out);
  if (tx) count = Math.min(count, Number(tx[1]));
  const seen = new Set(got.map((g) => g.seq));
  const lost: number[] = [];
  const maxSeq = Math.max(count, ...got.map((g) => g.seq));
  for (let s = 1; s <= Math.min(count, maxSeq); s++) if (!seen.has(s)) lost.push(s);
  const times = got.map((g) => g.t).sort((a, b) => a - b);
  let maxGap = 0;
  let gapAt = 0;
  for (let i = 1; i < times.length; i++) {
    const g = (times[i]! - times[i - 1]!) * 1000;
    if (g > maxGap) (maxGap = g), (gapAt = times[i - 1]! * 1000);
  }
  // The outage: the longest run of consecutive lost sequence numbers.
  let run: [number, number] | null = null;
  for (let i = 0; i < lost.length; ) {
    let j = i;
    while (j + 1 < lost.length && lost[j + 1] === lost[j]! + 1) j++;
    if (!run || lost[j]! - lost[i]! > run[1] - run[0]) run = [lost[i]!, lost[j]!];
    i = j + 1;
  }
  const span = times.length > 1 ? times[times.length - 1]! - times[0]! : 0;
  return {
    tenant: flow.tenant,
    from: flow.from,
    to: flow.to,
    ip: flow.ip,
    sent: count,
    received: seen.size,
    lost: lost.length,
    firstLost: lost[0] ?? null,
    lastLost: lost[lost.length - 1] ?? null,
    pps: span > 0 ? Math.round((got.length + lost.length) / span) : 0,
    maxGapMs: maxGap,
    maxGapStart: gapAt,
    longestRun: run ? { first: run[0], last: run[1], frames: run[1] - run[0] + 1 } : null,
  };
}

export async function finishPing(r: PingRun): Promise<FlowLoss> {
  const res = await r.proc;
  return lossOf(r.flow, r.count, String(res.stdout ?? ''));
}

export interface CapturePoint {
  tenant: string;
  /** Namespace, or null for a root-namespace interface (a hypervisor tap). */
  netns: string | null;
  ifname: string;
  file: string;
}

export interface CaptureRun {
  point: CapturePoint;
  proc: ResultPromise;
}

export function startCapturePoint(p: CapturePoint): CaptureRun {
  if ((p.netns && !NS.test(p.netns)) || !/^[A-Za-z0-9_.-]{1,15}$/.test(p.ifname)) throw new FabricError('E_FAILOVER_PROBE', `bad capture point ${JSON.stringify(p)}`);
  const argv = ['tcpdump', '-i', p.ifname, '-n', '-U', '-s', '256', '-w', p.file, 'icmp or (vlan and icmp)'];
  const proc = p.netns ? execa('ip', ['netns', 'exec', p.netns, ...argv], { reject: false, stdin: 'ignore' }) : execa(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore' });
  return { point: p, proc };
}

export async function stopCapture(c: CaptureRun): Promise<void> {
  c.proc.kill('SIGINT');
  await c.proc;
}

/** Frames of a microsecond/nanosecond pcap (classic format), as raw byte buffers. */
export function pcapFrames(buf: Buffer): Buffer[] {
  if (buf.length < 24) return [];
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && !be) throw new FabricError('E_FAILOVER_PROBE', 'not a classic pcap file');
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const out: Buffer[] = [];
  let o = 24;
  while (o + 16 <= buf.length) {
    const incl = u32(o + 8);
    if (incl > 262_144 || o + 16 + incl > buf.length) break; // truncated last record
    out.push(buf.subarray(o + 16, o + 16 + incl));
    o += 16 + incl;
  }
  return out;
}

/** Frames at a capture point carrying another tenant's pattern. */
export function foreignFrames(file: string, ownTenant: string, patterns: Record<string, string>): number {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return 0;
  }
  const foreign = Object.entries(patterns).filter(([t]) => t !== ownTenant).map(([, p]) => Buffer.from(p, 'hex'));
  return pcapFrames(buf).filter((f) => foreign.some((p) => f.includes(p))).length;
}
