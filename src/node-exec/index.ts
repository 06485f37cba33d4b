// `fabric exec` and `fabric shell`: commands on lab nodes (netns, containers, virtual hypervisors).
export { execTarget, nodeOf, nodesWithLabels, parseLabels, shellOf, shellTarget, terminal } from './target.js';
export type { ExecTarget, Tty } from './target.js';
export { runMany, runOne } from './run.js';
export type { Output, RunOpts } from './run.js';
