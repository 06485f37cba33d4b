// `fabric test <lab> [--suite ...]`: capture, probe and judge a deployed lab. Never writes flows
// (only --mutate does, and it restores them).
import type { Command } from 'commander';
import { labModelOf } from './lab-model.js';

export function register(program: Command): void {
  program
    .command('test')
    .description('run conformance suites against a deployed lab: capture, probe, judge, report')
    .argument('<lab>', 'deployed lab name or its fabric.yml')
    .option('--suite <name...>', 'suites to run (default: all)')
    .action(async (arg: string, opts: { suite?: string[] }) => {
      const { runConformance } = await import('../conformance/runner.js');
      const model = await labModelOf(arg, { deployed: true });
      const { report } = await runConformance({ lab: model.name, suites: opts.suite });
      const s = report.summary;
      process.stdout.write(`\n${s.passed} passed, ${s.failed} failed\nevidence: ${report.runDir}/ (report.json, pcaps, manifest.json)\n`);
      if (s.failed) process.exitCode = 1;
    });
}
