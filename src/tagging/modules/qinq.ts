// qinq: Tag1 (host, 802.1ad) per site and Tag2 (customer, 802.1Q) per tenant L2 domain
// (tenant, own VLAN), and the DC switch pipeline that maps between them (seed 001 [0054]-[0057],
// [0099]: tags added on ingress, unexpected tags removed on delivery, the client's own tag kept).
//
// DC switch tables (registers: reg0 = domain, reg1 = learned output port, reg2 = 1 when the frame
// came from another DC, reg6 = Tag1 of the local ingress site); goto_table only goes forward:
//   0  classify: local site port + own VLAN → domain; gateway port + Tag1 → pop, table 1
//   1  classify fabric: (Tag1, Tag2) pair → domain, Tag2 translated back to the own VLAN
//   2  learn per domain (identical MACs in two tenants never meet), then 3 and 4
//   3  learned MACs (reg0, eth_dst) → reg1
//   4  egress: local port as is; gateway port with Tag2 + Tag1 pushed; unknown/broadcast → meter
//      + flood group. Split horizon: a frame from another DC never goes back to any DC.
import { Allocator, COOKIE, VLAN_MAX, VLAN_MIN, type RenderContext, type TagModule } from './module.js';
import type { PlanContext } from '../context.js';
import type { SiteIntent, TenantIntent } from '../../topology/intent.js';
import { arrivals, renderRelays, treeGateways } from './transit.js';
import type { DomainPlan, SitePlan } from '../types.js';

const HOST_TAG_START = 101;
const CUSTOMER_TAG_START = 201;

/** Table numbers of the DC switch pipeline. */
export const T = { classify: 0, fabric: 1, learn: 2, mac: 3, egress: 4 } as const;

type Check = (v: number, path: string, what: string) => boolean;

function vlanCheck(ctx: PlanContext): Check {
  return (v, path, what) => {
    if (Number.isInteger(v) && v >= VLAN_MIN && v <= VLAN_MAX) return true;
    ctx.bag.add({
      code: 'E_TAG_RANGE',
      file: ctx.lab.source,
      path,
      message: `${what} ${v} is not a usable VLAN ID`,
      hint: `use ${VLAN_MIN}-${VLAN_MAX}; 0 and 4095 are reserved`,
    });
    return false;
  };
}

/** Declared Tag1 and Tag2 values first, so allocation never hands them to someone else. */
function allocators(ctx: PlanContext): { host: Allocator; cust: Allocator } {
  const check = vlanCheck(ctx);
  const hostTaken = new Set<number>();
  const custTaken = new Set<number>();
  for (const [tname, t] of Object.entries(ctx.intent.tenants)) {
    t.sites.forEach((s, i) => {
      if (s.host_tag !== undefined && check(s.host_tag, `tenants.${tname}.sites[${i}].host_tag`, 'host tag'))
        hostTaken.add(s.host_tag);
    });
    for (const [v, c] of Object.entries(t.customer_tags ?? {})) {
      if (check(c, `tenants.${tname}.customer_tags.${v}`, 'customer tag')) custTaken.add(c);
    }
  }
  return {
    host: new Allocator(HOST_TAG_START, VLAN_MAX, hostTaken),
    cust: new Allocator(CUSTOMER_TAG_START, VLAN_MAX, custTaken),
  };
}

/** One L2 domain per (tenant, own VLAN), with its Tag2. */
function tenantDomains(ctx: PlanContext, tname: string, t: TenantIntent, cust: Allocator): Map<number, DomainPlan> {
  const vlans = [...new Set(t.sites.flatMap((s) => s.systems.map((y) => y.vlan)))].sort((a, b) => a - b);
  const domains = new Map<number, DomainPlan>();
  const customerTags = new Map(Object.entries(t.customer_tags ?? {}));
  for (const v of vlans) {
    const tag = customerTags.get(String(v)) ?? cust.take();
    if (tag === undefined) {
      ctx.bag.add({
        code: 'E_TAG_EXHAUSTED',
        file: ctx.lab.source,
        path: `tenants.${tname}`,
        message: `no customer tag (Tag2) left for own VLAN ${v}`,
        hint: 'declare customer_tags or reduce the number of tenant VLANs',
      });
      continue;
    }
    const d: DomainPlan = { id: ctx.plan.domains.length + 1, tenant: tname, ownVlan: v, customerTag: tag, sites: [] };
    domains.set(v, d);
    ctx.plan.domains.push(d);
  }
  return domains;
}

