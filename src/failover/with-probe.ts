// A failover (or fail-back) with the data plane watched: one echo train per tenant toward the
// moving site's address (and the same address in every other tenant), captures on every tenant
// endpoint and hypervisor tap, then loss per flow (from the client captures) and the
// cross-tenant frame count.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import { readState } from '../runtime/state.js';
import { checkLabName, netnsName } from '../names/index.js';
import type { LabModel } from '../topology/model.js';
import {
  analyseEchoCapture,
  echoTrainSize,
  finishEchoTrain,
  linkMac,
  startEchoTrain,
  warmUp,
  type EchoFlow,
  type EchoTrainRun,
} from './echo-train.js';
import { runFailback, runFailover, type FailoverOptions } from './engine.js';
import { layoutOf, siteSystems, type HvInfo } from './layout.js';
import { failoverDir, readFailoverState } from './store.js';
import {
  droppedAt,
  foreignFrames,
  patternOf,
  startPointCaptures,
  stopPointCaptures,
  type CapturePoint,
  type PointCapture,
  type PortCarries,
} from './probe.js';
import { checkCaptures, type StackCheck } from './stacks-during.js';
import { computePlan } from '../tagging/index.js';
import { vniOf } from '../topology/hypervisors.js';
import type { FlowLoss, Timeline } from './timeline.js';

export interface ProbeOptions {
  /** Length of each echo train (1..60 s, default 15). */
  seconds?: number;
  /** Echo requests per second per flow (1..5000, default 1000). */
  pps?: number;
  /** ms of steady traffic before the trigger. */
  leadMs?: number;
}

/** ICMP echo id of the i-th flow (a fixed prefix, so a train is easy to pick out of a capture). */
const ECHO_ID_BASE = 0xfa00;

