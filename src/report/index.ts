// Reports of a conformance run (src/report/result.ts): JUnit XML, JSON, one-file HTML.
export { junitXml, writeJunit, suiteOrder, evidenceLine, probeShareMs, type JunitOptions } from './junit.js';
export { reportJson, writeJson, readReport } from './json.js';
export { renderHtml, writeHtml, pcapHref, type HtmlOptions } from './html.js';
export {
  patternText,
  observedText,
  expectedBlocks,
  observedBlocks,
  BLOCK_LABEL,
  type StackBlock,
  type BlockKind,
} from './stack.js';
export { topologySvg } from './topology-svg.js';
export { writeReports, type WrittenReports } from './write.js';
