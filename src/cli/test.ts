// `fabric test <lab> [--suite ...]`: capture, probe and judge a deployed lab. Never writes flows
// (only --mutate does, and it restores them).
import type { Command } from 'commander';
import { labModelOf, labOperand, pickLab } from './lab-arg.js';

export function register(program: Command): void {
  labOperand(
    program.command('test').description('run conformance suites against a deployed lab: capture, probe, judge, report'),
    'deployed lab: name, folder or file',
  )
    .option('--suite <name...>', 'suites to run (default: all)')
    .option('--mutate [name...]', 'mutation self-check: misprogram the lab one way at a time, expect red, restore')
    .action(
      async (operand: string | undefined, opts: { suite?: string[]; mutate?: boolean | string[]; topo?: string }) => {
        const { runConformance, runMutations } = await import('../conformance/runner.js');
        const model = await labModelOf(pickLab(operand, opts.topo), { deployed: true });
        const { report } = await runConformance({ lab: model.name, suites: opts.suite });
        const s = report.summary;
        process.stdout.write(
          `\n${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''}\nevidence: ${report.runDir}/ (report.html, junit.xml, report.json, pcaps, manifest.json)\n`,
        );
        if (s.failed) process.exitCode = 1;
        if (!opts.mutate) return;
        if (s.failed) {
          process.stdout.write('mutation self-check skipped: the unmutated lab must pass first\n');
          return;
        }
        process.stdout.write('\nmutation self-check (each misprogramming must turn a frame-based check red):\n');
        const names = Array.isArray(opts.mutate) ? opts.mutate : undefined;
        const results = await runMutations(model.name, {
          names,
          onResult: (r) =>
            process.stdout.write(
              `  ${r.killed ? 'killed  ' : 'SURVIVED'} ${r.name.padEnd(24)} ${r.killed ? `by ${r.killedBy.join(', ')}` : r.description}\n`,
            ),
        });
        const killed = results.filter((r) => r.killed).length;
        const score = Math.round((100 * killed) / Math.max(1, results.length));
        process.stdout.write(`mutation score: ${killed}/${results.length} (${score}%); flows restored to plan\n`);
        report.mutations = results;
        report.summary.mutationScore = score;
        const { writeReports } = await import('../report/index.js');
        if (report.runDir) await writeReports(report, report.runDir);
        if (killed < results.length) process.exitCode = 1;
      },
    );
}
