// Child of the intent-load bench: loads (and resolves) one intent file in a fresh process, so its
// peak resident memory is the load's alone, and prints {ms, cpuMs, maxRssMiB, outcome} as JSON.
import { DiagnosticsError } from '../src/errors/diagnostics.js';
import { loadLab } from '../src/topology/index.js';

const file = process.argv[2];
if (!file) throw new Error('usage: intent-load-child <fabric.yml>');
const t0 = performance.now();
const c0 = process.cpuUsage();
let outcome: string;
try {
  const model = await loadLab(file);
  outcome = `loaded: ${model.nodes.length} nodes, ${model.links.length} links`;
} catch (e) {
  outcome = e instanceof DiagnosticsError ? `refused: ${e.diagnostics.length} diagnostics` : `crashed: ${String(e)}`;
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(JSON.stringify({ ms, cpuMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, outcome }) + '\n');
