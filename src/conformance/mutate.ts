// Mutation self-check (`fabric test --mutate`): deliberate misprogrammings, one at a time, made by
// rewriting the planned flows of ONE bridge and pushing them to the running lab; the suites must
// turn red on each (from frames: the flows-drift check does not count as a kill), then the
// bridge gets its planned program back.
import { FabricError } from '../errors/fabric-error.js';
import type { BridgeProgram } from '../tagging/modules/module.js';
import { T } from '../tagging/modules/qinq.js';
import type { TestContext } from './context.js';
import type { Mutation } from './mutate-types.js';
import { TRANSIT_MUTATIONS } from './mutate-transit.js';

export type { Mutation } from './mutate-types.js';

function twoTenantsAt(ctx: TestContext, dc: string) {
  const sites = ctx.plan.sites.filter((s) => s.dc === dc && s.type === 'client');
  const a = sites[0];
  const b = sites.find((s) => s.tenant !== a?.tenant);
  if (!a || !b) throw new FabricError('E_MUTATE_LAB', `mutations need two tenants with client sites in ${dc}`);
  return [a, b] as const;
}

const firstDc = (ctx: TestContext) => ctx.plan.sites.find((s) => s.type === 'client')?.dc ?? 'dc1';
const swOf = (ctx: TestContext, dc: string) =>
  ctx.model.nodes.find((n) => n.role === 'dc-switch' && n.dc === dc)?.name ?? '';
const replaceAll = (
  p: BridgeProgram,
  f: (flow: string) => string,
  g: (group: string) => string = (x) => x,
): BridgeProgram => ({ ...p, flows: p.flows.map(f), groups: p.groups.map(g) });

const BASE_MUTATIONS: Mutation[] = [
  {
    name: 'swap-host-tags',
    description: "the DC switch pushes tenant B's host tag (Tag1) on tenant A's frames and vice versa",
    node: (ctx) => swOf(ctx, firstDc(ctx)),
    mutate(p, ctx) {
      const [a, b] = twoTenantsAt(ctx, firstDc(ctx));
      const ta = `set_field:${4096 + a.hostTag}->vlan_vid,output`;
      const tb = `set_field:${4096 + b.hostTag}->vlan_vid,output`;
      return replaceAll(p, (f) => f.replace(ta, '@A@').replace(tb, ta).replace('@A@', tb));
    },
  },
  {
    name: 'drop-egress-strip',
    description: 'the DC switch delivers frames to client sites with an 802.1ad fabric tag still on',
    node: (ctx) => swOf(ctx, firstDc(ctx)),
    mutate(p, ctx) {
      const [a] = twoTenantsAt(ctx, firstDc(ctx));
      return replaceAll(p, (f) =>
        f.includes(`table=${T.egress},`) && f.endsWith(`actions=output:${a.dcPort}`)
          ? f.replace('actions=output:', `actions=push_vlan:0x88a8,set_field:${4096 + a.hostTag}->vlan_vid,output:`)
          : f,
      );
    },
  },
  {
    name: 'wrong-label-at-p',
    description: 'the first P router swaps to a label the plan does not have',
    node: (ctx) => ctx.model.nodes.find((n) => n.role === 'p')?.name ?? '',
    mutate(p) {
      let done = false;
      return replaceAll(p, (f) => {
        if (done || !f.includes('dec_mpls_ttl')) return f;
        done = true;
        return f.replace(/set_field:\d+->mpls_label/, 'set_field:999->mpls_label');
      });
    },
  },
  {
    name: 'flood-into-other-tenant',
    description: "tenant A's flood group also copies to tenant B's client site",
    node: (ctx) => swOf(ctx, firstDc(ctx)),
    mutate(p, ctx) {
      const [a, b] = twoTenantsAt(ctx, firstDc(ctx));
      const flood = p.flows.find(
        (f) => f.includes(`reg6=${a.hostTag},`) && f.includes('group:') && f.includes('reg2=0'),
      );
      const gid = flood && /group:(\d+)/.exec(flood)?.[1];
      if (!gid) throw new FabricError('E_MUTATE_LAB', 'no flood group to mutate');
      return replaceAll(
        p,
        (f) => f,
        (g) => (g.startsWith(`group_id=${gid},`) ? `${g},bucket=output:${b.dcPort}` : g),
      );
    },
  },
  {
    name: 'leak-own-vlan',
    description: "tenant A's own VLAN is classified into tenant B's L2 domain on ingress",
    node: (ctx) => swOf(ctx, firstDc(ctx)),
    mutate(p, ctx) {
      const [a, b] = twoTenantsAt(ctx, firstDc(ctx));
      const v = a.vlans[0];
      const da = ctx.plan.domains.find((d) => d.tenant === a.tenant && d.ownVlan === v);
      const db = ctx.plan.domains.find((d) => d.tenant === b.tenant && d.ownVlan === v);
      if (!da || !db)
        throw new FabricError('E_MUTATE_LAB', `tenants ${a.tenant} and ${b.tenant} do not share own VLAN ${v}`);
      return replaceAll(p, (f) =>
        f.includes(`in_port=${a.dcPort},dl_vlan=${v},`)
          ? f.replace(`set_field:${da.id}->reg0`, `set_field:${db.id}->reg0`)
          : f,
      );
    },
  },
];

/** Every misprogramming; those whose `applies` says no are left out of a lab's score. */
export const MUTATIONS: Mutation[] = [...BASE_MUTATIONS, ...TRANSIT_MUTATIONS];
