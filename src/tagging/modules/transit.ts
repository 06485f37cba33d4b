// Transit through a DC (multi-segment pseudowires, RFC 6073 style): where two DCs of a tenant
// domain have no direct path, the DC switch of each DC in between stitches the segment it
// received the frame on to the segments of the domain's tree that lead on (dc-routes.ts). The
// (Tag1, Tag2) pair is kept end to end; each segment's gateway pushes the Tag3 of the DC at its far
// end, so Tag3 is swapped per segment. Split horizon per segment: a frame from another DC leaves
// only toward its tree's children at this DC, never back on the segment it came from.
import { domainTree, parentIn } from '../dc-routes.js';
import type { DcPlan, DomainPlan, GatewayPlan, SitePlan, TagPlan } from '../types.js';

/** Remote sites whose frames arrive at DC `at` on the segment from `via`, with the domains concerned. */
export function arrivals(plan: TagPlan, at: string, via: string): { site: SitePlan; domains: DomainPlan[] }[] {
  const out: { site: SitePlan; domains: DomainPlan[] }[] = [];
  for (const rs of plan.sites) {
    if (rs.dc === at) continue;
    const domains = rs.vlans
      .map((v) => plan.domains.find((d) => d.tenant === rs.tenant && d.ownVlan === v))
      .filter((d): d is DomainPlan => !!d && parentIn(plan, d, rs.dc, at) === via);
    if (domains.length) out.push({ site: rs, domains });
  }
  return out;
}

/** Gateways of `dc` on which frames of domain `d` that entered the fabric in DC `src` leave. */
export function treeGateways(plan: TagPlan, dc: DcPlan, d: DomainPlan, src: string): GatewayPlan[] {
  const next = domainTree(plan, d, src).get(dc.name) ?? [];
  return dc.gateways.filter((g) => next.includes(g.remoteDc));
}

export interface RelayContext {
  plan: TagPlan;
  dc: DcPlan;
  d: DomainPlan;
  /** Local sites of the domain at this DC (a pure transit DC has none). */
  here: SitePlan[];
  cookie: string;
  egressTable: number;
  ofp: (port: string) => string;
  flows: string[];
  groups: string[];
}

/**
 * Stitching flows for frames of domain `d` that cross this DC from another: per ingress site (its
 * Tag1 names the DC it entered in), unicast toward a next segment, and a flood to the local sites
 * and the next segments. Returns the last group id used. Nothing in a full mesh (no DC relays).
 */
export function renderRelays(r: RelayContext, gid: number): number {
  const { plan, dc, d, here, cookie: c, egressTable: T4, ofp } = r;
  const via = (port: string) => `bucket=set_field:${ofp(port)}->reg1,resubmit(,${T4})`;
  for (const rs of plan.sites) {
    if (rs.dc === dc.name || rs.tenant !== d.tenant || !rs.vlans.includes(d.ownVlan)) continue;
    if (parentIn(plan, d, rs.dc, dc.name) === undefined) continue;
    const next = treeGateways(plan, dc, d, rs.dc);
    if (!next.length) continue;
    // Above the split-horizon drop (priority 200): only the tree's next segments.
    for (const g of next)
      r.flows.push(
        `${c},table=${T4},priority=300,reg0=${d.id},reg1=${ofp(g.dcSwitchPort)},reg2=1,reg6=${rs.hostTag},vlan_tci=0x1000/0x1000,actions=set_field:${4096 + d.customerTag}->vlan_vid,push_vlan:0x88a8,set_field:${4096 + rs.hostTag}->vlan_vid,output:${g.dcSwitchPort}`,
      );
    const buckets = [...here.map((o) => via(o.dcPort)), ...next.map((g) => via(g.dcSwitchPort))];
    r.groups.push(`group_id=${++gid},type=all,${buckets.join(',')}`);
    r.flows.push(
      `${c},table=${T4},priority=60,reg0=${d.id},reg1=0,reg2=1,reg6=${rs.hostTag},actions=meter:1,group:${gid}`,
    );
  }
  return gid;
}
