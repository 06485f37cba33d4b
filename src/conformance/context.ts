// Everything a conformance run judges by: the deployed model, its tag plan (hash recorded with
// every verdict), the expectations derived from it, and the status document naming capture points.
import { FabricError } from '../errors/fabric-error.js';
import { getRuntime, readState } from '../runtime/index.js';
import type { SplitRecord, StatusDoc } from '../runtime/types.js';
import { Expectations } from '../tagging/expected.js';
import type { StitchedLinks } from '../tagging/stitched.js';
import { computePlan, planHash } from '../tagging/plan.js';
import type { TagPlan } from '../tagging/types.js';
import type { LabModel, NodeModel } from '../topology/model.js';
import { layoutOf } from '../failover/layout.js';
import { guestsNotSetUp } from './failover-moves.js';

export interface SystemInfo {
  tenant: string;
  site: string;
  system: string;
  node: NodeModel;
  netns: string;
  ifname: string;
  mac: string;
  ip: string;
  vlan: number;
  dc: string;
}

export interface TestContext {
  lab: string;
  runtime: string;
  model: LabModel;
  plan: TagPlan;
  planHash: string;
  exp: Expectations;
  status: StatusDoc;
  systems: SystemInfo[];
  /**
   * Why the lab's guests are not there to judge (`fabric up --no-guests`), on a lab with
   * hypervisors; absent when they are set up or the lab has none.
   */
  guestsNotSetUp?: string;
}

export async function loadContext(lab: string): Promise<TestContext> {
  const state = readState(lab);
  if (!state)
    throw new FabricError('E_LAB_NOT_FOUND', `lab ${lab} is not deployed`, {
      hint: `fabric up labs/${lab}/fabric.yml`,
    });
  const model = state.model;
  const plan = computePlan(model);
  const status = await getRuntime(state.runtime).status(lab);
  const systems: SystemInfo[] = [];
  for (const n of model.nodes.filter((x) => x.role === 'endpoint')) {
    const st = status.nodes.find((x) => x.name === n.name);
    const f = n.interfaces[0];
    const facts = n.facts;
    if (!st?.netns || !f?.mac || !f.addresses[0] || !n.tenant || facts?.vlan === undefined) continue;
    systems.push({
      tenant: n.tenant,
      site: facts.site ?? '',
      system: facts.system ?? '',
      node: n,
      netns: st.netns,
      ifname: f.name,
      mac: f.mac,
      ip: f.addresses[0].split('/')[0],
      vlan: facts.vlan,
      dc: n.dc ?? '',
    });
  }
  // What is deployed, not only what is declared: without guests nothing beyond a hypervisor's
  // uplink is programmed, so nothing there is expected.
  const notSetUp = layoutOf(model).vms.length ? guestsNotSetUp(lab) : null;
  return {
    lab,
    runtime: state.runtime,
    model,
    plan,
    planHash: planHash(plan),
    exp: new Expectations(model, plan, {
      guests: !notSetUp,
      ...(state.split ? { stitched: stitchedLinks(state.split) } : {}),
    }),
    status,
    systems,
    ...(notSetUp ? { guestsNotSetUp: notSetUp } : {}),
  };
}

/** The stitched links of a lab split over hosts, as the expectations take them. */
export function stitchedLinks(rec: SplitRecord): StitchedLinks {
  const address = new Map(rec.hosts.map((h) => [h.name, h.address]));
  return new Map(
    rec.stitched.map((s) => [
      s.id,
      {
        vni: s.vni,
        dstPort: rec.dstPort,
        hostAddress: new Map(s.ends.map((e) => [e.node, address.get(e.host)!])),
      },
    ]),
  );
}

/** The seed's payload markers, one per tenant in plan order (more tenants get T<n>). */
export function markerOf(ctx: TestContext, tenant: string): string {
  const tenants = [...new Set(ctx.plan.sites.map((s) => s.tenant))];
  const i = tenants.indexOf(tenant);
  return ['Happy', 'Grumpy', 'Sneezy', 'Dopey'][i] ?? `T${i + 1}`;
}

/** Each tenant's anchor: its first client system (canaries and probes start there). */
export function anchors(ctx: TestContext): SystemInfo[] {
  const out: SystemInfo[] = [];
  for (const t of new Set(ctx.systems.map((s) => s.tenant))) {
    const sys = ctx.systems.filter((s) => s.tenant === t);
    const a =
      sys.find((s) => ctx.plan.sites.find((p) => p.tenant === t && p.site === s.site)?.type === 'client') ?? sys[0];
    if (a) out.push(a);
  }
  return out;
}
