// `fabric graph`: the lab drawn in one of several formats, one renderer per format in a registry.
import { renderDot } from './dot.js';
import { renderDrawio } from './drawio.js';
import { renderMermaid } from './mermaid.js';
import { renderSvg } from './svg.js';
import type { GraphView } from './view.js';

export { graphView, gridLayout, type GraphView, type GraphNode, type GraphLink } from './view.js';

export const RENDERERS: ReadonlyMap<string, { ext: string; render: (v: GraphView) => string }> = new Map([
  ['dot', { ext: 'dot', render: renderDot }],
  ['mermaid', { ext: 'mmd', render: renderMermaid }],
  ['drawio', { ext: 'drawio', render: renderDrawio }],
  ['svg', { ext: 'svg', render: renderSvg }],
]);
