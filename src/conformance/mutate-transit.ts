// Misprogrammings of a transit DC (multi-segment pseudowires, tagging/modules/transit.ts). They
// apply only to labs where some tenant's frames cross a DC in between; on a full mesh they are
// left out of the score.
import { FabricError } from '../errors/fabric-error.js';
import { domainTree, parentIn } from '../tagging/dc-routes.js';
import type { BridgeProgram } from '../tagging/modules/module.js';
import { T } from '../tagging/modules/qinq.js';
import type { DomainPlan, GatewayPlan, SitePlan } from '../tagging/types.js';
import { anchors, type TestContext } from './context.js';
import type { Mutation } from './mutate-types.js';

export interface TransitStitch {
  /** The site the frames entered the fabric at (an anchor: canaries start there). */
  site: SitePlan;
  domain: DomainPlan;
  /** The transit DC, the DC its frames came from, and the next DC on the tree. */
  at: string;
  parent: string;
  next: string;
  /** At the transit DC: the gateway of the next segment, and of the segment the frames came on. */
  out: GatewayPlan;
  back: GatewayPlan;
}

/** The first stitch a canary crosses (anchors' sites, plan order), if the lab has any. */
export function findStitch(ctx: TestContext): TransitStitch | undefined {
  const { plan } = ctx;
  for (const a of anchors(ctx)) {
    const site = plan.sites.find((s) => s.tenant === a.tenant && s.site === a.site);
    const domain = plan.domains.find((d) => d.tenant === a.tenant && d.ownVlan === a.vlan);
    if (!site || !domain) continue;
    for (const [at, kids] of domainTree(plan, domain, site.dc)) {
      const parent = parentIn(plan, domain, site.dc, at);
      const gws = plan.dcs.find((d) => d.name === at)?.gateways ?? [];
      const out = gws.find((g) => g.remoteDc === kids[0]);
      const back = gws.find((g) => g.remoteDc === parent);
      if (parent && out && back) return { site, domain, at, parent, next: kids[0], out, back };
    }
  }
  return undefined;
}

function stitch(ctx: TestContext): TransitStitch {
  const s = findStitch(ctx);
  if (!s) throw new FabricError('E_MUTATE_LAB', 'no tenant frame crosses a transit DC in this lab');
  return s;
}

const swOf = (ctx: TestContext, dc: string) =>
  ctx.model.nodes.find((n) => n.role === 'dc-switch' && n.dc === dc)?.name ?? '';

export const TRANSIT_MUTATIONS: Mutation[] = [
  {
    name: 'wrong-tag3-at-transit',
    description: "the next segment out of a transit DC carries the transit DC's own Tag3 instead of the next DC's",
    applies: (ctx) => findStitch(ctx) !== undefined,
    node: (ctx) => stitch(ctx).out.node,
    mutate(p: BridgeProgram, ctx) {
      const s = stitch(ctx);
      const tagOf = (dc: string) => ctx.plan.dcs.find((d) => d.name === dc)?.dcTag;
      const push = p.flows.find(
        (f) => f.includes(`,in_port=${s.out.gatewayPort},actions=`) && f.includes('mpls_label'),
      );
      if (!push) throw new FabricError('E_MUTATE_LAB', `no pseudowire push on ${s.out.node}`);
      // Only the stitched frames (Tag1 of the site they entered at): the gateway's own DC is unharmed.
      const wrong = push
        .replace('priority=100,', `priority=110,`)
        .replace(`in_port=${s.out.gatewayPort},`, `in_port=${s.out.gatewayPort},dl_vlan=${s.site.hostTag},`)
        .replace(`set_field:${tagOf(s.next)}->mpls_label`, `set_field:${tagOf(s.at)}->mpls_label`);
      return { ...p, flows: [wrong, ...p.flows] };
    },
  },
  {
    name: 'stitch-floods-back',
    description: 'a transit DC switch floods a stitched frame back into the segment it came from',
    applies: (ctx) => findStitch(ctx) !== undefined,
    node: (ctx) => swOf(ctx, stitch(ctx).at),
    mutate(p: BridgeProgram, ctx) {
      const s = stitch(ctx);
      const sel = `reg0=${s.domain.id},reg1=0,reg2=1,reg6=${s.site.hostTag},`;
      const flood = p.flows.find((f) => f.includes(sel) && f.includes('group:'));
      const gid = flood && /group:(\d+)/.exec(flood)?.[1];
      const relay = p.flows.find(
        (f) =>
          f.includes('priority=300,') && f.includes(`reg6=${s.site.hostTag},`) && f.includes(`reg0=${s.domain.id},`),
      );
      if (!gid || !relay) throw new FabricError('E_MUTATE_LAB', `no stitching flood at ${s.at}`);
      const port = (x: string) => `{{ofport:${x}}}`;
      const backFlow = relay
        .replace(/reg1=\{\{ofport:[^}]+\}\}/, `reg1=${port(s.back.dcSwitchPort)}`)
        // OpenFlow drops `output:` to the port a frame came in on; sending it back takes `in_port`.
        .replace(/output:\S+$/, 'in_port');
      const bucket = `bucket=set_field:${port(s.back.dcSwitchPort)}->reg1,resubmit(,${T.egress})`;
      return {
        ...p,
        flows: [...p.flows, backFlow],
        groups: p.groups.map((g) => (g.startsWith(`group_id=${gid},`) ? `${g},${bucket}` : g)),
      };
    },
  },
];
