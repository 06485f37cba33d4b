// `fabric test <lab> [--suite ...]`: capture, probe and judge a deployed lab. Never writes flows
// (only --mutate does, and it restores them). The terminal output is any mocha reporter's; fabric's
// own lines (stage progress, stage times, where the evidence is) go to stderr whenever a reporter
// other than spec owns stdout, so `--reporter json > r.json` stays machine-readable.
import type { Command } from 'commander';
import type { ConformanceReport } from '../report/result.js';
import { labModelOf, labOperand, pickLab } from './lab-arg.js';

interface TestOpts {
  suite?: string[];
  mutate?: boolean | string[];
  topo?: string;
  reporter: string;
  junit?: string;
  grep?: string;
  /** false with --no-failover. */
  failover: boolean;
}

async function mutationRun(lab: string, report: ConformanceReport, opts: TestOpts, say: (s: string) => void) {
  if (report.summary.failed || report.summary.errors) {
    say('mutation self-check skipped: the unmutated lab must pass first\n');
    return;
  }
  const { runMutations } = await import('../conformance/runner.js');
  say('\nmutation self-check (each misprogramming must turn a frame-based check red):\n');
  const names = Array.isArray(opts.mutate) ? opts.mutate : undefined;
  const results = await runMutations(lab, {
    names,
    onResult: (r) =>
      say(
        `  ${r.killed ? 'killed  ' : 'SURVIVED'} ${r.name.padEnd(24)} ${r.killed ? `by ${r.killedBy.join(', ')}` : r.description}\n`,
      ),
  });
  const killed = results.filter((r) => r.killed).length;
  const score = Math.round((100 * killed) / Math.max(1, results.length));
  say(`mutation score: ${killed}/${results.length} (${score}%); flows restored to plan\n`);
  report.mutations = results;
  report.summary.mutationScore = score;
  const { writeReports } = await import('../report/index.js');
  if (report.runDir) await writeReports(report, report.runDir);
  if (killed < results.length) process.exitCode = 1;
}

async function run(operand: string | undefined, opts: TestOpts): Promise<void> {
  const { runConformance } = await import('../conformance/runner.js');
  const { stageLine, stagesSummary } = await import('../conformance/stages.js');
  const t0 = performance.now();
  const out = opts.reporter === 'spec' ? process.stdout : process.stderr;
  const say = (s: string) => void out.write(s);
  const model = await labModelOf(pickLab(operand, opts.topo), { deployed: true });
  const { report, stages } = await runConformance({
    lab: model.name,
    suites: opts.suite,
    reporter: opts.reporter,
    grep: opts.grep,
    failover: opts.failover,
    onStage: (s) => process.stderr.write(stageLine(s) + '\n'),
  });
  if (opts.junit) {
    const { writeJunit } = await import('../report/index.js');
    await writeJunit(report, opts.junit, { pcapBase: report.runDir });
  }
  const s = report.summary;
  say(
    `\n${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''}${s.errors ? `, ${s.errors} not run (probe error)` : ''}\n`,
  );
  say(stagesSummary(stages, performance.now() - t0));
  say(
    `evidence: ${report.runDir || '(none: the probe did not run)'}/ (report.html, junit.xml, report.json, pcaps, manifest.json)${opts.junit ? `; JUnit also in ${opts.junit}` : ''}\n`,
  );
  if (s.failed || s.errors) process.exitCode = 1;
  if (opts.mutate) await mutationRun(model.name, report, opts, say);
}

export function register(program: Command): void {
  labOperand(
    program.command('test').description('run conformance suites against a deployed lab: capture, probe, judge, report'),
    'deployed lab: name, folder or file',
  )
    .option('--suite <name...>', 'suites to run (default: all)')
    .option(
      '--reporter <name>',
      'mocha reporter for the terminal: spec, dot, tap, json, list, min, ... or a module',
      'spec',
    )
    .option('--junit <path>', 'also write the JUnit XML here (the run folder always gets junit.xml)')
    .option('--grep <pattern>', 'only the checks whose "<suite> <title>" matches this regular expression')
    .option(
      '--no-failover',
      'on a lab with hypervisors: skip the watched failover and fail-back the probe runs by default',
    )
    .option('--mutate [name...]', 'mutation self-check: misprogram the lab one way at a time, expect red, restore')
    .action(run);
}
