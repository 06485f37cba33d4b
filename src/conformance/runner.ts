// `fabric test`: one probe (capture everything while real traffic and canaries run), then every
// selected check as a mocha test judging the captures. Results become the report contract
// (src/report/result.ts); the run dir keeps the pcaps, manifest, plan and reports together.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { FabricError } from '../errors/fabric-error.js';
import { matchLayers } from '../tagging/expected.js';
import { writeReports } from '../report/index.js';
import { loadContext, type TestContext } from './context.js';
import { loadRunFrames, type RunFrames } from './frames.js';
import type { CheckDef } from './judge.js';
import { checkTest, type ProbeState } from './check-test.js';
import { tsharkDecodeItems } from '../tagging/tshark.js';
import { baselineProbe, type ProbeOptions, type ProbeRecord } from './probe.js';
import { recordSuites } from './records.js';
import { layoutOf } from '../failover/layout.js';
import type { CheckResult, ConformanceReport, HopPicture } from '../report/result.js';
import { DEFAULT_SUITES, defaultSuites, SUITES } from './suites/index.js';
import { declaredImpairments } from './impair-probe.js';
import { StageClock, type StageListener, type StageTime } from './stages.js';

export interface ConformanceOptions {
  lab: string;
  suites?: string[];
  probe?: ProbeOptions;
  /** Mocha reporter for the terminal (default spec). */
  reporter?: string;
  /** Extra checks (the faults and failover suites add their own probes and judges). */
  extra?: CheckDef[];
  /** Only the checks whose `<id> <suite> <title>` matches this regular expression. */
  grep?: string;
  /** Told as each stage ends: context, learn, capture start, traffic, canaries, capture stop, decode, judge, reports. */
  onStage?: StageListener;
  /** On a lab with hypervisors, run a watched failover and fail-back in the probe (default true). */
  failover?: boolean;
}

export interface ConformanceRun {
  report: ConformanceReport;
  ctx: TestContext;
  probe?: ProbeRecord;
  /** Every stage's wall time, in order. */
  stages: StageTime[];
  /** Why the probe could not run (then every check is reported as an error, not a verdict). */
  probeError?: string;
}

/**
 * The checks of the named suites (default: every default suite). The failover suite is left out of
 * the default on a lab without hypervisors: there is nothing to fail over, so nothing to list.
 */
export function selectChecks(
  names: string[] | undefined,
  o: { hypervisors?: boolean; impaired?: boolean } = {},
): CheckDef[] {
  const wanted = names?.length
    ? names
    : defaultSuites(o.impaired ?? false).filter((s) => s !== 'failover' || o.hypervisors !== false);
  const unknown = wanted.filter((n) => !SUITES[n]);
  if (unknown.length)
    throw new FabricError('E_SUITE_UNKNOWN', `unknown suite ${unknown.join(', ')}`, {
      hint: `suites: ${Object.keys(SUITES).join(', ')}`,
    });
  return wanted.flatMap((n) => SUITES[n]);
}

function hopPictures(ctx: TestContext, probe: ProbeRecord, run: RunFrames): HopPicture[] {
  const out: HopPicture[] = [];
  for (const t of new Set(probe.canaries.map((c) => c.tenant))) {
    // The farthest unicast canary of each tenant shows every encoding it meets on the way.
    const c = probe.canaries
      .filter((x) => x.tenant === t && x.cls === 'unicast')
      .sort((a, b) => ctx.exp.traversals(b.flow).length - ctx.exp.traversals(a.flow).length)[0];
    if (!c || !c.dst) continue;
    const seen = run.byCanary.get(c.key) ?? [];
    out.push({
      tenant: t,
      flow: `${c.src.node.name} → ${c.dst.node.name} (unicast canary ${c.key.split('|')[0]})`,
      hops: ctx.exp.traversals(c.flow).map((h) => {
        const f = seen.find((x) => x.linkId === h.link.id);
        return {
          link: h.link.id,
          class: h.class,
          from: h.from,
          to: h.to,
          expected: h.layers,
          observed: f?.layers,
          ok: f ? matchLayers(f.layers, h.layers) === null : false,
        };
      }),
    });
  }
  return out;
}

const REPORTER_HINT =
  "use one of mocha's reporters (spec, dot, tap, json, list, min, ...) or a reporter module path; --grep takes a JavaScript regular expression matched against '<check id> <suite> <title>'";

