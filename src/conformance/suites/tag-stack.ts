// tag-stack: every captured canary shows, on every hop it crosses, exactly the stack the plan
// predicts (shape and values, TTLs included); and it appears on no link the plan keeps it off.
import { matchLayers } from '../../tagging/expected.js';
import type { CheckDef } from '../judge.js';
import { Violations } from '../judge.js';

export const tagStack: CheckDef[] = [
  {
    suite: 'tag-stack',
    id: 'tag-stack/canaries-match-plan',
    title: 'each canary crosses exactly the planned links with the planned stack on each',
    judge({ ctx, probe, run, stats }) {
      const v = new Violations();
      let hops = 0;
      for (const c of probe.canaries) {
        const seen = run.byCanary.get(c.key) ?? [];
        const ts = ctx.exp.traversals(c.flow);
        const planned = new Set(ts.map((t) => t.link.id));
        for (const t of ts) {
          hops++;
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
];
