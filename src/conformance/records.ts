// Probes a selected suite needs beyond the baseline one, run before any check judges: the fault
// windows (faults), the failover observation (failover) and the switches' flow dumps (flows,
// failover). Checks only read these records.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { observeFailover, type FailoverObservation } from '../failover/observe.js';
import { layoutOf } from '../failover/layout.js';
import type { TestContext } from './context.js';
import { recordFlows, type FlowRecord } from './flow-record.js';
import { faultTimeline, runFaults, type FaultRun } from './fault-probe.js';
import type { ProbeRecord } from './probe.js';
import { selectFaultSteps } from './suites/fault-steps.js';
import { renderPrograms } from '../tagging/render.js';

export interface SuiteRecords {
  faults?: FaultRun;
  /** Absent when the failover suite is not selected or the lab has no virtual hypervisors. */
  failover?: FailoverObservation;
  /** The switches' flows after every other probe (the flows suite, and the failover suite with hypervisors). */
  flows?: FlowRecord;
}

export async function recordSuites(ctx: TestContext, probe: ProbeRecord, suites: Set<string>): Promise<SuiteRecords> {
  const out: SuiteRecords = {};
  const hypervisors = layoutOf(ctx.model).vms.length > 0;
  if (suites.has('failover') && hypervisors)
    out.failover = await observeFailover(
      ctx.model,
      ctx.systems.map((s) => ({
        tenant: s.tenant,
        dc: s.dc,
        vlan: s.vlan,
        node: s.node.name,
        netns: s.netns,
        ifname: s.ifname,
      })),
    );
  if (suites.has('faults')) {
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
    out.faults = r;
  }
  // Last: the judges compare the flows the switches run once every probe is done.
  if (suites.has('flows') || (suites.has('failover') && hypervisors))
    out.flows = await recordFlows(renderPrograms(ctx.model, ctx.plan));
  return out;
}
