// expectedStack(flow, linkEnd): what a tenant frame must look like on a given link end, derived
// from the plan alone, in the decoder's layer vocabulary (src/decode/types.ts); or that it must
// not appear there at all. The conformance judge compares captures against this.
//
// TTL model: the ingress PE pushes Tag3 and Tag4 with TTL 64 (plan.mplsTtl); each P router
// decrements Tag4 by one; provider routers carry it untouched; Tag3 keeps 64 end to end. There
// is no penultimate-hop popping: the egress PE pops Tag4 itself, so every long-haul link shows
// Tag4. Outer IPv4 TTL/id and the VXLAN UDP source port are wildcards (kernel-chosen).
//
// On a lab split over hosts, a stitched link's frames are captured inside its tunnel between the
// hosts: their stack starts with that tunnel's outer headers (stitched.ts), and no other link's does.
import { multicastMac, UNKNOWN_UNICAST_MAC } from '../traffic/frames.js';
import type { LabModel, LinkClass, LinkModel } from '../topology/model.js';
import { LabIndex } from './context.js';
import { dcPath, domainTree } from './dc-routes.js';
import { gatewayMac } from './modules/dc.js';
import type { ExpectHooks } from './modules/module.js';
import { orderedModules } from './modules/registry.js';
import { ANY, type LayerPattern } from './patterns.js';
import { stitchedOuter, type StitchedLinks } from './stitched.js';
import type { SitePlan, TagPlan } from './types.js';

export type FloodClass = 'broadcast' | 'arp' | 'unknown-unicast' | 'multicast';

export interface SystemRef {
  site: string;
  system: string;
}

export interface FlowSpec {
  tenant: string;
  src: SystemRef;
  /** A destination system (unicast), or a flood class (every system of the tenant's VLAN). */
  dst: SystemRef | { flood: FloodClass };
}

export interface LinkEnd {
  /** Link id (as in status --json). */
  link: string;
  /** Which end: the node name. */
  node: string;
}

export { ANY, type LayerPattern, type Wild } from './patterns.js';

export interface Traversal {
  link: LinkModel;
  class: LinkClass;
  from: string;
  to: string;
  /** Outer to inner, down to and including the client's own Ethernet header (and own tag, when carried). */
  layers: LayerPattern[];
}

export type Expectation = { appears: false } | { appears: true; traversals: Traversal[] };

interface Ctx {
  model: LabModel;
  plan: TagPlan;
  index: LabIndex;
  flow: FlowSpec;
  srcSite: SitePlan;
  vlan: number;
  srcMac: string;
  dstMac: string;
}

/** Destination MACs of the flood classes: the same ones the canary generator sends. */
export const FLOOD_MAC: Record<FloodClass, string> = {
  broadcast: 'ff:ff:ff:ff:ff:ff',
  arp: 'ff:ff:ff:ff:ff:ff',
  // Nobody owns it, so no switch has learned it.
  'unknown-unicast': UNKNOWN_UNICAST_MAC,
  multicast: multicastMac('239.1.1.1'),
};

type HopFn = (from: string, to: string, cls?: LinkClass, filter?: (l: LinkModel) => boolean) => LinkModel;
type AddFn = (
  l: LinkModel,
  from: string,
  to: string,
  remoteDc?: string,
  lspHop?: { label: number; ttl: number },
  segFrom?: string,
) => void;

const isFlood = (d: FlowSpec['dst']): d is { flood: FloodClass } => 'flood' in d;

export class Expectations {
  readonly index: LabIndex;
  /** The expectation hooks of the registered tag modules. */
  private readonly hooks: ExpectHooks[];
  /**
   * `guests: false` when the lab's guests are not set up (`fabric up --no-guests`): a hosted
   * site's frames are then expected up to its hypervisor's uplink only, since the bridge device,
   * the VXLAN transport and the guests' taps beyond it run only once the guests do.
   */
  readonly guests: boolean;
  /** The stitched links of a lab split over hosts (none on one machine). */
  readonly stitched: StitchedLinks;
  constructor(
    readonly model: LabModel,
    readonly plan: TagPlan,
    o: { guests?: boolean; stitched?: StitchedLinks } = {},
  ) {
    this.guests = o.guests ?? true;
    this.stitched = o.stitched ?? new Map();
    this.index = new LabIndex(model);
    this.hooks = orderedModules().flatMap((m) => (m.expect ? [m.expect] : []));
  }

