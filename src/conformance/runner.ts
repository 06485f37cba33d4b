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
import { EvidenceError, SkipCheck, type CheckDef, type Judgement } from './judge.js';
import { baselineProbe, type ProbeOptions, type ProbeRecord } from './probe.js';
import { recordSuites, type SuiteRecords } from './records.js';
import type { CheckResult, ConformanceReport, HopPicture } from '../report/result.js';
import { DEFAULT_SUITES, SUITES } from './suites/index.js';

export interface ConformanceOptions {
  lab: string;
  suites?: string[];
  probe?: ProbeOptions;
  /** Mocha reporter for the terminal (default spec). */
  reporter?: string;
  /** Extra checks (the faults and failover suites add their own probes and judges). */
  extra?: CheckDef[];
}

export interface ConformanceRun {
  report: ConformanceReport;
  ctx: TestContext;
  probe?: ProbeRecord;
}

export function selectChecks(names: string[] | undefined): CheckDef[] {
  const wanted = names?.length ? names : DEFAULT_SUITES;
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

export async function runConformance(o: ConformanceOptions): Promise<ConformanceRun> {
  const ctx = await loadContext(o.lab);
  const checks = [...selectChecks(o.suites), ...(o.extra ?? [])];
  const startedAt = new Date().toISOString();
  const results: CheckResult[] = [];
  let probe: ProbeRecord | undefined;
  let run: RunFrames | undefined;
  let records: SuiteRecords | undefined;

  const mocha = new Mocha({ reporter: o.reporter ?? 'spec', timeout: 600_000 });
  const root = mocha.suite;
  root.title = `fabric test ${o.lab} (plan ${ctx.planHash})`;
  root.beforeAll('probe: learn, capture every link end, real traffic, canaries', async function () {
    probe = await baselineProbe(ctx, o.probe);
    run = await loadRunFrames(probe.runDir, probe.manifest, ctx.plan);
    records = await recordSuites(ctx, probe, new Set(checks.map((c) => c.suite)));
  });
  const bySuite = new Map<string, Mocha.Suite>();
  for (const c of checks) {
    let s = bySuite.get(c.suite);
    if (!s) bySuite.set(c.suite, (s = Mocha.Suite.create(root, c.suite)));
    s.addTest(
      new Mocha.Test(c.title, async function (this: Mocha.Context) {
        const t0 = performance.now();
        const stats: Record<string, number> = {};
        const res: CheckResult = {
          suite: c.suite,
          id: c.id,
          title: c.title,
          state: 'passed',
          durationMs: 0,
          evidence: [],
          stats,
        };
        results.push(res);
        try {
          if (!probe || !run || !records) throw new Error('the probe did not complete');
          const j: Judgement = { ctx, probe, run, records, stats };
          await c.judge(j);
        } catch (err) {
          if (err instanceof SkipCheck) {
            res.state = 'skipped';
            res.message = err.message;
            this.skip();
          }
          res.state = 'failed';
          res.message = String((err as Error)?.message ?? err);
          if (err instanceof EvidenceError) res.evidence = err.evidence;
          throw err;
        } finally {
          res.durationMs = Math.round(performance.now() - t0);
        }
      }),
    );
  }
  await new Promise<void>((resolve) => mocha.run(() => resolve()));
  // Checks that never ran (a failed probe hook skips them) are reported as failed, not dropped.
  for (const c of checks) {
    if (!results.some((r) => r.id === c.id))
      results.push({
        suite: c.suite,
        id: c.id,
        title: c.title,
        state: 'failed',
        durationMs: 0,
        message: 'not run: the probe failed',
        evidence: [],
      });
  }
  const background: Record<string, number> = {};
  for (const r of results)
    for (const [k, n] of Object.entries(r.stats ?? {})) if (k.startsWith('background.')) background[k.slice(11)] = n;
  const report: ConformanceReport = {
    reportVersion: 2,
    lab: o.lab,
    runtime: ctx.runtime,
    planHash: ctx.planHash,
    runId: probe?.runId ?? 'none',
    runDir: probe?.runDir ?? '',
    startedAt,
    finishedAt: new Date().toISOString(),
    suites: [...bySuite.keys()],
    checks: results,
    background,
    topology: {
      nodes: ctx.model.nodes.map((n) => ({ name: n.name, role: n.role, dc: n.dc, tenant: n.tenant })),
      links: ctx.model.links.map((l) => ({ id: l.id, class: l.class, a: l.endpoints[0].node, b: l.endpoints[1].node })),
    },
    hops: probe && run ? hopPictures(ctx, probe, run) : [],
    summary: {
      passed: results.filter((r) => r.state === 'passed').length,
      failed: results.filter((r) => r.state === 'failed').length,
      skipped: results.filter((r) => r.state === 'skipped').length,
    },
  };
  if (probe) {
    writeFileSync(
      join(probe.runDir, 'plan.json'),
      JSON.stringify({ planHash: ctx.planHash, ...ctx.plan }, null, 2) + '\n',
    );
    await writeReports(report, probe.runDir, { manifest: probe.manifest });
  }
  return { report, ctx, probe };
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
  const frameSuites = DEFAULT_SUITES.filter((s) => s !== 'flows');
  const out: MutationOutcome[] = [];
  for (const m of MUTATIONS.filter((x) => !o.names?.length || o.names.includes(x.name))) {
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
