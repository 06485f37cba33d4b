// Reachability and delivery judged from the intent: a plan that forgets a datacenter (dc3 of the
// ring lab), and a fabric and probe that faithfully follow it, must still be red. Each case has a
// passing twin (the same judges over a run that reaches everyone), so red is not the default.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { SystemInfo, TestContext } from '../../../src/conformance/context.js';
import type { CapturedFrame, RunFrames } from '../../../src/conformance/frames.js';
import type { CheckDef, Judgement } from '../../../src/conformance/judge.js';
import type { ProbeRecord, SentCanary } from '../../../src/conformance/probe.js';
import { intentPairs } from '../../../src/conformance/reach.js';
import { delivery } from '../../../src/conformance/suites/delivery.js';
import { reach } from '../../../src/conformance/suites/reach.js';
import { Expectations, type FlowSpec } from '../../../src/tagging/expected.js';
import { computePlan } from '../../../src/tagging/index.js';
import type { TagPlan } from '../../../src/tagging/types.js';
import { loadLabText } from '../../../src/topology/index.js';

const model = loadLabText(
  readFileSync(new URL('../../../labs/ring4/fabric.yml', import.meta.url).pathname, 'utf8'),
  'labs/ring4/fabric.yml',
);
const FORGOTTEN = 'dc3';

/** The real plan with one DC left out: its label, its gateways and its sites gone. */
function forgetDc(p: TagPlan, dc: string): TagPlan {
  const gone = new Set(p.sites.filter((s) => s.dc === dc).map((s) => `${s.tenant}/${s.site}`));
  return {
    ...p,
    sites: p.sites.filter((s) => s.dc !== dc),
    domains: p.domains.map((d) => ({ ...d, sites: d.sites.filter((s) => !gone.has(`${d.tenant}/${s}`)) })),
    dcs: p.dcs
      .filter((d) => d.name !== dc)
      .map((d) => ({ ...d, gateways: d.gateways.filter((g) => g.remoteDc !== dc) })),
    lsps: p.lsps.filter((l) => l.from !== dc && l.to !== dc),
  };
}

const systems: SystemInfo[] = model.nodes
  .filter((n) => n.role === 'endpoint')
  .map((n) => ({
    tenant: n.tenant ?? '',
    site: n.facts?.site ?? '',
    system: n.facts?.system ?? '',
    node: n,
    netns: n.name,
    ifname: 'eth1',
    mac: n.interfaces[0]?.mac ?? '',
    ip: n.interfaces[0]?.addresses[0]?.split('/')[0] ?? '',
    vlan: n.facts?.vlan ?? 0,
    dc: n.dc ?? '',
  }));

function contextFor(plan: TagPlan): TestContext {
  return {
    lab: 'ring4',
    runtime: 'netns',
    model,
    plan,
    planHash: 'x',
    exp: new Expectations(model, plan),
    systems,
  } as unknown as TestContext;
}

/** Canaries of each tenant's first client system, as the probe sends them. */
function canaries(): SentCanary[] {
  const out: SentCanary[] = [];
  for (const src of systems.filter((s) => s.site === 'c1')) {
    const base = { tenant: src.tenant, src, frame: new Uint8Array() };
    const sys = { site: src.site, system: src.system };
    out.push({
      ...base,
      key: `${src.tenant}|broadcast`,
      cls: 'broadcast',
      flow: { tenant: src.tenant, src: sys, dst: { flood: 'broadcast' } },
    });
    for (const d of systems.filter((o) => o !== src && o.tenant === src.tenant && o.vlan === src.vlan)) {
      const flow: FlowSpec = { tenant: src.tenant, src: sys, dst: { site: d.site, system: d.system } };
      out.push({ ...base, key: `${src.tenant}|unicast|${d.node.name}`, cls: 'unicast', dst: d, flow });
    }
  }
  return out;
}

/** A run in which every canary reached exactly the client ports `plan` sends it to. */
function runFollowing(plan: TagPlan, cs: SentCanary[]): RunFrames {
  const exp = new Expectations(model, plan);
  const byCanary = new Map<string, CapturedFrame[]>();
  for (const c of cs) {
    let ts: ReturnType<typeof exp.traversals> = [];
    try {
      ts = exp.traversals(c.flow);
    } catch {
      // A destination the plan does not know: the fabric delivers the canary nowhere.
    }
    const frames = ts
      .filter((t) => t.class === 'client-access' && t.to !== c.src.node.name)
      .map((t) => ({ linkId: t.link.id, node: t.to, canaryKey: c.key }) as unknown as CapturedFrame);
    byCanary.set(c.key, frames);
  }
  return { files: [], frames: [...byCanary.values()].flat(), byCanary };
}

/** Records of a probe that asked only what `plan` knows, each answered. */
function probeFollowing(plan: TagPlan, cs: SentCanary[]): ProbeRecord {
  const known = new Set(plan.sites.map((s) => `${s.tenant}/${s.site}`));
  const pairs = intentPairs(model).filter(
    (p) => known.has(`${p.tenant}/${p.from.site}`) && known.has(`${p.tenant}/${p.to.site}`),
  );
  const base = (p: (typeof pairs)[number]) => ({ tenant: p.tenant, from: p.from.node, to: p.to.node, ip: p.to.ip });
  return {
    runDir: '',
    runId: 'r',
    manifest: {},
    canaries: cs,
    pings: pairs.map((p) => ({ ...base(p), result: { transmitted: 2, received: 2 } })),
    arpings: pairs.map((p) => ({
      ...base(p),
      mac: p.to.mac ?? '',
      result: { received: 1, responders: [p.to.mac ?? ''] },
    })),
    udp: pairs.map((p) => ({ ...base(p), sent: 10, report: { unique: 10, foreign: 0, foreignMarkers: [] } })),
  } as unknown as ProbeRecord;
}

async function verdict(check: CheckDef, plan: TagPlan): Promise<string> {
  const cs = canaries();
  const j: Judgement = {
    ctx: contextFor(plan),
    probe: probeFollowing(plan, cs),
    run: runFollowing(plan, cs),
    stats: {},
  };
  try {
    await check.judge(j);
    return 'green';
  } catch (e) {
    return (e as Error).message;
  }
}

const good = computePlan(model);
const broken = forgetDc(good, FORGOTTEN);
const checks = [...reach, delivery.find((c) => c.id === 'delivery/every-destination') as CheckDef];

describe('reachability and delivery from the intent, not the plan', () => {
  it('the broken plan really forgets a DC (its expectations deliver a flood to no system there)', () => {
    const f: FlowSpec = { tenant: 'green', src: { site: 'c1', system: 'h1' }, dst: { flood: 'broadcast' } };
    const delivered = (p: TagPlan) =>
      new Expectations(model, p)
        .traversals(f)
        .filter((t) => t.class === 'client-access' && t.from !== 'green-c1-h1')
        .map((t) => t.to);
    expect(delivered(good)).to.deep.equal(['green-k2-v1', 'green-k3-v1']);
    expect(delivered(broken)).to.deep.equal(['green-k2-v1']);
  });
  for (const check of checks) {
    it(`${check.id}: green when the fabric reaches every system the intent declares`, async () => {
      expect(await verdict(check, good)).to.equal('green');
    });
    it(`${check.id}: red on a fabric and probe that follow a plan forgetting ${FORGOTTEN}`, async () => {
      const v = await verdict(check, broken);
      expect(v).to.not.equal('green');
      expect(v).to.match(/red-k3-v1|green-k3-v1/);
    });
  }
});
