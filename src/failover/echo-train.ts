// The steady probe of a watched failover (a flow per tenant at 1,000 pps with sequence numbers,
// captured, so loss is counted frame by frame): N ICMP echo requests crafted with the frame library
// (seq 1..N, a per-flow ICMP id, the tenant's payload pattern), replayed at a fixed rate by
// tcpreplay inside the client namespace. The target's kernel answers each one (echo replies are not
// rate-limited). Loss is read from the capture on the client interface: requests seen leaving,
// replies seen coming back. (iputils `ping -i 0.001` reached only 150-350 pps here, so it could not
// carry the 1,000 pps.)
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostNet } from '../hostnet/index.js';
import { startProcess, type Subprocess } from '../hostnet/exec.js';
import { checkIfName, checkIpv4, checkMac, checkNetns } from '../names/index.js';
import { build, dissect, inetChecksum } from '../decode/index.js';
import { FabricError } from '../errors/fabric-error.js';
import { encodePcap, scanCapture, tsNumber } from '../pcap/index.js';
import { parseTcpreplay, tcpreplayArgv } from '../traffic/inject.js';
import type { FlowLoss } from './timeline.js';

/** One tenant flow: client endpoint (where the train is sent and captured) → target address. */
export interface EchoFlow {
  tenant: string;
  /** Client endpoint node, its namespace and interface. */
  from: string;
  netns: string;
  ifname: string;
  srcIp: string;
  /** The client interface's MAC; null = read it from the namespace before the run. */
  srcMac: string | null;
  /** Target (endpoint node or customer VM), its address and MAC. */
  to: string;
  ip: string;
  dstMac: string;
  /** 8-byte payload pattern (hex, 16 digits): the tenant's mark on every frame of the flow. */
  pattern: string;
  /** ICMP echo identifier of this flow's train. */
  id: number;
}

/** ICMP payload bytes: the pattern, then zeros (a small fixed size, like a short ping). */
export const ECHO_PAYLOAD = 32;
export const MAX_ECHO_PPS = 5000;
export const MAX_ECHO_SECONDS = 60;

const HEX16 = /^[0-9a-f]{16}$/;

/** Frames in a train of `seconds` at `pps` (seq must fit in 16 bits). */
export function echoTrainSize(pps: number, seconds: number): number {
  if (
    !Number.isInteger(pps) ||
    pps < 1 ||
    pps > MAX_ECHO_PPS ||
    !Number.isFinite(seconds) ||
    seconds < 1 ||
    seconds > MAX_ECHO_SECONDS
  ) {
    throw new FabricError(
      'E_FAILOVER_PROBE',
      `probe bounds: 1..${MAX_ECHO_PPS} pps (integer), 1..${MAX_ECHO_SECONDS} s (got ${pps} pps, ${seconds} s)`,
    );
  }
  const n = Math.round(pps * seconds);
  if (n > 65535)
    throw new FabricError(
      'E_FAILOVER_PROBE',
      `${pps} pps for ${seconds} s is ${n} echo requests; at most 65535 (16-bit sequence numbers)`,
      { hint: 'lower --probe seconds or the rate' },
    );
  return n;
}

function checkFlow(f: EchoFlow): void {
  checkNetns(f.netns);
  checkIfName(f.ifname);
  checkIpv4(f.srcIp);
  checkIpv4(f.ip);
  checkMac(f.dstMac);
  if (f.srcMac !== null) checkMac(f.srcMac);
  if (!HEX16.test(f.pattern) || !Number.isInteger(f.id) || f.id < 0 || f.id > 0xffff)
    throw new FabricError('E_FAILOVER_PROBE', `bad probe flow ${JSON.stringify(f)}`);
}

/**
 * The echo requests seq 1..count. Untagged, as the client kernel sends them (endpoints sit on
 * access ports; the access switch adds the tag). One frame is built by the frame library, the rest
 * are copies with seq and ICMP checksum patched (build() per frame costs seconds for 65535).
 */
