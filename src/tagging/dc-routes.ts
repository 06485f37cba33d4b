// Paths between datacenters and the per-domain forwarding trees over them, derived from the plan
// alone (the gateways of `plan.dcs` are the edges of the DC graph).
//
// Every pair of DCs is joined by ONE path: the shortest in hops, ties broken by a fixed rank of the
// edges (each edge weighs 2^rank on top of its hop, so no two paths cost the same). Unique
// shortest paths are symmetric and every part of one is itself the path between its ends, so the
// paths out of one DC form a tree. A tenant domain's frames from DC X follow X's tree, pruned to
// the DCs holding the domain: a flood reaches each DC once, a unicast frame takes the one path to
// its destination, and the DC switch of a transit DC stitches the pseudowire segments (a frame
// comes in on the segment from its parent and leaves only on the segments to its children, with
// Tag3 of each next DC). In a full mesh every path is the direct line, so trees are stars and no
// DC relays anything: the plain VPLS split horizon.
import type { DomainPlan, TagPlan } from './types.js';

interface Routes {
  /** `${a}|${b}` → DCs from a to b, both included. */
  paths: Map<string, string[]>;
}

const cache = new WeakMap<TagPlan, Routes>();

/** DC pairs joined directly: both sides hold a gateway to the other. */
function edges(plan: TagPlan): [string, string][] {
  const has = (a: string, b: string) =>
    plan.dcs.find((d) => d.name === a)?.gateways.some((g) => g.remoteDc === b) ?? false;
  const out: [string, string][] = [];
  const names = plan.dcs.map((d) => d.name).sort();
  for (const a of names) for (const b of names) if (a < b && has(a, b) && has(b, a)) out.push([a, b]);
  return out;
}

function routes(plan: TagPlan): Routes {
  const hit = cache.get(plan);
  if (hit) return hit;
  const es = edges(plan);
  const adj = new Map<string, { to: string; w: bigint }[]>(plan.dcs.map((d) => [d.name, []]));
  es.forEach(([a, b], rank) => {
    const w = 1n << BigInt(rank);
    adj.get(a)?.push({ to: b, w });
    adj.get(b)?.push({ to: a, w });
  });
  const paths = new Map<string, string[]>();
  for (const src of adj.keys()) {
    // Dijkstra over (hops, tie-break weight), small graphs: a linear scan per step is enough.
    const cost = new Map<string, [number, bigint]>([[src, [0, 0n]]]);
    const prev = new Map<string, string>();
    const done = new Set<string>();
    const less = (x: [number, bigint], y: [number, bigint]) => x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
    for (;;) {
      let cur: string | undefined;
      for (const [n, c] of cost) if (!done.has(n) && (cur === undefined || less(c, cost.get(cur)!))) cur = n;
      if (cur === undefined) break;
      done.add(cur);
      const [h, w] = cost.get(cur)!;
      for (const e of adj.get(cur) ?? []) {
        const next: [number, bigint] = [h + 1, w + e.w];
        const old = cost.get(e.to);
        if (!done.has(e.to) && (!old || less(next, old))) {
          cost.set(e.to, next);
          prev.set(e.to, cur);
        }
      }
    }
    for (const dst of cost.keys()) {
      const p = [dst];
      for (let n = dst; n !== src; n = prev.get(n)!) p.unshift(prev.get(n)!);
      paths.set(`${src}|${dst}`, p);
    }
  }
  const r = { paths };
  cache.set(plan, r);
  return r;
}

/** The DCs a frame crosses from DC `a` to DC `b` (both included), or undefined without a path. */
export function dcPath(plan: TagPlan, a: string, b: string): string[] | undefined {
  return routes(plan).paths.get(`${a}|${b}`);
}

/** The DCs holding sites of the domain. */
export function domainDcs(plan: TagPlan, d: DomainPlan): string[] {
  return [
    ...new Set(plan.sites.filter((s) => s.tenant === d.tenant && s.vlans.includes(d.ownVlan)).map((s) => s.dc)),
  ].sort();
}

/** The domain's tree for frames entering the fabric in DC `src`: DC → its children (sorted). */
export function domainTree(plan: TagPlan, d: DomainPlan, src: string): Map<string, string[]> {
  const kids = new Map<string, Set<string>>();
  for (const m of domainDcs(plan, d)) {
    if (m === src) continue;
    const p = dcPath(plan, src, m);
    if (!p) continue;
    for (let i = 0; i + 1 < p.length; i++) {
      const set = kids.get(p[i]) ?? new Set<string>();
      set.add(p[i + 1]);
      kids.set(p[i], set);
    }
  }
  return new Map([...kids].map(([k, v]) => [k, [...v].sort()]));
}

/** Is DC `at` on the domain's tree for frames from `src` (and not its root)? Returns the parent. */
export function parentIn(plan: TagPlan, d: DomainPlan, src: string, at: string): string | undefined {
  if (at === src) return undefined;
  for (const [parent, children] of domainTree(plan, d, src)) if (children.includes(at)) return parent;
  return undefined;
}

/** Every DC pair (paths are symmetric) with its path, for `fabric plan`. */
export function allDcPaths(plan: TagPlan): { from: string; to: string; path: string[] | undefined }[] {
  const names = plan.dcs.map((d) => d.name);
  return names.flatMap((a, i) => names.slice(i + 1).map((b) => ({ from: a, to: b, path: dcPath(plan, a, b) })));
}
