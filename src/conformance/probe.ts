// The baseline probe: warm MAC learning with real stacks, capture every link end, send real
// traffic (ping, UDP) and crafted canaries (every flood class and unicast, with tenant markers),
// stop the captures. What was sent is kept in a ledger the judge reads back from the captures.
import { join } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import { startCapture, waitQuiet, type CaptureManifest, type CaptureSelection } from '../capture/index.js';
import type { FlowSpec } from '../tagging/expected.js';
import {
  arping,
  buildCanarySet,
  injectFrames,
  ping,
  flowKey,
  sendUdpMany,
  startUdpReceivers,
  type UdpReceivers,
  type ArpingResult,
  type FloodClass,
  type PingResult,
  type UdpRecvReport,
} from '../traffic/index.js';
import { anchors, markerOf, type SystemInfo, type TestContext } from './context.js';
import { tsharkDecodeItems } from '../tagging/tshark.js';
import { intentPairs } from './reach.js';
import { StageClock, type StageListener, type StageTime } from './stages.js';

export interface SentCanary {
  /** `marker|class|seq|tag`, as findCanary reads it back. */
  key: string;
  tenant: string;
  cls: FloodClass;
  src: SystemInfo;
  dst?: SystemInfo;
  flow: FlowSpec;
  frame: Uint8Array;
}

export interface PingRecord {
  tenant: string;
  from: string;
  to: string;
  ip: string;
  result: PingResult;
}

export interface ArpingRecord {
  tenant: string;
  from: string;
  to: string;
  ip: string;
  mac: string;
  result: ArpingResult;
}

export interface UdpRecord {
  tenant: string;
  from: string;
  to: string;
  sent: number;
  report: UdpRecvReport;
}

export interface ProbeRecord {
  runDir: string;
  runId: string;
  manifest: CaptureManifest;
  canaries: SentCanary[];
  pings: PingRecord[];
  /** Absent in probes that run no real stacks (fault windows). */
  arpings?: ArpingRecord[];
  udp: UdpRecord[];
  /** Wall time of each probe stage (learn, capture start, traffic, canaries, capture stop). */
  stages: StageTime[];
}

export interface ProbeOptions {
  captureRoot?: string;
  selection?: CaptureSelection;
  /** Real ping/UDP traffic (the overlap suite); canaries are always sent. */
  realTraffic?: boolean;
  /** Extra work while the captures run (faults, failover), after the baseline traffic. */
  during?: () => Promise<void>;
  /** Told as each stage ends (progress lines). */
  onStage?: StageListener;
}

const UDP_BASE_PORT = 40100;
const UDP_COUNT = 10;

const sameDomain = (a: SystemInfo, b: SystemInfo) => a.tenant === b.tenant && a.vlan === b.vlan && a !== b;

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(n, queue.length) }, async () => {
      for (let t = queue.shift(); t !== undefined; t = queue.shift()) await fn(t);
    }),
  );
}

/** Every system announces itself once, so every switch on its domain's flood tree learns its MAC. */
export async function warmLearning(ctx: TestContext): Promise<void> {
  await pool(ctx.systems, 6, async (s) => {
    const peer = ctx.systems.find((o) => sameDomain(s, o));
    if (peer) await ping({ netns: s.netns, target: peer.ip, count: 1, intervalS: 0.2, deadlineS: 2 });
  });
}