function ipv4Int(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function sameSubnet(cidr: string, ip: string): boolean {
  const [addr, len] = cidr.split('/');
  const size = 2 ** (32 - Number(len ?? 32));
  return Math.floor(ipv4Int(addr!) / size) === Math.floor(ipv4Int(ip) / size);
}

/** A tenant's customer VM (system of a hosted site) at an address, if any. */
function hostedTwin(
  model: LabModel,
  hypervisors: HvInfo[],
  tenant: string,
  ip: string,
): { site: string; mac: string } | undefined {
  for (const h of hypervisors) {
    const key = h.serves;
    if (!key || key.split('/')[0] !== tenant) continue;
    const y = siteSystems(model, key).find((x) => x.ip.split('/')[0] === ip);
    if (y) return { site: key, mac: y.mac };
  }
  return undefined;
}

/** Echo flows: in every tenant, from its client farthest from the site (other DC first) to the site's first address. */
export function flowsFor(model: LabModel, site: string): EchoFlow[] {
  const target = siteSystems(model, site)[0]!;
  const ip = target.ip.split('/')[0]!;
  const { hypervisors } = layoutOf(model);
  const siteDc = hypervisors.find((h) => h.site === site)?.dc;
  const flows: EchoFlow[] = [];
  for (const tenant of [
    ...new Set(model.nodes.filter((n) => n.role === 'endpoint' && n.tenant).map((n) => n.tenant!)),
  ].sort()) {
    const eps = model.nodes.filter(
      (n) => n.role === 'endpoint' && n.tenant === tenant && n.facts?.siteType === 'client',
    );
    const from = eps.find((n) => n.dc !== siteDc) ?? eps[0];
    const fi = from?.interfaces[0];
    const cidr = fi?.addresses[0];
    if (!from || !fi || !cidr) continue;
    // The requests are crafted with the target's own MAC: it must be on the client's LAN.
    if (!sameSubnet(cidr, ip))
      throw new FabricError('E_FAILOVER_PROBE', `${from.name} (${cidr}) and ${site} (${ip}) are not on one subnet`, {
        hint: "the failover probe sends to the target MAC directly; put the client on the site's LAN",
      });
    const twin = model.nodes.find(
      (n) => n.role === 'endpoint' && n.tenant === tenant && n.interfaces[0]?.addresses[0]?.split('/')[0] === ip,
    );
    // Without an endpoint twin the tenant's system at that address is a customer VM of its own hosted site.
    const vmTwin = twin ? undefined : hostedTwin(model, hypervisors, tenant, ip);
    flows.push({
      tenant,
      from: from.name,
      netns: netnsName(model.name, from.name),
      ifname: fi.name,
      srcIp: cidr.split('/')[0]!,
      srcMac: fi.mac?.toLowerCase() ?? null,
      to: twin?.name ?? `${vmTwin?.site ?? site} (customer VM)`,
      ip,
      dstMac: (twin?.interfaces[0]?.mac ?? vmTwin?.mac ?? target.mac).toLowerCase(),
      pattern: patternOf(tenant),
      id: ECHO_ID_BASE + flows.length,
    });
  }
  return flows;
}

/** The capture point of an endpoint's interface (the link end in its namespace). */
function endpointPoint(model: LabModel, node: string, ifname: string, tenant: string): CapturePoint | undefined {
  const l = model.links.find((x) => x.endpoints.some((e) => e.node === node && e.ifname === ifname));
  if (!l) return undefined;
  return { tenant, node, ifname, linkId: l.id, netns: netnsName(model.name, node), carries: { kind: 'client' } };
}

export function capturePoints(model: LabModel): CapturePoint[] {
  const pts: CapturePoint[] = [];
  for (const n of model.nodes.filter((x) => x.role === 'endpoint' && x.tenant)) {
    const p = endpointPoint(model, n.name, n.interfaces[0]!.name, n.tenant!);
    if (p) pts.push(p);
  }
  const plan = computePlan(model);
  for (const v of layoutOf(model).vms) {
    const tenant = v.site?.split('/')[0];
    if (!tenant) continue;
    // The echo target is the site's first system: its VLAN's VNI is what the train rides in.
    const sp = plan.sites.find((x) => `${x.tenant}/${x.site}` === v.site);
    const vlan = siteSystems(model, v.site!)[0]?.vlan;
    const carries: PortCarries | undefined =
      sp && vlan ? { kind: 'vtep', tagged: v.kind === 'qemu', vni: vniOf(sp.hostTag, vlan) } : undefined;
    // The tap is the hypervisor bridge's end of the VM's link (a root-namespace interface).
    pts.push({ tenant, node: v.host, ifname: v.tap, linkId: v.linkId, netns: null, carries });
  }
  return pts;
}

export interface Watched<T> {
  value: T;
  flows: FlowLoss[];
  crossTenantFrames: number;
  /** Every captured train frame against the stack its port should carry. */
  stacks: StackCheck;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until none of `files` has grown for 300 ms (at most 5 s). */
async function settled(files: string[]): Promise<void> {
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return -1;
    }
  };
  const deadline = Date.now() + 5000;
  let last = files.map(size);
  let quiet = 0;
  while (quiet < 3 && Date.now() < deadline) {
    await sleep(100);
    const now = files.map(size);
    quiet = now.every((n, k) => n === last[k]) ? quiet + 1 : 0;
    last = now;
  }
}

/**
 * Runs `act` while every flow's echo train runs (started `leadMs` before it) and every tenant
 * port is captured; then loss per flow from its client capture and the cross-tenant count.
 * maxGapStart is in epoch ms here.
 */
