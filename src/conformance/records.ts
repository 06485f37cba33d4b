// Probes a selected suite needs beyond the baseline one, run before any check judges: the fault
// windows (faults), the failover observation (failover) and the switches' flow dumps with their
// diffs against the plan (flows, failover). Checks only read these records.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { observeFailover, type FailoverObservation } from '../failover/observe.js';
import { layoutOf } from '../failover/layout.js';
import type { TestContext } from './context.js';
import { recordDiff, recordFlows } from './flow-probe.js';
import type { FlowRecord } from './flow-record.js';
import { runFaults } from './fault-probe.js';
import { faultTimeline, type FaultRun } from './fault-record.js';
import { probeImpairment, type ImpairRecord } from './impair-probe.js';
import type { ProbeRecord } from './probe.js';
import { selectFaultSteps } from './suites/fault-steps.js';
import { renderPrograms } from '../tagging/render.js';
import { computePlan } from '../tagging/index.js';
import { readState } from '../runtime/state.js';
import { guestsNotSetUp, runFailoverMoves, type FailoverMoves } from './failover-moves.js';
import type { LabModel } from '../topology/model.js';

export interface SuiteRecords {
  faults?: FaultRun;
  /** Absent when the failover suite is not selected or the lab has no virtual hypervisors. */
  failover?: FailoverObservation & FailoverMoves & { model: LabModel };
  /** The switches' flows after every other probe (the flows suite, and the failover suite with hypervisors). */
  flows?: FlowRecord;
  /** What every impaired link did to numbered trains (the impairment suite). */
  impairment?: ImpairRecord;
}

export interface RecordOptions {
  /** Run the watched failover and fail-back on a lab with hypervisors (default true). */
  moves?: boolean;
  /** Times one probe as a stage of the run. */
  time?: <T>(stage: string, fn: () => Promise<T>) => Promise<T>;
}

/** The watched moves, then what the failover suite judges, observed on the placement they leave. */
async function recordFailover(ctx: TestContext, o: RecordOptions): Promise<SuiteRecords['failover']> {
  const time = o.time ?? ((_s, fn) => fn());
  // Guests not set up (`fabric up --no-guests`): no move to run, no VM to observe; the suite skips.
  const notSetUp = guestsNotSetUp(ctx.lab);
  if (notSetUp) return { taps: {}, asks: [], moves: [], skipped: notSetUp, notSetUp: true, model: ctx.model };
  const moves: FailoverMoves =
    o.moves === false
      ? { moves: [], skipped: 'turned off (--no-failover)' }
      : await runFailoverMoves(ctx.lab, ctx.model, time);
  // A move rewrites the lab state (placement, taps of migrated guests): judge the one it left.
  const model = moves.moves.length ? (readState(ctx.lab)?.model ?? ctx.model) : ctx.model;
  const seen = await time('observe', () =>
    observeFailover(
      model,
      ctx.systems.map((s) => ({
        tenant: s.tenant,
        dc: s.dc,
        vlan: s.vlan,
        node: s.node.name,
        netns: s.netns,
        ifname: s.ifname,
      })),
    ),
  );
  return { ...seen, ...moves, model };
}

/** The fault windows (opt-in suite `faults`), with their progress on stderr and faults.json. */
async function faultRecords(ctx: TestContext, probe: ProbeRecord): Promise<FaultRun> {
  // Progress: each fault window's events, with the seconds since that window's captures listened.
  const since = new Map<string, number>();
  const r = await runFaults(ctx, selectFaultSteps(), {
    onEvent: (step, what) => {
      const t0 = since.get(step) ?? since.set(step, performance.now()).get(step)!;
      process.stderr.write(`  [fault] ${step} +${((performance.now() - t0) / 1000).toFixed(1)} s: ${what}\n`);
    },
  });
  writeFileSync(
    join(probe.runDir, 'faults.json'),
    JSON.stringify({ steps: faultTimeline(r, probe.runDir), restoredForeign: r.restoredForeign }, null, 2) + '\n',
  );
  return r;
}

export async function recordSuites(
  ctx: TestContext,
  probe: ProbeRecord,
  suites: Set<string>,
  o: RecordOptions = {},
): Promise<SuiteRecords> {
  const out: SuiteRecords = {};
  const time = o.time ?? ((_s, fn) => fn());
  const hypervisors = layoutOf(ctx.model).vms.length > 0;
  if (suites.has('failover') && hypervisors) out.failover = await recordFailover(ctx, o);
  if (suites.has('faults')) out.faults = await time('faults', () => faultRecords(ctx, probe));
  if (suites.has('impairment')) out.impairment = await time('impairment', () => probeImpairment(ctx, probe.runDir));
  // Last: the judges compare the flows the switches run once every probe is done.
  const failover = suites.has('failover') && hypervisors;
  if (suites.has('flows') || failover) {
    const m = out.failover?.model ?? ctx.model;
    const programs = renderPrograms(m, m === ctx.model ? ctx.plan : computePlan(m));
    const rec = (out.flows = await recordFlows(programs));
    // The judges' comparisons run here, as probe work: the flows suite holds the dumps to the
    // deployed plan, the failover suite to the plan of the placement the moves left.
    if (failover) rec.placement = await recordDiff(rec, programs);
    if (suites.has('flows')) {
      const deployed = m === ctx.model ? programs : renderPrograms(ctx.model, ctx.plan);
      rec.deployed = m === ctx.model && rec.placement ? rec.placement : await recordDiff(rec, deployed);
    }
  }
  return out;
}
