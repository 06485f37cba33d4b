// A standalone SVG: the same picture the HTML report draws (one column per datacenter, a core band,
// tenants striped), so the two never disagree.
import { topologySvg } from '../report/topology-svg.js';
import type { GraphView } from './view.js';

export function renderSvg(v: GraphView): string {
  const { svg } = topologySvg({
    nodes: v.nodes.map((n) => ({ name: n.name, role: n.role, dc: n.dc, tenant: n.tenant })),
    links: v.links.map((l) => ({ id: l.id, class: l.class, a: l.a, b: l.b })),
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`;
}
