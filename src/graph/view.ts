// What every graph format draws: the lab's nodes (with containerlab's graph level, icon and group,
// the same facts the generated .clab.yml carries) and its links with both interface names. Built
// from the resolved LabModel, so a lab draws the same deployed or not; a deployed lab adds its
// runtime and phase.
import { graphFacts } from '../topology/graph-labels.js';
import type { LabModel, LinkClass, NodeKind, NodeRole } from '../topology/model.js';

export interface GraphNode {
  name: string;
  kind: NodeKind;
  role: NodeRole;
  dc: string | null;
  tenant: string | null;
  level: number;
  icon: string;
  group: string;
}

export interface GraphLink {
  id: string;
  class: LinkClass;
  a: string;
  aIf: string;
  b: string;
  bIf: string;
}

export interface GraphView {
  lab: string;
  /** `deployed (runtime netns)` when the lab is up, else null. */
  live: string | null;
  nodes: GraphNode[];
  links: GraphLink[];
  /** Groups in drawing order: core first, then the datacenters by name. */
  groups: string[];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function graphView(model: LabModel, live: { runtime: string; phase: string } | null = null): GraphView {
  const nodes = model.nodes
    .map((n) => ({ name: n.name, kind: n.kind, role: n.role, dc: n.dc, tenant: n.tenant, ...graphFacts(n) }))
    .sort((a, b) => a.level - b.level || cmp(a.group, b.group) || cmp(a.name, b.name));
  const links = [...model.links]
    .sort((x, y) => cmp(x.id, y.id))
    .map((l) => ({
      id: l.id,
      class: l.class,
      a: l.endpoints[0].node,
      aIf: l.endpoints[0].ifname,
      b: l.endpoints[1].node,
      bIf: l.endpoints[1].ifname,
    }));
  const groups = [...new Set(nodes.map((n) => n.group))].sort((a, b) =>
    a === 'core' ? -1 : b === 'core' ? 1 : cmp(a, b),
  );
  return {
    lab: model.name,
    live: live ? `${live.phase} (runtime ${live.runtime})` : null,
    nodes,
    links,
    groups,
  };
}

/** Grid positions shared by the drawn formats: one column band per group, one row per level. */
export function gridLayout(v: GraphView, cell = { w: 130, h: 90 }): Map<string, { x: number; y: number }> {
  const pos = new Map<string, { x: number; y: number }>();
  let x0 = 20;
  for (const g of v.groups) {
    const members = v.nodes.filter((n) => n.group === g);
    const perLevel = new Map<number, number>();
    let width = 1;
    for (const n of members) {
      const i = perLevel.get(n.level) ?? 0;
      perLevel.set(n.level, i + 1);
      width = Math.max(width, i + 1);
      pos.set(n.name, { x: x0 + i * cell.w, y: 40 + (n.level - 1) * cell.h });
    }
    x0 += width * cell.w + 40;
  }
  return pos;
}