export function canariesFor(ctx: TestContext, src: SystemInfo, runTag: string): SentCanary[] {
  const marker = markerOf(ctx, src.tenant);
  const peers = ctx.systems.filter((o) => sameDomain(src, o));
  const tag = `${src.tenant}.${src.site}.${src.system}.${runTag}`;
  const out: SentCanary[] = [];
  const floods = buildCanarySet({
    marker,
    srcMac: src.mac,
    srcIp: src.ip,
    dstIp: peers[0]?.ip ?? src.ip,
    classes: ['broadcast', 'arp', 'unknown-unicast', 'multicast'],
    tag,
  });
  for (const f of floods) {
    out.push({
      key: `${marker}|${f.cls}|${f.seq}|${tag}`,
      tenant: src.tenant,
      cls: f.cls,
      src,
      frame: f.frame,
      flow: {
        tenant: src.tenant,
        src: { site: src.site, system: src.system },
        dst: { flood: f.cls as Exclude<FloodClass, 'unicast'> },
      },
    });
  }
  peers.forEach((d, i) => {
    const [u] = buildCanarySet({
      marker,
      srcMac: src.mac,
      srcIp: src.ip,
      dstIp: d.ip,
      dstMac: d.mac,
      classes: ['unicast'],
      tag: `${tag}.${i + 1}`,
    });
    if (!u) return;
    out.push({
      key: `${marker}|unicast|0|${tag}.${i + 1}`,
      tenant: src.tenant,
      cls: 'unicast',
      src,
      dst: d,
      frame: u.frame,
      flow: {
        tenant: src.tenant,
        src: { site: src.site, system: src.system },
        dst: { site: d.site, system: d.system },
      },
    });
  });
  return out;
}

export async function sendCanaries(canaries: SentCanary[]): Promise<void> {
  const bySrc = new Map<SystemInfo, SentCanary[]>();
  for (const c of canaries) bySrc.set(c.src, [...(bySrc.get(c.src) ?? []), c]);
  await pool([...bySrc], 4, async ([src, cs]) => {
    const r = await injectFrames({ netns: src.netns, ifname: src.ifname, frames: cs.map((c) => c.frame), pps: 200 });
    checkAllSent(src.node.name, cs.length, r);
  });
}

/**
 * A canary tcpreplay could not send never entered the fabric: judging it "not delivered" would
 * blame the fabric for the injector, and sending it again would show up as a duplicate.
 */
export function checkAllSent(src: string, frames: number, r: { sent: number; failed: number; command: string }): void {
  if (r.failed === 0 && r.sent === frames) return;
  throw new FabricError(
    'E_INJECT_FAILED',
    `${r.failed || frames - r.sent} of ${frames} canaries from ${src} were not sent (tcpreplay: ${r.sent} sent, ${r.failed} failed)`,
    {
      hint: 'the sender could not transmit (its interface down or its queue full); run fabric test again',
      cause: r.command,
    },
  );
}

interface Pair {
  a: SystemInfo;
  d: SystemInfo;
  port: number;
}

/**
 * Real stacks along every pair the intent says must answer (conformance/reach.ts), both
 * directions: ping, arping and UDP with sequence numbers, each pair on its own UDP port.
 */
async function realTraffic(
  ctx: TestContext,
  pings: PingRecord[],
  arpings: ArpingRecord[],
  udp: UdpRecord[],
): Promise<void> {
  const byNode = new Map(ctx.systems.map((s) => [s.node.name, s]));
  const pairs: Pair[] = [];
  for (const p of intentPairs(ctx.model)) {
    const a = byNode.get(p.from.node);
    const d = byNode.get(p.to.node);
    if (a && d) pairs.push({ a, d, port: UDP_BASE_PORT + pairs.length });
  }
  // Every pair at once: a ping or arping waits on the network (arping paces its requests a
  // second apart), not on the CPU, so the pairs overlap; UDP shares one Node process per
  // namespace and side (udpPairs). Records keep the pairs' order.
  const rx = await udpReceivers(ctx, pairs);
  try {
    const [stacks, sent] = await Promise.all([Promise.all(pairs.map((p) => stackPair(p))), udpSenders(ctx, pairs)]);
    const got = new Map<number, UdpRecvReport>();
    for (const m of await Promise.all(rx.map((r) => r.result))) for (const [k, v] of m) got.set(k, v);
    pairs.forEach(({ a, d, port }, i) => {
      const [result, ar] = stacks[i]!;
      pings.push({ tenant: a.tenant, from: a.node.name, to: d.node.name, ip: d.ip, result });
      arpings.push({ tenant: a.tenant, from: a.node.name, to: d.node.name, ip: d.ip, mac: d.mac, result: ar });
      const report = got.get(port)!;
      udp.push({ tenant: a.tenant, from: a.node.name, to: d.node.name, sent: sent.get(port) ?? 0, report });
    });
  } finally {
    for (const r of rx) r.stop();
  }
}