export function buildEchoTrain(f: EchoFlow, count: number): Uint8Array[] {
  checkFlow(f);
  if (f.srcMac === null) throw new FabricError('E_FAILOVER_PROBE', `flow ${f.tenant}: the client MAC is not resolved`);
  if (!Number.isInteger(count) || count < 1 || count > 65535)
    throw new FabricError('E_FAILOVER_PROBE', `train of ${count} frames: 1..65535`);
  const payload = new Uint8Array(ECHO_PAYLOAD);
  payload.set(Buffer.from(f.pattern, 'hex'));
  const template = build(
    [
      { name: 'eth', src: f.srcMac, dst: f.dstMac },
      { name: 'ipv4', src: f.srcIp, dst: f.ip, ttl: 64 },
      { name: 'icmp', type: 8, code: 0, id: f.id, seq: 0 },
      { name: 'raw', data: payload },
    ],
    { minSize: 60 },
  );
  const icmp = 14 + 20;
  const end = icmp + 8 + ECHO_PAYLOAD;
  const out: Uint8Array[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const fr = template.slice();
    fr[icmp + 6] = seq >> 8;
    fr[icmp + 7] = seq & 0xff;
    fr[icmp + 2] = 0;
    fr[icmp + 3] = 0;
    const c = inetChecksum(fr, icmp, end);
    fr[icmp + 2] = c >> 8;
    fr[icmp + 3] = c & 0xff;
    out.push(fr);
  }
  return out;
}

/** Counts a flow's requests and replies frame by frame (a capture is walked without copies). */
export class EchoTally {
  private readonly req = new Map<number, number>(); // seq → first time seen (s)
  private readonly rep = new Map<number, number>();
  private dups = 0;
  private readonly pat: Buffer;

  constructor(
    private readonly flow: EchoFlow,
    private readonly count: number,
  ) {
    this.pat = Buffer.from(flow.pattern, 'hex');
  }

  /** One captured frame (any frame: what is not this flow's echo is ignored). */
  add(ts: number, data: Uint8Array): void {
    const ls = dissect(data, { keepPayload: true });
    const i = ls.findIndex((l) => l.name === 'icmp');
    if (i < 1) return;
    const ip = ls[i - 1]!;
    const ic = ls[i]!;
    const raw = ls[i + 1];
    if (ip.name !== 'ipv4' || ic.name !== 'icmp' || ic.id !== this.flow.id || ic.code !== 0) return;
    const seq = ic.seq ?? 0;
    if (seq < 1 || seq > this.count) return;
    // The payload must start with this tenant's pattern: another tenant's frame never counts.
    if (
      raw?.name !== 'raw' ||
      !raw.data ||
      raw.data.length < 8 ||
      !this.pat.equals(Buffer.from(raw.data.buffer, raw.data.byteOffset, 8))
    )
      return;
    if (ic.type === 8 && ip.src === this.flow.srcIp && ip.dst === this.flow.ip) {
      if (!this.req.has(seq)) this.req.set(seq, ts);
    } else if (ic.type === 0 && ip.src === this.flow.ip && ip.dst === this.flow.srcIp) {
      if (this.rep.has(seq)) this.dups++;
      else this.rep.set(seq, ts);
    }
  }

  result(): FlowLoss {
    const f = this.flow;
    // Sent: every seq seen leaving, plus any answered one whose request the capture missed.
    const sentSet = new Set([...this.req.keys(), ...this.rep.keys()]);
    const lost = [...sentSet].filter((s) => !this.rep.has(s)).sort((a, b) => a - b);
    const top = sentSet.size ? Math.max(...sentSet) : 0;
    // The outage: the longest run of consecutive lost sequence numbers.
    let run: [number, number] | null = null;
    for (let i = 0; i < lost.length;) {
      let j = i;
      while (j + 1 < lost.length && lost[j + 1] === lost[j]! + 1) j++;
      if (!run || lost[j]! - lost[i]! > run[1] - run[0]) run = [lost[i]!, lost[j]!];
      i = j + 1;
    }
    const reqTs = [...this.req.values()].sort((a, b) => a - b);
    const span = reqTs.length > 1 ? reqTs[reqTs.length - 1]! - reqTs[0]! : 0;
    // Longest time without a reply while the train ran: the edges of the train count, so an
    // outage at its start or end still shows as a gap.
    const marks = [...this.rep.values()];
    if (reqTs.length) marks.push(reqTs[0]!, reqTs[reqTs.length - 1]!);
    marks.sort((a, b) => a - b);
    let maxGap = 0;
    let gapAt = 0;
    for (let i = 1; i < marks.length; i++) {
      const g = (marks[i]! - marks[i - 1]!) * 1000;
      if (g > maxGap) {
        maxGap = g;
        gapAt = marks[i - 1]! * 1000;
      }
    }
    return {
      tenant: f.tenant,
      from: f.from,
      to: f.to,
      ip: f.ip,
      sent: sentSet.size,
      received: this.rep.size,
      lost: lost.length,
      firstLost: lost[0] ?? null,
      lastLost: lost[lost.length - 1] ?? null,
      pps: span > 0 ? Math.round((reqTs.length - 1) / span) : 0,
      maxGapMs: maxGap,
      maxGapStart: gapAt,
      longestRun: run ? { first: run[0], last: run[1], frames: run[1] - run[0] + 1 } : null,
      duplicates: this.dups,
      unseen: top - sentSet.size,
    };
  }
}

