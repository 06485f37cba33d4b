// The baseline probe: warm MAC learning with real stacks, capture every link end, send real
// traffic (ping, UDP) and crafted canaries (every flood class and unicast, with tenant markers),
// stop the captures. What was sent is kept in a ledger the judge reads back from the captures.
import { join } from 'node:path';
import { startCapture, waitQuiet, type CaptureManifest, type CaptureSelection } from '../capture/index.js';
import type { FlowSpec } from '../tagging/expected.js';
import {
  arping,
  buildCanarySet,
  injectFrames,
  ping,
  sendUdp,
  startUdpReceiver,
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
    await injectFrames({ netns: src.netns, ifname: src.ifname, frames: cs.map((c) => c.frame), pps: 200 });
  });
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
  const pairs: { a: SystemInfo; d: SystemInfo; port: number }[] = [];
  for (const p of intentPairs(ctx.model)) {
    const a = byNode.get(p.from.node);
    const d = byNode.get(p.to.node);
    if (a && d) pairs.push({ a, d, port: UDP_BASE_PORT + pairs.length });
  }
  // Eight pairs at once: each probe waits on the network (arping paces its requests a second
  // apart), not on the CPU. Records keep the pairs' order.
  const recs: { p: PingRecord; ar: ArpingRecord; u: UdpRecord }[] = new Array(pairs.length);
  await pool([...pairs.keys()], 8, async (i) => {
    const { a, d, port } = pairs[i]!;
    const [result, ar, u] = await Promise.all([
      ping({ netns: a.netns, target: d.ip, count: 2, intervalS: 0.2, deadlineS: 4 }),
      // The same IP and MAC exist in every tenant; leaks are the canaries' job, this proves reachability.
      arping({ netns: a.netns, ifname: a.ifname, target: d.ip, count: 2, deadlineS: 4 }),
      udpPair(ctx, a, d, port),
    ]);
    recs[i] = {
      p: { tenant: a.tenant, from: a.node.name, to: d.node.name, ip: d.ip, result },
      ar: { tenant: a.tenant, from: a.node.name, to: d.node.name, ip: d.ip, mac: d.mac, result: ar },
      u,
    };
  });
  for (const r of recs) {
    pings.push(r.p);
    arpings.push(r.ar);
    udp.push(r.u);
  }
}

/** UDP with sequence numbers along one pair, on its own port: the checksum-offload trap shows here. */
async function udpPair(ctx: TestContext, a: SystemInfo, d: SystemInfo, port: number): Promise<UdpRecord> {
  const marker = markerOf(ctx, a.tenant);
  const rx = await startUdpReceiver({
    netns: d.netns,
    bind: d.ip,
    port,
    marker,
    timeoutMs: 10_000,
    idleMs: 1500,
    expect: UDP_COUNT,
  });
  const tx = await sendUdp({ netns: a.netns, dst: d.ip, port, marker, count: UDP_COUNT, pps: 200 });
  return { tenant: a.tenant, from: a.node.name, to: d.node.name, sent: tx.sent, report: await rx.result };
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
