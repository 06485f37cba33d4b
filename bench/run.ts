// `make bench`: runs the benchmark modules in sequence and prints every figure with both sides of
// each comparison. Add a module by appending one entry to MODULES.
//   npx tsx bench/run.ts            # all modules
//   npx tsx bench/run.ts decode     # only some, by name
// Results are also written to reports/bench/<module>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchFigure {
  /** What was measured, e.g. "ours: fast file path + Dissector.walk". */
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export interface BenchContext {
  /** Cache directory for generated inputs (.cache/bench). */
  cacheDir: string;
  log(line: string): void;
}

export interface BenchModule {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchFigure[]>;
}

/** The registry: name → loader (modules are imported only when selected). */
export const MODULES: { name: string; load: () => Promise<{ bench: BenchModule }> }[] = [
  { name: 'decode', load: () => import('./decode.js') },
  { name: 'inspect-cli', load: () => import('./inspect-cli.js') },
  { name: 'lab-up', load: () => import('./lab-up.js') },
  { name: 'lab-up-docker', load: () => import('./lab-up-docker.js') },
  { name: 'conformance-scale', load: () => import('./conformance-scale.js') },
  { name: 'failover', load: () => import('./failover.js') },
  { name: 'intent-load', load: () => import('./intent-load.js') },
  { name: 'impair', load: () => import('./impair.js') },
  { name: 'split-up', load: () => import('./split-up.js') },
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !MODULES.some((m) => m.name === w));
  if (unknown.length) {
    process.stderr.write(
      `bench: unknown module(s) ${unknown.join(', ')}; known: ${MODULES.map((m) => m.name).join(', ')}\n`,
    );
    process.exit(2);
  }
  const cacheDir = join(process.cwd(), '.cache', 'bench');
  const reportDir = join(process.cwd(), 'reports', 'bench');
  mkdirSync(cacheDir, { recursive: true });
  mkdirSync(reportDir, { recursive: true });
  const ctx: BenchContext = { cacheDir, log: (l) => process.stdout.write(l + '\n') };
  let failed = 0;
  for (const entry of MODULES) {
    if (wanted.length && !wanted.includes(entry.name)) continue;
    const { bench } = await entry.load();
    ctx.log(`\n=== bench ${bench.name}: ${bench.description}`);
    const t0 = performance.now();
    try {
      const figures = await bench.run(ctx);
      ctx.log(`--- ${bench.name} summary`);
      for (const f of figures)
        ctx.log(`  ${f.name.padEnd(58)} ${fmt(f.value).padStart(10)} ${f.unit}${f.note ? `  (${f.note})` : ''}`);
      writeFileSync(
        join(reportDir, `${bench.name}.json`),
        JSON.stringify({ module: bench.name, at: new Date().toISOString(), figures }, null, 2) + '\n',
      );
    } catch (err) {
      failed++;
      ctx.log(`bench ${bench.name} FAILED: ${(err as Error)?.stack ?? String(err)}`);
    }
    ctx.log(`=== bench ${bench.name} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  if (failed) process.exit(1);
}

function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('bench/run.ts')) {
  await main();
}