  /** Every link the flow's frame crosses, in path order (a flood is a tree: parents first). */
  traversals(flow: FlowSpec): Traversal[] {
    const ctx = this.context(flow);
    const out: Traversal[] = [];
    const ep = (s: SystemRef) => `${flow.tenant}-${s.site}-${s.system}`;
    const site = (name: string) => this.plan.sites.find((s) => s.tenant === flow.tenant && s.site === name) as SitePlan;
    const srcNode = ep(flow.src);
    const srcSw = ctx.srcSite.accessSwitch;
    const dcSw = (dc: string) => this.index.byRole('dc-switch').find((n) => n.dc === dc)?.name as string;
    const hop: HopFn = (from, to, cls, filter) => {
      const p = this.index
        .portsOf(from)
        .find((q) => q.peer === to && (!cls || q.link.class === cls) && (!filter || filter(q.link)));
      if (!p) throw new Error(`expected: no link ${from} → ${to}`);
      return p.link;
    };
    const add: AddFn = (l, from, to, remoteDc, lspHop, segFrom) =>
      void out.push({
        link: l,
        class: l.class,
        from,
        to,
        layers: [
          ...stitchedOuter(this.stitched, l.id, from, to),
          ...this.layers(ctx, l, from, to, remoteDc, lspHop, segFrom),
        ],
      });
    // Endpoints of the tenant in VLAN v behind an access switch, except the sender.
    const deliverAt = (sw: string, only?: string) => {
      for (const p of this.index.portsOf(sw)) {
        const n = this.index.node(p.peer);
        if (n.role !== 'endpoint' || n.name === srcNode) continue;
        if (n.facts?.vlan !== ctx.vlan) continue;
        if (only && n.name !== only) continue;
        add(p.link, sw, n.name);
      }
    };

    add(hop(srcNode, srcSw, 'client-access'), srcNode, srcSw);
    const dst = flow.dst;
    if (!isFlood(dst) && dst.site === flow.src.site) {
      deliverAt(srcSw, ep(dst));
      return out;
    }
    if (isFlood(dst)) deliverAt(srcSw);
    const here = ctx.srcSite.dc;
    const sw = dcSw(here);
    add(hop(srcSw, sw, 'tenant-lan'), srcSw, sw);
    const targets = isFlood(dst)
      ? this.plan.sites.filter(
          (s) => s.tenant === flow.tenant && s.vlans.includes(ctx.vlan) && s.site !== flow.src.site,
        )
      : [site(dst.site)];
    const remoteDcs = [...new Set(targets.map((s) => s.dc).filter((d) => d !== here))].sort();
    const toSite = (s: SitePlan, from: string) => {
      // A module that attaches sites elsewhere (a hypervisor) describes the way there.
      const delivery = {
        index: this.index,
        site: s,
        from,
        vlan: ctx.vlan,
        flood: isFlood(dst),
        guests: this.guests,
        hop,
        add,
      };
      if (this.hooks.some((h) => h.deliver?.(delivery))) return;
      add(hop(from, s.accessSwitch, 'tenant-lan'), from, s.accessSwitch);
      deliverAt(s.accessSwitch, isFlood(dst) ? undefined : ep(dst));
    };
    for (const s of targets.filter((t) => t.dc === here)) toSite(s, sw);
    // Between DCs: one pseudowire segment per edge of the domain's tree from this DC
    // (dc-routes.ts); a transit DC's switch stitches the segments, each carrying its far DC's Tag3.
    const segment = (a: string, b: string) => this.segment(a, b, hop, add);
    const domain = this.plan.domains.find((x) => x.tenant === flow.tenant && x.ownVlan === ctx.vlan);
    if (isFlood(dst) && domain) {
      const tree = domainTree(this.plan, domain, here);
      const walk = (at: string): void => {
        for (const next of tree.get(at) ?? []) {
          const far = segment(at, next);
          if (!far) continue;
          for (const s of targets.filter((t) => t.dc === next)) toSite(s, far);
          walk(next);
        }
      };
      walk(here);
    } else if (!isFlood(dst) && remoteDcs.length) {
      const path = dcPath(this.plan, here, remoteDcs[0]) ?? [];
      let far: string | undefined = sw;
      for (let i = 0; far && i + 1 < path.length; i++) far = segment(path[i], path[i + 1]);
      if (far && path.length > 1) for (const s of targets) toSite(s, far);
    }
    return out;
  }

