// Graphviz dot: one cluster per group (datacenter or core), ranks by containerlab graph level,
// edges labelled with both interface names and coloured by link class.
import { CLASS_COLOR } from '../report/palette.js';
import type { GraphView } from './view.js';

/** A dot ID: always a quoted string, with quotes and backslashes escaped. */
export function dotId(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const SHAPE: Record<string, string> = { router: 'ellipse', switch: 'box', host: 'box', server: 'box3d', cloud: 'egg' };

export function renderDot(v: GraphView): string {
  const out = [`graph ${dotId(v.lab)} {`, '  graph [rankdir=TB, newrank=true, fontname="Helvetica"];'];
  out.push('  node [fontname="Helvetica", fontsize=10, style=filled, fillcolor="#f4f6f8"];');
  out.push('  edge [fontname="Helvetica", fontsize=8];');
  if (v.live) out.push(`  label=${dotId(`${v.lab}: ${v.live}`)};`);
  v.groups.forEach((g, i) => {
    out.push(`  subgraph ${dotId(`cluster_${i}_${g}`)} {`, `    label=${dotId(g)};`);
    for (const n of v.nodes.filter((x) => x.group === g))
      out.push(
        `    ${dotId(n.name)} [label=${dotId(`${n.name}\n${n.role}`)}, shape=${SHAPE[n.icon] ?? 'box'}, tooltip=${dotId(`${n.kind} ${n.role}${n.tenant ? ` tenant ${n.tenant}` : ''}`)}];`,
      );
    out.push('  }');
  });
  const levels = [...new Set(v.nodes.map((n) => n.level))].sort((a, b) => a - b);
  for (const l of levels)
    out.push(
      `  { rank=same; ${v.nodes
        .filter((n) => n.level === l)
        .map((n) => dotId(n.name))
        .join('; ')}; }`,
    );
  for (const e of v.links)
    out.push(
      `  ${dotId(e.a)} -- ${dotId(e.b)} [taillabel=${dotId(e.aIf)}, headlabel=${dotId(e.bIf)}, color=${dotId(CLASS_COLOR[e.class] ?? '#888888')}, tooltip=${dotId(`${e.class}: ${e.id}`)}];`,
    );
  out.push('}');
  return out.join('\n') + '\n';
}