/** ping and arping along one pair: the same IP and MAC exist in every tenant; leaks are the canaries' job, this proves reachability. */
function stackPair({ a, d }: Pair): Promise<[PingResult, ArpingResult]> {
  return Promise.all([
    ping({ netns: a.netns, target: d.ip, count: 2, intervalS: 0.2, deadlineS: 4 }),
    arping({ netns: a.netns, ifname: a.ifname, target: d.ip, count: 2, deadlineS: 4 }),
  ]);
}

function groupBy(pairs: Pair[], side: 'a' | 'd'): Map<SystemInfo, Pair[]> {
  const out = new Map<SystemInfo, Pair[]>();
  for (const p of pairs) out.set(p[side], [...(out.get(p[side]) ?? []), p]);
  return out;
}

/**
 * One UDP receiver per destination, one port per pair arriving there: the checksum-offload trap
 * shows here. Resolves once every receiver listens, so no sender races one.
 */
async function udpReceivers(ctx: TestContext, pairs: Pair[]): Promise<UdpReceivers[]> {
  const started = await Promise.allSettled(
    [...groupBy(pairs, 'd')].map(([d, ps]) =>
      startUdpReceivers({
        netns: d.netns,
        bind: d.ip,
        port: ps.map((p) => p.port),
        marker: markerOf(ctx, d.tenant),
        timeoutMs: 10_000,
        idleMs: 1500,
        expect: UDP_COUNT,
      }),
    ),
  );
  const ok = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const bad = started.find((r) => r.status === 'rejected');
  if (bad) {
    for (const r of ok) r.stop();
    throw bad.reason;
  }
  return ok;
}

/** One UDP sender per source, every pair leaving it a flow of its own; port → datagrams sent. */
async function udpSenders(ctx: TestContext, pairs: Pair[]): Promise<Map<number, number>> {
  const sent = new Map<number, number>();
  await Promise.all(
    [...groupBy(pairs, 'a')].map(async ([a, ps]) => {
      const to = ps.map((p) => ({ dst: p.d.ip, port: p.port }));
      const r = await sendUdpMany({ netns: a.netns, to, marker: markerOf(ctx, a.tenant), count: UDP_COUNT, pps: 200 });
      for (const f of to) sent.set(f.port, r.get(flowKey(f))?.sent ?? 0);
    }),
  );
  return sent;
}

export async function baselineProbe(ctx: TestContext, o: ProbeOptions = {}): Promise<ProbeRecord> {
  const clock = new StageClock(o.onStage);
  await clock.time('learn', () => warmLearning(ctx));
  const session = await clock.time('capture start', () =>
    startCapture(ctx.status, {
      planHash: ctx.planHash,
      decodeAs: tsharkDecodeItems(ctx.plan),
      root: o.captureRoot,
      selection: o.selection,
    }),
  );
  const pings: PingRecord[] = [];
  const arpings: ArpingRecord[] = [];
  const udp: UdpRecord[] = [];
  const canaries = anchors(ctx).flatMap((a) =>
    canariesFor(ctx, a, session.runId.replace(/[^A-Za-z0-9]/g, '').slice(-8)),
  );
  let manifest: CaptureManifest;
  try {
    if (o.realTraffic !== false) await clock.time('traffic', () => realTraffic(ctx, pings, arpings, udp));
    await clock.time('canaries', async () => {
      await sendCanaries(canaries);
      // Frames in flight reach their last hop: wait until no capture file grows any more.
      await waitQuiet(session.capturers.map((c) => join(session.runDir, c.file)));
    });
    if (o.during)
      await clock.time('during', async () => {
        await o.during!();
        await waitQuiet(session.capturers.map((c) => join(session.runDir, c.file)));
      });
  } finally {
    manifest = await clock.time('capture stop', () => session.stop());
  }
  return {
    runDir: session.runDir,
    runId: session.runId,
    manifest,
    canaries,
    pings,
    arpings,
    udp,
    stages: clock.list,
  };
}