  /** One pseudowire segment from DC `a` to DC `b` (their gateways, the line or the LSP); returns b's switch. */
  private segment(a: string, b: string, hop: HopFn, add: AddFn): string | undefined {
    const dcOf = (name: string) => this.plan.dcs.find((x) => x.name === name);
    const dcSw = (dc: string) => this.index.byRole('dc-switch').find((n) => n.dc === dc)?.name as string;
    const gw = dcOf(a)?.gateways.find((g) => g.remoteDc === b);
    const back = dcOf(b)?.gateways.find((g) => g.remoteDc === a);
    if (!gw || !back) return undefined;
    const [aSw, bSw] = [dcSw(a), dcSw(b)];
    const dcLink = (l: LinkModel) => l.remoteDc === b || l.endpoints.some((e) => e.ifname === gw.dcSwitchPort);
    add(hop(aSw, gw.node, 'dc-fabric', dcLink), aSw, gw.node, b, undefined, a);
    if (gw.via === 'interconnect') {
      add(hop(gw.node, back.node, 'dc-interconnect'), gw.node, back.node, b, undefined, a);
    } else {
      const lsp = this.plan.lsps.find((l) => l.from === a && l.to === b);
      for (const h of lsp?.hops ?? [])
        add(this.model.links.find((l) => l.id === h.linkId) as LinkModel, h.from.node, h.to.node, b, h, a);
    }
    const backLink = (l: LinkModel) => l.endpoints.some((e) => e.ifname === back.dcSwitchPort);
    add(hop(back.node, bSw, 'dc-fabric', backLink), back.node, bSw, b, undefined, a);
    return bSw;
  }

  /** The contract the judges rely on: the stack on one link end, or "must not appear". */
  expectedStack(flow: FlowSpec, end: LinkEnd): Expectation {
    const ts = this.traversals(flow).filter(
      (t) => t.link.id === end.link && (t.from === end.node || t.to === end.node),
    );
    return ts.length ? { appears: true, traversals: ts } : { appears: false };
  }

  private context(flow: FlowSpec): Ctx {
    const srcSite = this.plan.sites.find((s) => s.tenant === flow.tenant && s.site === flow.src.site);
    if (!srcSite) throw new Error(`expected: no site ${flow.tenant}/${flow.src.site}`);
    const node = (s: SystemRef) => this.index.node(`${flow.tenant}-${s.site}-${s.system}`);
    const src = node(flow.src);
    const vlan = src.facts?.vlan;
    if (vlan === undefined) throw new Error(`expected: ${src.name} has no own VLAN`);
    const macOf = (n: ReturnType<typeof node>) => n.interfaces[0]?.mac ?? ANY;
    const dstMac = isFlood(flow.dst) ? FLOOD_MAC[flow.dst.flood] : macOf(node(flow.dst));
    if (!isFlood(flow.dst) && node(flow.dst).facts?.vlan !== vlan)
      throw new Error('expected: unicast between different own VLANs is not L2');
    return { model: this.model, plan: this.plan, index: this.index, flow, srcSite, vlan, srcMac: macOf(src), dstMac };
  }