/** A site's Tag1 and attachment: its access switch, or where a module (hypervisor) attached it. */
function sitePlan(ctx: PlanContext, tname: string, s: SiteIntent, i: number, host: Allocator): SitePlan | undefined {
  const { index, bag } = ctx;
  const file = ctx.lab.source;
  const hostTag = s.host_tag ?? host.take();
  if (hostTag === undefined) {
    bag.add({
      code: 'E_TAG_EXHAUSTED',
      file,
      path: `tenants.${tname}.sites[${i}]`,
      message: 'no host tag (Tag1) left',
      hint: 'at most 4094 sites fit in one S-VLAN space; declare host_tag values',
    });
    return undefined;
  }
  const attached = ctx.attachments.get(`${tname}/${s.name}`);
  const sw = attached
    ? index.node(attached)
    : index.lab.nodes.find((n) => n.role === 'access-switch' && n.tenant === tname && n.facts?.site === s.name);
  const up = sw && index.portsOf(sw.name).find((p) => index.node(p.peer).role === 'dc-switch');
  if (!sw || !up) {
    bag.add({
      code: 'E_PLAN_TOPOLOGY',
      file,
      path: `tenants.${tname}.sites[${i}]`,
      message: `site ${s.name} has no access switch linked to a DC switch`,
      hint: 'regenerate the lab model (fabric generate)',
    });
    return undefined;
  }
  return {
    tenant: tname,
    site: s.name,
    type: s.type,
    // Where the site is attached now: a failover to an HA hypervisor of another DC moves it there.
    dc: sw.dc ?? s.dc,
    hostTag,
    vlans: [...new Set(s.systems.map((y) => y.vlan))].sort((a, b) => a - b),
    accessSwitch: sw.name,
    dcPort: up.peerIf,
  };
}

/** On the fabric a tenant is its (Tag1, Tag2) pair: two tenants must never share one. */
function checkPairs(ctx: PlanContext): void {
  const { plan, intent } = ctx;
  const pairs = new Map<string, string>();
  for (const sp of plan.sites) {
    for (const v of sp.vlans) {
      const d = plan.domains.find((x) => x.tenant === sp.tenant && x.ownVlan === v);
      if (!d) continue;
      const key = `${sp.hostTag}/${d.customerTag}`;
      const who = `${sp.tenant}/${sp.site} VLAN ${v}`;
      const prev = pairs.get(key);
      if (prev && prev.split('/')[0] !== sp.tenant) {
        const i = intent.tenants[sp.tenant]!.sites.findIndex((x) => x.name === sp.site);
        ctx.bag.add({
          code: 'E_TAG_COLLISION',
          file: ctx.lab.source,
          path: `tenants.${sp.tenant}.sites[${i}].host_tag`,
          message: `fabric tag pair (host ${sp.hostTag}, customer ${d.customerTag}) of ${who} is already used by ${prev}`,
          hint: 'give one of the sites another host_tag or the tenant another customer tag',
        });
      } else if (!prev) pairs.set(key, who);
    }
  }
}

