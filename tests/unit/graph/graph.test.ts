import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { RENDERERS, graphView, type GraphView } from '../../../src/graph/index.js';
import { dotId } from '../../../src/graph/dot.js';
import { mermaidText } from '../../../src/graph/mermaid.js';
import { loadLab } from '../../../src/topology/index.js';
import { golden } from '../../helpers/golden.js';

/**
 * A strict reading of the dot subset the renderer writes: every line is one of these statement
 * forms, IDs are quoted strings with escapes, braces balance, and every edge names declared nodes.
 */
function checkDot(text: string): void {
  const ID = String.raw`"(?:[^"\\]|\\.)*"`;
  const ATTRS = String.raw`\[(?:[a-z]+=(?:${ID}|[A-Za-z0-9_.#]+)(?:, )?)+\]`;
  const forms = [
    new RegExp(`^graph ${ID} \\{$`),
    new RegExp(`^  (graph|node|edge) ${ATTRS};$`),
    new RegExp(`^  label=${ID};$`),
    new RegExp(`^  subgraph ${ID} \\{$`),
    new RegExp(`^    label=${ID};$`),
    new RegExp(`^    (${ID}) ${ATTRS};$`),
    /^ {2}\}$/,
    new RegExp(`^  \\{ rank=same; (${ID}; )+\\}$`),
    new RegExp(`^  (${ID}) -- (${ID}) ${ATTRS};$`),
    /^\}$/,
  ];
  const declared = new Set<string>();
  let depth = 0;
  for (const line of text.trimEnd().split('\n')) {
    const i = forms.findIndex((f) => f.test(line));
    expect(i, `dot line: ${line}`).to.be.greaterThan(-1);
    if (line.endsWith('{')) depth++;
    if (/^\s*\}$/.test(line)) depth--;
    expect(depth).to.be.at.least(0);
    if (i === 5) declared.add(forms[5]!.exec(line)![1]!);
    if (i === 8) {
      const m = forms[8]!.exec(line)!;
      expect(declared.has(m[1]!) && declared.has(m[2]!), `edge between declared nodes: ${line}`).to.equal(true);
    }
  }
  expect(depth).to.equal(0);
}

/** The Mermaid flowchart subset the renderer writes, with ids declared before edges use them. */
function checkMermaid(text: string): void {
  const LABEL = String.raw`"[^"]*"`;
  const SHAPED = String.raw`(n\d+)(?:\[${LABEL}\]|\(\[${LABEL}\]\)|\[\[${LABEL}\]\]|\(\(${LABEL}\)\))`;
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).to.equal('flowchart TB');
  const declared = new Set<string>();
  let open = 0;
  for (const line of lines.slice(1)) {
    let m: RegExpExecArray | null;
    if (/^ {2}%% .*$/.test(line)) continue;
    if (new RegExp(`^  subgraph g\\d+\\[${LABEL}\\]$`).test(line)) open++;
    else if (line === '  end') open--;
    else if ((m = new RegExp(`^    ${SHAPED}$`).exec(line))) declared.add(m[1]!);
    else if ((m = new RegExp(`^  (n\\d+) ---\\|${LABEL}\\| (n\\d+)$`).exec(line)))
      expect(declared.has(m[1]!) && declared.has(m[2]!), line).to.equal(true);
    else expect.fail(`mermaid line: ${line}`);
    expect(open).to.be.within(0, 1);
  }
  expect(open).to.equal(0);
}

describe('fabric graph', () => {
  let view: GraphView;
  before(async () => {
    view = graphView(await loadLab('labs/mtdc/fabric.yml'));
  });

  for (const [format, r] of RENDERERS) {
    it(`${format}: golden file for labs/mtdc`, () => {
      golden(`tests/golden/graph/mtdc.${r.ext}`, r.render(view));
    });
  }

  it('dot is well-formed: statement forms, quoted IDs, balanced braces, edges between declared nodes', () => {
    const text = RENDERERS.get('dot')!.render(view);
    checkDot(text);
    expect(text.match(/ -- /g)).to.have.length(view.links.length);
    expect(() => checkDot(text.replace('{ rank=same;', '{ rank=same'))).to.throw();
  });

  it('mermaid is well-formed: a flowchart, subgraphs closed, every edge between declared ids', () => {
    const text = RENDERERS.get('mermaid')!.render(view);
    checkMermaid(text);
    expect(text.match(/---\|/g)).to.have.length(view.links.length);
    expect(() => checkMermaid(text.replace('  end\n', ''))).to.throw();
  });

  it('drawio: one vertex per node and one edge per link, each edge between vertices', () => {
    const text = RENDERERS.get('drawio')!.render(view);
    const vertices = new Set([...text.matchAll(/<mxCell id="(n\d+)"[^>]* vertex="1"/g)].map((m) => m[1]));
    expect(vertices.size).to.equal(view.nodes.length);
    const edges = [...text.matchAll(/edge="1" parent="1" source="(n\d+)" target="(n\d+)"/g)];
    expect(edges).to.have.length(view.links.length);
    for (const e of edges) expect(vertices.has(e[1]) && vertices.has(e[2])).to.equal(true);
  });

  it('svg: one standalone SVG with a box per node', () => {
    const text = RENDERERS.get('svg')!.render(view);
    expect(text).to.match(/^<\?xml [^\n]*\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(text.trimEnd().endsWith('</svg>')).to.equal(true);
  });

  it('escapes what would break a format (quotes, markup) in names', () => {
    expect(dotId('a"b\\c')).to.equal('"a\\"b\\\\c"');
    expect(mermaidText('a"<b>|c')).to.equal('a#34;#60;b#62;#124;c');
  });

  it('a deployed lab is noted with its runtime and phase', () => {
    const live = { ...view, live: 'deployed (runtime netns)' };
    expect(RENDERERS.get('dot')!.render(live)).to.contain('label="mtdc: deployed (runtime netns)";');
    expect(RENDERERS.get('mermaid')!.render(live)).to.contain('%% mtdc: deployed (runtime netns)');
  });

  it("the generated containerlab file carries containerlab's graph-level, graph-icon and graph-group on every node", () => {
    const clab = parse(readFileSync('labs/mtdc/mtdc.clab.yml', 'utf8')) as {
      topology: { nodes: Record<string, { labels: Record<string, string> }> };
    };
    const nodes = Object.values(clab.topology.nodes);
    // The committed file is generated --without-hypervisors: the hypervisors' nodes are left out.
    const hv = new Set(['hypervisor', 'vxlan-gateway', 'vm']);
    expect(nodes.length).to.equal(view.nodes.filter((n) => !hv.has(n.role)).length);
    for (const n of nodes) {
      expect(n.labels['graph-level']).to.match(/^[1-6]$/);
      expect(n.labels['graph-icon']).to.be.oneOf(['router', 'switch', 'host', 'server', 'cloud']);
      expect(n.labels['graph-group']).to.be.oneOf(view.groups);
    }
  });
});