/** The mocha run for `--reporter` (a built-in name or a module path); an unknown one is E_TEST_REPORTER. */
export function newMocha(o: Pick<ConformanceOptions, 'reporter'>): Mocha {
  try {
    return new Mocha({ reporter: o.reporter ?? 'spec', timeout: 600_000 });
  } catch (err) {
    throw new FabricError('E_TEST_REPORTER', String((err as Error)?.message ?? err), {
      hint: REPORTER_HINT,
      cause: err,
    });
  }
}

/** --grep: the checks whose `<id> <suite> <title>` matches; none matching is an error, not an empty green run. */
export function grepChecks(checks: CheckDef[], pattern: string | undefined): CheckDef[] {
  if (pattern === undefined) return checks;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (err) {
    throw new FabricError('E_TEST_REPORTER', `--grep ${JSON.stringify(pattern)}: ${(err as Error).message}`, {
      hint: REPORTER_HINT,
      cause: err,
    });
  }
  const out = checks.filter((c) => re.test(`${c.id} ${c.suite} ${c.title}`));
  if (!out.length)
    throw new FabricError('E_TEST_REPORTER', `--grep ${JSON.stringify(pattern)} matches no check`, {
      hint: `checks: ${checks.map((c) => c.id).join(', ')}`,
    });
  return out;
}

/** Checks that never ran because the probe failed become errors: no verdict either way. */
function probeErrors(checks: CheckDef[], results: CheckResult[], why: string): void {
  for (const c of checks) {
    if (results.some((r) => r.id === c.id)) continue;
    results.push({
      suite: c.suite,
      id: c.id,
      title: c.title,
      state: 'error',
      durationMs: 0,
      message: `not run: the probe failed: ${why}`,
      evidence: [],
    });
  }
}

function buildReport(
  o: ConformanceOptions,
  ctx: TestContext,
  st: ProbeState,
  parts: { startedAt: string; suites: string[]; results: CheckResult[]; stages: StageTime[] },
): ConformanceReport {
  const { probe, run } = st;
  const results = parts.results;
  const background: Record<string, number> = {};
  for (const r of results)
    for (const [k, n] of Object.entries(r.stats ?? {})) if (k.startsWith('background.')) background[k.slice(11)] = n;
  const count = (s: CheckResult['state']) => results.filter((r) => r.state === s).length;
  return {
    reportVersion: 2,
    lab: o.lab,
    runtime: ctx.runtime,
    planHash: ctx.planHash,
    runId: probe?.runId ?? 'none',
    runDir: probe?.runDir ?? '',
    startedAt: parts.startedAt,
    finishedAt: new Date().toISOString(),
    suites: parts.suites,
    checks: results,
    background,
    topology: {
      nodes: ctx.model.nodes.map((n) => ({ name: n.name, role: n.role, dc: n.dc, tenant: n.tenant })),
      links: ctx.model.links.map((l) => ({ id: l.id, class: l.class, a: l.endpoints[0].node, b: l.endpoints[1].node })),
    },
    hops: probe && run ? hopPictures(ctx, probe, run) : [],
    stages: [...parts.stages],
    ...(st.records?.failover?.moves.length ? { failover: st.records.failover.moves } : {}),
    summary: { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), errors: count('error') },
  };
}

export async function runConformance(o: ConformanceOptions): Promise<ConformanceRun> {
  const clock = new StageClock(o.onStage);
  const startedAt = new Date().toISOString();
  const ctx = await clock.time('context', () => loadContext(o.lab));
  const vms = layoutOf(ctx.model).vms.length > 0;
  const impaired = declaredImpairments(ctx).size > 0;
  const checks = grepChecks([...selectChecks(o.suites, { hypervisors: vms, impaired }), ...(o.extra ?? [])], o.grep);
  const decodeItems = tsharkDecodeItems(ctx.plan);
  const results: CheckResult[] = [];
  const st: ProbeState = {};
  let probeError: string | undefined;
  let judgeT0 = 0;

  const mocha = newMocha(o);
  const root = mocha.suite;
  root.title = `fabric test ${o.lab} (plan ${ctx.planHash})`;
  root.beforeAll('probe: learn, capture every link end, real traffic, canaries', async function () {
    try {
      const probe = (st.probe = await baselineProbe(ctx, { ...o.probe, onStage: (x) => clock.add(x.stage, x.ms) }));
      st.run = await clock.time('decode', () => loadRunFrames(probe.runDir, probe.manifest, ctx.plan));
      // Probes of the fault windows and the failover: each a stage of its own when selected
      // (failover records only on labs with virtual hypervisors).
      const suites = new Set(checks.map((c) => c.suite));
      const time = <T>(stage: string, fn: () => Promise<T>) => clock.time(stage, fn);
      st.records = await recordSuites(ctx, probe, suites, { moves: o.failover, time });
    } catch (err) {
      probeError = String((err as Error)?.message ?? err);
      throw err;
    } finally {
      judgeT0 = performance.now();
    }
  });
  const bySuite = new Map<string, Mocha.Suite>();
  for (const c of checks) {
    let s = bySuite.get(c.suite);
    if (!s) bySuite.set(c.suite, (s = Mocha.Suite.create(root, c.suite)));
    s.addTest(checkTest(c, ctx, st, decodeItems, results));
  }
  await new Promise<void>((resolve) => mocha.run(() => resolve()));
  if (judgeT0) clock.add('judge', performance.now() - judgeT0);
  if (probeError !== undefined) probeErrors(checks, results, probeError);
  const report = buildReport(o, ctx, st, { startedAt, suites: [...bySuite.keys()], results, stages: clock.list });
  const probe = st.probe;
  if (probe) {
    writeFileSync(
      join(probe.runDir, 'plan.json'),
      JSON.stringify({ planHash: ctx.planHash, ...ctx.plan }, null, 2) + '\n',
    );
    await clock.time('reports', () => writeReports(report, probe.runDir, { manifest: probe.manifest }));
  }
  return { report, ctx, probe, stages: clock.list, probeError };
}

