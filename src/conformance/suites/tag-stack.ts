// tag-stack: every captured canary shows, on every hop it crosses, exactly the stack the plan
// predicts (shape and values, TTLs included); and it appears on no link the plan keeps it off.
// On a lab split over hosts, a stitched link's hops include the tunnel's outer VXLAN.
import { Expectations, matchLayers, type Traversal } from '../../tagging/expected.js';
import type { TestContext } from '../context.js';
import type { SentCanary } from '../probe.js';
import type { CheckDef } from '../judge.js';
import { SkipCheck, Violations } from '../judge.js';

/** A hop past a hypervisor's uplink: into its bridge device or a guest's tap (or host stack). */
function beyondUplink(ctx: TestContext, t: Traversal): boolean {
  if (t.class !== 'hypervisor') return false;
  return [t.from, t.to].some((n) => ['vxlan-gateway', 'vm'].includes(ctx.exp.index.node(n).role));
}

/** Every flood canary's hops past a hypervisor's uplink, as `exp` plans them. */
function hostedHops(ctx: TestContext, exp: Expectations, canaries: SentCanary[]) {
  return canaries
    .filter((c) => !c.dst)
    .flatMap((c) => exp.traversals(c.flow).flatMap((t) => (beyondUplink(ctx, t) ? [{ c, t }] : [])));
}

export const tagStack: CheckDef[] = [
  {
    suite: 'tag-stack',
    id: 'tag-stack/canaries-match-plan',
    title: 'each canary crosses exactly the planned links with the planned stack on each',
    judge({ ctx, probe, run, stats }) {
      const v = new Violations();
      let hops = 0;
      let stitched = 0;
      for (const c of probe.canaries) {
        const seen = run.byCanary.get(c.key) ?? [];
        const ts = ctx.exp.traversals(c.flow);
        const planned = new Set(ts.map((t) => t.link.id));
        for (const t of ts) {
          hops++;
          if (ctx.exp.stitched.has(t.link.id)) stitched++;
          const here = seen.filter((f) => f.linkId === t.link.id);
          if (!here.length) {
            v.add(
              `${c.tenant} ${c.cls} canary from ${c.src.node.name} never seen on ${t.class} link ${t.link.id} (${t.from} → ${t.to})`,
            );
            continue;
          }
          for (const f of here) {
            const why = matchLayers(f.layers, t.layers);
            if (why) v.add(`${c.tenant} ${c.cls} canary on ${t.class} link ${t.link.id}: ${why}`, f);
          }
        }
        for (const f of seen.filter((x) => !planned.has(x.linkId)))
          v.add(`${c.tenant} ${c.cls} canary on unplanned ${f.cls} link ${f.linkId}`, f);
      }
      stats.canaries = probe.canaries.length;
      stats.plannedHops = hops;
      if (ctx.exp.stitched.size) stats.stitchedHops = stitched;
      v.throwIfAny('tag stacks off the plan');
    },
  },
  {
    suite: 'tag-stack',
    id: 'tag-stack/one-copy-per-hop',
    title: 'no loops or storms: each canary crosses each planned link end exactly once',
    judge({ ctx, probe, run, stats }) {
      const v = new Violations();
      let ends = 0;
      for (const c of probe.canaries) {
        const seen = run.byCanary.get(c.key) ?? [];
        for (const t of ctx.exp.traversals(c.flow)) {
          for (const node of [t.from, t.to]) {
            const here = seen.filter((f) => f.linkId === t.link.id && f.node === node);
            if (!here.length) continue; // not captured at this end, or missing: canaries-match-plan says so
            ends++;
            if (here.length > 1)
              v.add(`${c.tenant} ${c.cls} canary seen ${here.length} times at ${node} on ${t.link.id}`, here[1]);
          }
        }
      }
      stats.linkEnds = ends;
      v.throwIfAny('duplicated frames (loop or storm)');
    },
  },
  {
    suite: 'tag-stack',
    id: 'tag-stack/hosted-guests',
    title: "flood canaries reach each hosted site's guest past its hypervisor's uplink with the planned stack",
    judge({ ctx, probe, run, stats }) {
      const planned = hostedHops(ctx, ctx.exp, probe.canaries);
      if (ctx.guestsNotSetUp) {
        // Judged from what is deployed: list what the intent declares but the lab does not run.
        const links = [
          ...new Set(hostedHops(ctx, new Expectations(ctx.model, ctx.plan), probe.canaries).map((h) => h.t.link.id)),
        ];
        throw new SkipCheck(
          `${ctx.guestsNotSetUp}; canaries are expected up to each hypervisor's uplink only, not on ${links.join(', ') || 'any hosted link'}`,
        );
      }
      // A lab that hosts no site has no hop past a hypervisor to judge: nothing is left out, so
      // the check holds with zero hops (a skip would mark every lab without hypervisors).
      stats.hostedSites = ctx.model.nodes.filter((n) => n.role === 'hypervisor' && n.facts?.site).length;
      if (!stats.hostedSites && !planned.length) {
        stats.hostedHops = 0;
        return;
      }
      const v = new Violations();
      if (!planned.length) v.add('the lab hosts sites, but no flood canary is planned past a hypervisor uplink');
      for (const { c, t } of planned) {
        const here = (run.byCanary.get(c.key) ?? []).filter((f) => f.linkId === t.link.id);
        if (!here.length)
          v.add(`${c.tenant} ${c.cls} canary never seen on hosted link ${t.link.id} (${t.from} → ${t.to})`);
        for (const f of here) {
          const why = matchLayers(f.layers, t.layers);
          if (why) v.add(`${c.tenant} ${c.cls} canary on hosted link ${t.link.id}: ${why}`, f);
        }
      }
      stats.hostedHops = planned.length;
      v.throwIfAny('hosted sites off the plan');
    },
  },
];