export async function watchFlows<T>(
  model: LabModel,
  flows: EchoFlow[],
  po: ProbeOptions,
  act: () => Promise<T>,
  runtime = 'unknown',
): Promise<Watched<T>> {
  const pps = po.pps ?? 1000;
  const count = echoTrainSize(pps, po.seconds ?? 15);
  // Under the lab's failover folder, not the system's temporary one: `fabric down` after a killed
  // probe removes its captures with the guests' run directories.
  const root = join(failoverDir(), checkLabName(model.name));
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(join(root, 'probe-'));
  const pts = capturePoints(model);
  // Each flow is judged from the capture on its client interface (one of the tenant ports).
  const ownAt = flows.map((f) => {
    let i = pts.findIndex((x) => x.netns === f.netns && x.ifname === f.ifname);
    if (i < 0) {
      const p = endpointPoint(model, f.from, f.ifname, f.tenant);
      if (!p) throw new FabricError('E_FAILOVER_PROBE', `no link at ${f.from}:${f.ifname} to capture`);
      i = pts.push({ ...p, carries: undefined }) - 1;
    }
    return i;
  });
  const patterns = Object.fromEntries(flows.map((f) => [f.tenant, f.pattern]));
  let cap: PointCapture | null = null;
  const trains: EchoTrainRun[] = [];
  try {
    cap = await startPointCaptures(model, runtime, pts, dir);
    const { points } = cap;
    const own = ownAt.map((i) => points[i]!);
    const ready = await Promise.all(
      flows.map(async (f) => ({ ...f, srcMac: f.srcMac ?? (await linkMac(f.netns, f.ifname)) })),
    );
    await Promise.all(ready.map(warmUp));
    for (const f of ready) trains.push(await startEchoTrain(f, count, pps, dir));
    await sleep(po.leadMs ?? 2000);
    const value = await act();
    const errors = await Promise.all(trains.map(finishEchoTrain));
    // tcpdump stops at SIGINT without draining the kernel buffer; on a loaded host it lags the
    // train, so the client captures must have caught up first (bounded).
    await settled(own.map((p) => p.file));
    const manifest = await stopPointCaptures(cap);
    const losses = await Promise.all(
      ready.map(async (f, i) => {
        const l = await analyseEchoCapture(f, count, own[i]!.file);
        const dropped = droppedAt(cap!, manifest, own[i]!.file);
        const why = [errors[i], l.probeError, dropped ? `the client capture dropped ${dropped} frames` : null].filter(
          (x): x is string => !!x,
        );
        return why.length ? { ...l, probeError: why.join('; ') } : l;
      }),
    );
    let crossTenantFrames = 0;
    for (const p of points) crossTenantFrames += await foreignFrames(p.file, p.tenant, patterns);
    return { value, flows: losses, crossTenantFrames, stacks: await checkCaptures(points, patterns) };
  } finally {
    for (const t of trains) t.proc.kill('SIGTERM');
    await Promise.allSettled([...trains.map((t) => t.proc), ...(cap ? [stopPointCaptures(cap)] : [])]);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function watched(lab: string, site: string, po: ProbeOptions, act: () => Promise<Timeline>): Promise<Timeline> {
  const st = readState(lab);
  if (!st) return act();
  const w = await watchFlows(st.model, flowsFor(st.model, site), po, act, st.runtime);
  const tl = w.value;
  tl.flows = w.flows.map((f) => ({ ...f, maxGapStart: f.maxGapStart ? f.maxGapStart - tl.detectedAt : 0 }));
  tl.crossTenantFrames = w.crossTenantFrames;
  tl.stacksDuring = w.stacks;
  return tl;
}

export async function failoverWithProbe(lab: string, o: FailoverOptions, po: ProbeOptions = {}): Promise<Timeline> {
  const st = readState(lab);
  const site = st ? (layoutOf(st.model).hypervisors.find((h) => h.name === o.host)?.site ?? null) : null;
  if (!site) return runFailover(lab, o); // the engine reports the bad host
  return watched(lab, site, po, () => runFailover(lab, o));
}

export async function failbackWithProbe(
  lab: string,
  po: ProbeOptions = {},
  onStep?: FailoverOptions['onStep'],
): Promise<Timeline> {
  const st = readState(lab);
  const fs = readFailoverState(lab);
  const layout = st ? layoutOf(st.model) : null;
  const site =
    fs && layout
      ? Object.entries(fs.home).find(([s, home]) => layout.hypervisors.find((h) => h.site === s)?.name !== home)?.[0]
      : undefined;
  if (!site) return runFailback(lab, { onStep }); // the engine reports "nothing to fail back"
  return watched(lab, site, po, () => runFailback(lab, { onStep }));
}
