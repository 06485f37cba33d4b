// Traffic generators: real-stack probes inside endpoint namespaces (ping, arping, UDP with sequence
// numbers) and crafted canary frames injected with tcpreplay. See docs/capture.md.
export * from './ns.js';
export * from './ping.js';
export * from './udp.js';
export * from './udp-many.js';
export * from './frames.js';
export * from './inject.js';
export { runProbe, formatArgv, type ProbeRun } from './exec.js';