export const qinq: TagModule = {
  name: 'qinq',
  description:
    'Tag1 host (802.1ad) per site, Tag2 customer (802.1Q) per tenant VLAN; DC switch map, learning and flooding',
  requires: ['hypervisor'],
  roles: ['dc-switch'],

  allocate(ctx: PlanContext): void {
    const { host, cust } = allocators(ctx);
    for (const [tname, t] of Object.entries(ctx.intent.tenants)) {
      const domains = tenantDomains(ctx, tname, t, cust);
      t.sites.forEach((s, i) => {
        const sp = sitePlan(ctx, tname, s, i, host);
        if (!sp) return;
        ctx.plan.sites.push(sp);
        for (const v of sp.vlans) domains.get(v)?.sites.push(s.name);
      });
    }
    checkPairs(ctx);
  },

  render(ctx: RenderContext): void {
    const { plan, index } = ctx;
    for (const dc of plan.dcs) {
      const swNode = index.byRole('dc-switch').find((n) => n.dc === dc.name);
      if (!swNode) continue;
      const sw = swNode.name;
      const prog = ctx.program(sw);
      const c = `cookie=${COOKIE.qinq}`;
      const ofp = (ifname: string) => index.ofport(sw, ifname);
      const local = plan.sites.filter((s) => s.dc === dc.name);
      const domainOf = (tenant: string, v: number) => plan.domains.find((d) => d.tenant === tenant && d.ownVlan === v);
      const sitesIn = (d: DomainPlan, dcName: string) =>
        plan.sites.filter((s) => s.tenant === d.tenant && s.dc === dcName && s.vlans.includes(d.ownVlan));
      // Gateways toward the next DCs of the domain's tree from here: nothing else is ever sent there.
      const gwsFor = (d: DomainPlan) => treeGateways(plan, dc, d, dc.name);

      prog.meters.push(
        `meter=1,pktps,burst,stats,bands=type=drop,rate=${plan.floodMeterPps},burst_size=${plan.floodMeterPps}`,
      );
      const flows = prog.flows;
      // Table 0: local sites.
      for (const s of local) {
        for (const v of s.vlans) {
          const d = domainOf(s.tenant, v);
          if (!d) continue;
          flows.push(
            `${c},table=${T.classify},priority=100,in_port=${s.dcPort},dl_vlan=${v},actions=set_field:${d.id}->reg0,set_field:0->reg2,set_field:${s.hostTag}->reg6,goto_table:${T.learn}`,
          );
        }
      }
      // Tables 0 and 1: frames from other DCs, identified by their (Tag1, Tag2) pair, on the
      // segment their domain's tree brings them in on (directly from their DC, or through transit).
      for (const g of dc.gateways) {
        for (const { site: rs, domains: shared } of arrivals(plan, dc.name, g.remoteDc)) {
          flows.push(
            `${c},table=${T.classify},priority=100,in_port=${g.dcSwitchPort},dl_vlan=${rs.hostTag},actions=pop_vlan,set_field:${rs.hostTag}->reg6,goto_table:${T.fabric}`,
          );
          for (const d of shared) {
            flows.push(
              `${c},table=${T.fabric},priority=100,in_port=${g.dcSwitchPort},reg6=${rs.hostTag},dl_vlan=${d.customerTag},actions=set_field:${4096 + d.ownVlan}->vlan_vid,set_field:${d.id}->reg0,set_field:1->reg2,goto_table:${T.learn}`,
            );
          }
        }
      }
      flows.push(`${c},table=${T.classify},priority=0,actions=drop`);
      flows.push(`${c},table=${T.fabric},priority=0,actions=drop`);
      // Learn per domain, then look up (a miss leaves reg1 = 0: flood), then egress.
      flows.push(
        `${c},table=${T.learn},priority=0,actions=learn(table=${T.mac},idle_timeout=300,priority=100,cookie=${COOKIE.learned},NXM_NX_REG0[],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_IN_PORT[]->NXM_NX_REG1[0..15]),resubmit(,${T.mac}),resubmit(,${T.egress})`,
      );
      flows.push(`${c},table=${T.mac},priority=0,actions=set_field:0->reg1`);
      // Egress.
      for (const g of dc.gateways)
        flows.push(`${c},table=${T.egress},priority=200,reg2=1,reg1=${ofp(g.dcSwitchPort)},actions=drop`);
      let gid = 0;
      const groups = prog.groups;
      // Flood buckets only choose the output port and re-enter the egress table: OVS loses a
      // rewrite of the inner VLAN followed by push_vlan inside a group bucket (measured on 3.1),
      // but not in a flow, and unicast and flood then share one egress flow per port.
      const via = (port: string) => `bucket=set_field:${ofp(port)}->reg1,resubmit(,${T.egress})`;
      const relay = { plan, dc, cookie: c, egressTable: T.egress, ofp, flows, groups };
      for (const d of plan.domains) {
        const here = sitesIn(d, dc.name);
        if (!here.length) {
          gid = renderRelays({ ...relay, d, here }, gid);
          continue;
        }
        const gws = gwsFor(d);
        for (const s of here)
          flows.push(
            `${c},table=${T.egress},priority=100,reg0=${d.id},reg1=${ofp(s.dcPort)},actions=output:${s.dcPort}`,
          );
        for (const s of here) {
          // Toward another DC: Tag2 replaces the own VID (PCP kept), Tag1 of the ingress site on top.
          for (const g of gws) {
            flows.push(
              `${c},table=${T.egress},priority=100,reg0=${d.id},reg1=${ofp(g.dcSwitchPort)},reg6=${s.hostTag},vlan_tci=0x1000/0x1000,actions=set_field:${4096 + d.customerTag}->vlan_vid,push_vlan:0x88a8,set_field:${4096 + s.hostTag}->vlan_vid,output:${g.dcSwitchPort}`,
            );
          }
          // Flood from a local site: the other local sites of the domain, and one copy per remote DC.
          const buckets = [
            ...here.filter((o) => o !== s).map((o) => via(o.dcPort)),
            ...gws.map((g) => via(g.dcSwitchPort)),
          ];
          if (buckets.length) {
            groups.push(`group_id=${++gid},type=all,${buckets.join(',')}`);
            flows.push(
              `${c},table=${T.egress},priority=50,reg0=${d.id},reg1=0,reg2=0,reg6=${s.hostTag},actions=meter:1,group:${gid}`,
            );
          }
        }
        // Flood from another DC: local sites only (split horizon: no DC-to-DC relay, no loops),
        // unless this DC stitches the domain's tree on toward further DCs (transit).
        groups.push(`group_id=${++gid},type=all,${here.map((o) => via(o.dcPort)).join(',')}`);
        flows.push(`${c},table=${T.egress},priority=50,reg0=${d.id},reg1=0,reg2=1,actions=meter:1,group:${gid}`);
        gid = renderRelays({ ...relay, d, here }, gid);
      }
      flows.push(`${c},table=${T.egress},priority=0,actions=drop`);
    }
  },
};