/** Loss of one flow from its captured frames (pure: synthetic frames in tests, a pcap in a run). */
export function analyseEchoTrain(
  f: EchoFlow,
  count: number,
  frames: Iterable<{ ts: number; data: Uint8Array }>,
): FlowLoss {
  const t = new EchoTally(f, count);
  for (const fr of frames) t.add(fr.ts, fr.data);
  return t.result();
}

/** Loss of one flow from the pcap captured on its client interface. */
export async function analyseEchoCapture(f: EchoFlow, count: number, file: string): Promise<FlowLoss> {
  const t = new EchoTally(f, count);
  try {
    await scanCapture(file, (r) =>
      t.add(tsNumber(r.sec, r.frac, r.fracDigits), r.buf.subarray(r.off, r.off + r.caplen)),
    );
  } catch (e) {
    return { ...t.result(), probeError: `capture ${file} unreadable: ${(e as Error).message}` };
  }
  return t.result();
}

/** The MAC of an interface inside a namespace, as the kernel has it. */
export async function linkMac(netns: string, ifname: string): Promise<string> {
  const mac = (await hostNet().ip.link(checkNetns(netns), checkIfName(ifname)))?.mac;
  if (typeof mac !== 'string') throw new FabricError('E_FAILOVER_PROBE', `no MAC for ${ifname} in ${netns}`);
  return checkMac(mac);
}

/**
 * One real ping from the client before the train: the target learns the client's MAC (the crafted
 * requests carry none of the ARP the kernel would do). Its payload holds the pattern after ping's
 * timestamp, so a leak of it counts as cross-tenant, but it never matches the train itself.
 */
export async function warmUp(f: EchoFlow): Promise<boolean> {
  checkFlow(f);
  const r = await hostNet().ip.tryExec(f.netns, ['ping', '-n', '-c', '1', '-W', '2', '-p', f.pattern, f.ip], {
    timeout: 5000,
  });
  return r.exitCode === 0;
}

export interface EchoTrainRun {
  flow: EchoFlow;
  count: number;
  proc: Subprocess;
}

/** Writes the train to `dir` and starts tcpreplay at `pps` in the client namespace (bounded: count/pps + 10 s). */
export async function startEchoTrain(f: EchoFlow, count: number, pps: number, dir: string): Promise<EchoTrainRun> {
  const frames = buildEchoTrain(f, count);
  const pcap = join(dir, `train-${f.tenant.replace(/[^A-Za-z0-9_-]/g, '_')}-${f.id}.pcap`);
  const t0 = Date.now() / 1000;
  await writeFile(pcap, encodePcap(frames.map((data, i) => ({ data, ts: t0 + i / pps }))));
  // nanosleep pacing: the default busy-wait takes a core per flow, and two flows starve the
  // switches and the guests on a 2-core machine (measured: 70% loss at 2 x 1000 pps).
  const { file, args } = tcpreplayArgv({ netns: f.netns, ifname: f.ifname }, pcap, { pps, sleep: true });
  const proc = startProcess(file, args, { timeout: Math.ceil((count / pps) * 1000) + 10_000 });
  return { flow: f, count, proc };
}

/** Waits for the replay; an error text when it did not run to the end. */
export async function finishEchoTrain(r: EchoTrainRun): Promise<string | null> {
  const res = await r.proc;
  const { failed } = parseTcpreplay(String(res.stdout ?? ''));
  if (res.exitCode !== 0)
    return `tcpreplay exit ${String(res.exitCode)}${res.timedOut ? ' (timed out)' : ''}: ${String(res.stderr ?? '')
      .trim()
      .split('\n')
      .slice(-2)
      .join(' | ')}`;
  return failed ? `tcpreplay: ${failed} frames failed to send` : null;
}
