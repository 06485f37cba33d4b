// draw.io (diagrams.net) file: one uncompressed mxGraphModel, a vertex per node placed on the
// shared grid (group columns, graph-level rows), an edge per link with its interface names.
import { CLASS_COLOR } from '../report/palette.js';
import { gridLayout, type GraphView } from './view.js';

/** XML attribute text. */
export function xmlAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE: Record<string, string> = {
  router: 'ellipse;whiteSpace=wrap;html=1;fillColor=#dae8fc;strokeColor=#6c8ebf;',
  switch: 'rounded=1;whiteSpace=wrap;html=1;fillColor=#d5e8d4;strokeColor=#82b366;',
  host: 'rounded=0;whiteSpace=wrap;html=1;fillColor=#f5f5f5;strokeColor=#666666;',
  server: 'shape=cube;whiteSpace=wrap;html=1;fillColor=#ffe6cc;strokeColor=#d79b00;',
  cloud: 'ellipse;shape=cloud;whiteSpace=wrap;html=1;fillColor=#e1d5e7;strokeColor=#9673a6;',
};

export function renderDrawio(v: GraphView): string {
  const pos = gridLayout(v);
  const cells = ['        <mxCell id="0" />', '        <mxCell id="1" parent="0" />'];
  const id = new Map(v.nodes.map((n, i) => [n.name, `n${i}`]));
  for (const n of v.nodes) {
    const p = pos.get(n.name)!;
    cells.push(
      `        <mxCell id="${id.get(n.name)}" value="${xmlAttr(`${n.name}<br>${n.role}`)}" style="${STYLE[n.icon] ?? STYLE.host}" vertex="1" parent="1">`,
      `          <mxGeometry x="${p.x}" y="${p.y}" width="110" height="44" as="geometry" />`,
      '        </mxCell>',
    );
  }
  v.links.forEach((e, i) => {
    const color = CLASS_COLOR[e.class] ?? '#888888';
    cells.push(
      `        <mxCell id="e${i}" value="${xmlAttr(`${e.aIf} – ${e.bIf}`)}" style="endArrow=none;html=1;fontSize=8;strokeColor=${color};" edge="1" parent="1" source="${id.get(e.a)}" target="${id.get(e.b)}">`,
      '          <mxGeometry relative="1" as="geometry" />',
      '        </mxCell>',
    );
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<mxfile host="fabric" type="device">`,
    `  <diagram id="${xmlAttr(v.lab)}" name="${xmlAttr(v.live ? `${v.lab} (${v.live})` : v.lab)}">`,
    '    <mxGraphModel grid="1" gridSize="10" page="0">',
    '      <root>',
    ...cells,
    '      </root>',
    '    </mxGraphModel>',
    '  </diagram>',
    '</mxfile>',
    '',
  ].join('\n');
}
