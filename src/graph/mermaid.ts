// Mermaid flowchart (renders in GitHub/GitLab Markdown): one subgraph per group, nodes by id
// n0, n1, … (lab names may contain `-`, which Mermaid reads as part of an arrow), labels quoted
// with Mermaid's entity escapes, edges labelled with both interface names.
import type { GraphView } from './view.js';

/** Text inside a quoted Mermaid label: quotes and markup characters as entities. */
export function mermaidText(s: string): string {
  return s.replace(/[#"<>&|]/g, (c) => `#${c.charCodeAt(0)};`);
}

const SHAPE: Record<string, [string, string]> = {
  router: ['([', '])'],
  switch: ['[', ']'],
  host: ['[', ']'],
  server: ['[[', ']]'],
  cloud: ['((', '))'],
};

export function renderMermaid(v: GraphView): string {
  const id = new Map(v.nodes.map((n, i) => [n.name, `n${i}`]));
  const out = ['flowchart TB'];
  if (v.live) out.push(`  %% ${v.lab}: ${v.live}`);
  v.groups.forEach((g, i) => {
    out.push(`  subgraph g${i}["${mermaidText(g)}"]`);
    for (const n of v.nodes.filter((x) => x.group === g)) {
      const [open, close] = SHAPE[n.icon] ?? ['[', ']'];
      out.push(`    ${id.get(n.name)}${open}"${mermaidText(n.name)}<br/>${mermaidText(n.role)}"${close}`);
    }
    out.push('  end');
  });
  for (const e of v.links) out.push(`  ${id.get(e.a)} ---|"${mermaidText(`${e.aIf} – ${e.bIf}`)}"| ${id.get(e.b)}`);
  return out.join('\n') + '\n';
}