/** Mocha reporter that prints nothing: mutation runs report their own table. */
function SilentReporter(this: unknown, runner: Mocha.Runner): void {
  void runner;
}

export interface MutationOutcome {
  name: string;
  description: string;
  killedBy: string[];
  killed: boolean;
}

/**
 * `fabric test --mutate`: misprogram one bridge at a time, run the frame-based suites, restore the
 * bridge's planned program, and check the lab is back on plan. The flows-drift check is excluded:
 * a kill must come from frames.
 */
export async function runMutations(
  lab: string,
  o: { names?: string[]; onResult?: (m: MutationOutcome) => void } = {},
): Promise<MutationOutcome[]> {
  const { MUTATIONS } = await import('./mutate.js');
  const { applyPrograms, diffPrograms } = await import('../tagging/apply.js');
  const { renderPrograms } = await import('../tagging/render.js');
  const ctx = await loadContext(lab);
  const planned = renderPrograms(ctx.model, ctx.plan);
  // Neither the flow dump nor the failover moves: a mutation run re-programs, it never re-ups.
  const frameSuites = DEFAULT_SUITES.filter((s) => s !== 'flows' && s !== 'failover');
  const out: MutationOutcome[] = [];
  const unknown = (o.names ?? []).filter((n) => !MUTATIONS.some((m) => m.name === n));
  if (unknown.length)
    throw new FabricError('E_MUTATE_LAB', `unknown mutation ${unknown.join(', ')}`, {
      hint: `mutations: ${MUTATIONS.map((m) => m.name).join(', ')}`,
    });
  const chosen = MUTATIONS.filter((x) => !o.names?.length || o.names.includes(x.name));
  // A mutation the lab cannot carry (transit on a full mesh) is not scored, unless asked by name.
  for (const m of chosen.filter((x) => o.names?.length || !x.applies || x.applies(ctx))) {
    const node = m.node(ctx);
    const orig = planned.find((p) => p.node === node);
    if (!orig) throw new FabricError('E_MUTATE_LAB', `mutation ${m.name}: no program for node ${node}`);
    const bad = m.mutate(orig, ctx);
    if (JSON.stringify(bad) === JSON.stringify(orig))
      throw new FabricError('E_MUTATE_NOOP', `mutation ${m.name} changed nothing on ${node}`, {
        hint: 'the lab lacks what this mutation rewrites',
      });
    let killedBy: string[] = [];
    try {
      await applyPrograms([bad]);
      const { report } = await runConformance({
        lab,
        suites: frameSuites,
        reporter: SilentReporter as unknown as string,
      });
      killedBy = report.checks.filter((c) => c.state === 'failed').map((c) => c.id);
    } finally {
      await applyPrograms([orig]);
    }
    const r = { name: m.name, description: m.description, killedBy, killed: killedBy.length > 0 };
    out.push(r);
    o.onResult?.(r);
  }
  const drift = (await diffPrograms(planned)).filter((d) => d.missing.length || d.unexpected.length);
  if (drift.length)
    throw new FabricError(
      'E_MUTATE_RESTORE',
      `flows still differ from the plan on ${drift.map((d) => d.node).join(', ')} after the mutations`,
      { hint: 'run fabric program <lab>' },
    );
  return out;
}