  private layers(
    ctx: Ctx,
    l: LinkModel,
    from: string,
    to: string,
    remoteDc?: string,
    lspHop?: { label: number; ttl: number },
    /** The DC the pseudowire segment starts in (the frame's own DC unless it crosses a transit DC). */
    segFrom?: string,
  ): LayerPattern[] {
    const d = this.plan.domains.find((x) => x.tenant === ctx.flow.tenant && x.ownVlan === ctx.vlan);
    const tag1 = ctx.srcSite.hostTag;
    const client = { name: 'eth', src: ctx.srcMac, dst: ctx.dstMac } as const;
    const qinq: LayerPattern[] = [
      { ...client, type: 0x88a8 },
      { name: 'vlan', tpid: 0x88a8, vid: tag1, type: 0x8100 },
      { name: 'vlan', tpid: 0x8100, vid: d?.customerTag ?? ANY },
    ];
    const dcTag = this.plan.dcs.find((x) => x.name === remoteDc)?.dcTag ?? ANY;
    const pw = (fromGw: string, toGw: string, top: LayerPattern[]): LayerPattern[] => [
      { name: 'eth', src: gatewayMac(this.model.name, fromGw), dst: gatewayMac(this.model.name, toGw), type: 0x8847 },
      ...top,
      { name: 'mpls', label: dcTag, s: true, ttl: this.plan.mplsTtl },
      { name: 'pw', cw: false },
      ...qinq,
    ];
    const owner = this.hooks.find((h) => h.classes?.includes(l.class));
    if (owner?.layers)
      return owner.layers({
        index: this.index,
        plan: this.plan,
        link: l,
        from,
        to,
        tenant: ctx.flow.tenant,
        vlan: ctx.vlan,
        client,
      });
    switch (l.class) {
      case 'client-access':
        return [{ ...client }];
      case 'tenant-lan':
        return [
          { ...client, type: 0x8100 },
          { name: 'vlan', tpid: 0x8100, vid: ctx.vlan },
        ];
      case 'dc-fabric':
        return qinq;
      case 'hypervisor':
        throw new Error('expected: no tag module describes hypervisor links');
      case 'dc-interconnect':
        return pw(from, to, []);
      case 'long-haul':
      case 'provider': {
        const lsp = this.plan.lsps.find((x) => x.from === (segFrom ?? ctx.srcSite.dc) && x.to === remoteDc);
        const ends = lsp ? [lsp.hops[0].from.node, lsp.hops[lsp.hops.length - 1].to.node] : [ANY, ANY];
        const mplsTop: LayerPattern = { name: 'mpls', label: lspHop?.label ?? ANY, s: false, ttl: lspHop?.ttl ?? ANY };
        const inner = pw(ends[0], ends[1], [mplsTop]);
        if (l.class === 'long-haul') return inner;
        const p = this.plan.provider;
        const a = this.index.node(from).netdevs?.find((x) => x.type === 'vxlan');
        return [
          { name: 'eth', src: ANY, dst: ANY, type: 0x0800 },
          {
            name: 'ipv4',
            src: a && a.type === 'vxlan' ? a.local : ANY,
            dst: a && a.type === 'vxlan' ? a.remote : ANY,
            proto: 17,
            ttl: ANY,
            id: ANY,
          },
          { name: 'udp', sport: ANY, dport: p?.dstport ?? 4789 },
          { name: 'vxlan', vni: p?.vni ?? ANY },
          ...inner,
        ];
      }
    }
  }
}

/** Does a dissected frame's layer list start with these patterns? Returns the first mismatch. */
export function matchLayers(layers: readonly { name: string }[], patterns: readonly LayerPattern[]): string | null {
  for (let i = 0; i < patterns.length; i++) {
    const p = patterns[i];
    const l = layers[i] as Record<string, unknown> | undefined;
    if (!l) return `layer ${i}: expected ${p.name}, frame ends`;
    if (l.name !== p.name) return `layer ${i}: expected ${p.name}, got ${String(l.name)}`;
    for (const [k, v] of Object.entries(p)) {
      if (k === 'name' || v === ANY) continue;
      if (l[k] !== v) return `layer ${i} ${p.name}.${k}: expected ${String(v)}, got ${String(l[k])}`;
    }
  }
  return null;
}
