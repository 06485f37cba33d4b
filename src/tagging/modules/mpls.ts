// mpls: Tag4, the long-haul transport label (seed 001 [0104]-[0105]). One label-switched path
// per direction of each long-haul path; the ingress PE pushes the pseudowire (Tag3) and Tag4,
// every P router swaps Tag4 and decrements its TTL, the provider routers carry it untouched,
// and the egress PE pops Tag4, checks Tag3 and delivers the QinQ frame (no PHP).
import { Allocator, COOKIE, MPLS_MAX, MPLS_MIN, type RenderContext, type TagModule } from './module.js';
import { gatewayMac, PW_POP, pwPush } from './dc.js';
import type { LabIndex, PlanContext } from '../context.js';
import type { LspHop, LspPlan } from '../types.js';

const LSP_LABEL_START = 2001;

/** Shortest path PE → PE over long-haul/provider links, transiting only P and provider nodes. */
function findPath(index: LabIndex, from: string, to: string): Omit<LspHop, 'label' | 'ttl'>[] | undefined {
  const prev = new Map<string, Omit<LspHop, 'label' | 'ttl'>>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length) {
    const cur = queue.shift() as string;
    if (cur === to) break;
    if (cur !== from && !['p', 'provider'].includes(index.node(cur).role)) continue;
    for (const p of index.portsOf(cur)) {
      if (p.link.class !== 'long-haul' && p.link.class !== 'provider') continue;
      if (seen.has(p.peer)) continue;
      seen.add(p.peer);
      prev.set(p.peer, {
        linkId: p.link.id,
        class: p.link.class,
        from: { node: cur, ifname: p.ifname },
        to: { node: p.peer, ifname: p.peerIf },
      });
      queue.push(p.peer);
    }
  }
  if (!prev.has(to)) return undefined;
  const hops: Omit<LspHop, 'label' | 'ttl'>[] = [];
  for (let n = to; n !== from;) {
    const h = prev.get(n) as Omit<LspHop, 'label' | 'ttl'>;
    hops.unshift(h);
    n = h.from.node;
  }
  return hops;
}

export const mpls: TagModule = {
  name: 'mpls',
  description: 'Tag4 transport labels per long-haul hop: PE push/pop, P swap with TTL decrement',
  requires: ['dc'],
  roles: ['pe', 'p'],

  allocate(ctx: PlanContext): void {
    const { intent, index, plan, bag } = ctx;
    const taken = new Set(plan.dcs.map((d) => d.dcTag));
    const alloc = new Allocator(LSP_LABEL_START, MPLS_MAX, taken);
    const peOf = (dc: string) => index.byRole('pe').find((n) => n.dc === dc)?.name;
    (intent.long_haul?.paths ?? []).forEach((p, i) => {
      for (const [a, b] of [p.between, [p.between[1], p.between[0]]] as const) {
        const pa = peOf(a);
        const pb = peOf(b);
        const hops = pa && pb ? findPath(index, pa, pb) : undefined;
        if (!hops) {
          bag.add({
            code: 'E_PLAN_TOPOLOGY',
            file: ctx.lab.source,
            path: `long_haul.paths[${i}]`,
            message: `no long-haul path from ${a} to ${b}`,
            hint: 'check p_routers and the provider segment',
          });
          continue;
        }
        const lsp: LspPlan = { from: a, to: b, hops: [] };
        let label: number | undefined;
        let ttl = plan.mplsTtl;
        for (const h of hops) {
          // A new label on every link leaving a label-switching router; provider routers pass it on.
          const role = index.node(h.from.node).role;
          if (role === 'pe' || role === 'p' || label === undefined) label = alloc.take();
          if (label === undefined || label < MPLS_MIN) {
            bag.add({
              code: 'E_TAG_EXHAUSTED',
              file: ctx.lab.source,
              path: `long_haul.paths[${i}]`,
              message: 'no MPLS label left',
              hint: 'the label space is exhausted',
            });
            return;
          }
          lsp.hops.push({ ...h, label, ttl });
          if (index.node(h.to.node).role === 'p') ttl -= 1;
        }
        plan.lsps.push(lsp);
      }
    });
  },

  render(ctx: RenderContext): void {
    const { plan, index } = ctx;
    const lab = index.lab.name;
    const tagOf = (dcName: string) => plan.dcs.find((d) => d.name === dcName)?.dcTag;
    for (const pe of index.byRole('pe')) {
      const prog = ctx.program(pe.name);
      const c = `cookie=${COOKIE.mpls}`;
      const here = pe.dc ?? '';
      const gws = plan.dcs.find((d) => d.name === here)?.gateways.filter((x) => x.node === pe.name) ?? [];
      gws.forEach((g, gi) => {
        const out = plan.lsps.find((l) => l.from === here && l.to === g.remoteDc);
        const back = plan.lsps.find((l) => l.from === g.remoteDc && l.to === here);
        const farTag = tagOf(g.remoteDc);
        const myTag = tagOf(here);
        if (!out || !back || farTag === undefined || myTag === undefined) return;
        const first = out.hops[0];
        const farPe = out.hops[out.hops.length - 1].to.node;
        const last = back.hops[back.hops.length - 1];
        const k = gi + 1; // which attachment circuit, carried in reg1 between tables 0 and 1
        prog.flows.push(
          `${c},table=0,priority=100,in_port=${g.gatewayPort},actions=${pwPush(farTag, plan.mplsTtl, gatewayMac(lab, pe.name), gatewayMac(lab, farPe))},push_mpls:0x8847,set_field:${first.label}->mpls_label,set_field:${first.ttl}->mpls_ttl,output:${first.from.ifname}`,
        );
        // Pop Tag4, remember which attachment circuit the LSP serves, then check Tag3 is ours.
        prog.flows.push(
          `${c},table=0,priority=100,in_port=${last.to.ifname},mpls,mpls_label=${last.label},actions=pop_mpls:0x8847,set_field:${k}->reg1,resubmit(,1)`,
        );
        prog.flows.push(
          `${c},table=1,priority=100,reg1=${k},mpls,mpls_label=${myTag},actions=${PW_POP},output:${g.gatewayPort}`,
        );
      });
      prog.flows.push(`${c},table=0,priority=0,actions=drop`);
      prog.flows.push(`${c},table=1,priority=0,actions=drop`);
    }
    for (const p of index.byRole('p')) {
      const prog = ctx.program(p.name);
      const c = `cookie=${COOKIE.mpls}`;
      for (const lsp of plan.lsps) {
        lsp.hops.forEach((h, i) => {
          const next = lsp.hops[i + 1];
          if (h.to.node !== p.name || !next) return;
          prog.flows.push(
            `${c},table=0,priority=100,in_port=${h.to.ifname},mpls,mpls_label=${h.label},actions=set_field:${next.label}->mpls_label,dec_mpls_ttl,output:${next.from.ifname}`,
          );
        });
      }
      prog.flows.push(`${c},table=0,priority=0,actions=drop`);
    }
  },
};
