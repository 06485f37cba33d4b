// A failover (or fail-back) with the data plane watched: one ping flow per tenant toward the
// moving site's address (and the same address in every other tenant), captures on every
// tenant endpoint and hypervisor tap, then loss per flow and the cross-tenant frame count.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readState } from '../runtime/state.js';
import { netnsName } from '../runtime/names.js';
import type { LabModel } from '../topology/model.js';
import { runFailback, runFailover, type FailoverOptions } from './engine.js';
import { layoutOf, siteSystems } from './layout.js';
import { readFailoverState } from './store.js';
import { finishPing, foreignFrames, patternOf, startCapturePoint, startPing, stopCapture, type CapturePoint, type PingFlow } from './probe.js';
import type { Timeline } from './timeline.js';

export interface ProbeOptions {
  seconds?: number;
  pps?: number;
  /** ms of steady traffic before the trigger. */
  leadMs?: number;
}

/** Ping flows: in every tenant, from its client farthest from the site (other DC first) to the site's first address. */
export function flowsFor(model: LabModel, site: string): PingFlow[] {
  const target = siteSystems(model, site)[0]!;
  const ip = target.ip.split('/')[0]!;
  const siteDc = layoutOf(model).hypervisors.find((h) => h.site === site)?.dc;
  const flows: PingFlow[] = [];
  for (const tenant of [...new Set(model.nodes.filter((n) => n.role === 'endpoint' && n.tenant).map((n) => n.tenant!))].sort()) {
    const eps = model.nodes.filter((n) => n.role === 'endpoint' && n.tenant === tenant && n.labels['fabric.site-type'] === 'client');
    const from = eps.find((n) => n.dc !== siteDc) ?? eps[0];
    if (!from) continue;
    const to = model.nodes.find((n) => n.role === 'endpoint' && n.tenant === tenant && n.interfaces[0]?.addresses[0]?.split('/')[0] === ip)?.name ?? `${site} (customer VM)`;
    flows.push({ tenant, from: from.name, netns: netnsName(model.name, from.name), to, ip, pattern: patternOf(tenant) });
  }
  return flows;
}

export function capturePoints(model: LabModel, dir: string): CapturePoint[] {
  const pts: CapturePoint[] = [];
  for (const n of model.nodes.filter((x) => x.role === 'endpoint' && x.tenant)) {
    pts.push({ tenant: n.tenant!, netns: netnsName(model.name, n.name), ifname: n.interfaces[0]!.name, file: join(dir, `${n.name}.pcap`) });
  }
  for (const v of layoutOf(model).vms) {
    const tenant = v.site?.split('/')[0];
    if (tenant) pts.push({ tenant, netns: null, ifname: v.tap, file: join(dir, `${v.name}-${v.tap}.pcap`) });
  }
  return pts;
}

async function watched(lab: string, site: string, po: ProbeOptions, act: () => Promise<Timeline>): Promise<Timeline> {
  const st = readState(lab);
  if (!st) return act();
  const dir = mkdtempSync(join(tmpdir(), 'fabric-failover-'));
  const flows = flowsFor(st.model, site);
  const pts = capturePoints(st.model, dir);
  const caps = pts.map(startCapturePoint);
  const patterns = Object.fromEntries(flows.map((f) => [f.tenant, f.pattern]));
  await new Promise((r) => setTimeout(r, 800)); // tcpdump attaches
  const pings = flows.map((f) => startPing(f, po.pps ?? 1000, po.seconds ?? 15));
  try {
    await new Promise((r) => setTimeout(r, po.leadMs ?? 2000));
    const tl = await act();
    tl.flows = (await Promise.all(pings.map(finishPing))).map((f) => ({ ...f, maxGapStart: f.maxGapStart ? f.maxGapStart - tl.detectedAt : 0 }));
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all(caps.map(stopCapture));
    tl.crossTenantFrames = pts.reduce((n, p) => n + foreignFrames(p.file, p.tenant, patterns), 0);
    return tl;
  } finally {
    for (const p of pings) p.proc.kill('SIGINT');
    for (const c of caps) c.proc.kill('SIGINT');
    await Promise.allSettled([...pings.map((p) => p.proc), ...caps.map((c) => c.proc)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function failoverWithProbe(lab: string, o: FailoverOptions, po: ProbeOptions = {}): Promise<Timeline> {
  const st = readState(lab);
  const site = st ? (layoutOf(st.model).hypervisors.find((h) => h.name === o.host)?.site ?? null) : null;
  if (!site) return runFailover(lab, o); // the engine reports the bad host
  return watched(lab, site, po, () => runFailover(lab, o));
}

export async function failbackWithProbe(lab: string, po: ProbeOptions = {}, onStep?: FailoverOptions['onStep']): Promise<Timeline> {
  const st = readState(lab);
  const fs = readFailoverState(lab);
  const layout = st ? layoutOf(st.model) : null;
  const site = fs && layout ? Object.entries(fs.home).find(([s, home]) => layout.hypervisors.find((h) => h.site === s)?.name !== home)?.[0] : undefined;
  if (!site) return runFailback(lab, { onStep }); // the engine reports "nothing to fail back"
  return watched(lab, site, po, () => runFailback(lab, { onStep }));
}
