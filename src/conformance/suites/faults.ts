// faults: isolation still holds while the fabric breaks. The faults are declared here as data;
// the fault probe (../fault-probe.ts, src/faults) runs each in its own capture window with
// canaries and real traffic before, during and after it, before any check judges. Judges: the isolation checks over EVERY frame of every window,
// proof that each fault took effect, and recovery (pings answered again, flows on plan, canaries
// delivered as planned). Opt-in (`fabric test <lab> --suite faults`): it takes ~30-60 s and its
// restart step re-programs the lab's bridges (the one declared write of `fabric test`).
import { relativeFrames, type FaultRun, type FaultWindow } from '../fault-record.js';
import { EvidenceError, type CheckDef, type Judgement } from '../judge.js';
import type { FrameEvidence } from '../../report/result.js';
import { delivery } from './delivery.js';
import { isolation } from './isolation.js';

import { selectFaultSteps } from './fault-steps.js';

export { FAULT_STEPS, selectFaultSteps } from './fault-steps.js';

/** The fault run the probe recorded (recordSuites runs it when the faults suite is selected). */
function faultRun(j: Judgement): FaultRun {
  const r = j.records?.faults;
  if (!r) throw new Error('the fault probe did not run');
  return r;
}

/** Runs a list of checks over one window; collects their failures per window. */
async function judgeWindow(
  checks: CheckDef[],
  j: Judgement,
  w: FaultWindow,
  canaries = w.probe.canaries,
): Promise<{ msgs: string[]; evidence: FrameEvidence[]; stats: Record<string, number> }> {
  const msgs: string[] = [];
  const evidence: FrameEvidence[] = [];
  const stats: Record<string, number> = {};
  for (const c of checks) {
    try {
      await c.judge({
        ctx: j.ctx,
        probe: { ...w.probe, canaries },
        run: relativeFrames(w, j.probe.runDir),
        records: j.records,
        stats,
      });
    } catch (err) {
      msgs.push(`[${w.step.name}: ${c.id}] ${String((err as Error)?.message ?? err)}`);
      if (err instanceof EvidenceError) evidence.push(...err.evidence);
    }
  }
  return { msgs, evidence, stats };
}

function fail(msgs: string[], evidence: FrameEvidence[] = []): void {
  if (msgs.length) throw new EvidenceError(msgs.join('\n'), evidence.slice(0, 50));
}

export const faults: CheckDef[] = [
  {
    suite: 'faults',
    id: 'faults/each-fault-took-effect',
    title: 'each declared fault really happened (link down, daemon pid changed and flows gone, node interfaces down)',
    async judge(j) {
      const r = faultRun(j);
      j.stats.steps = r.windows.length;
      const msgs = r.windows.flatMap((w) => [
        ...w.notApplied.map((m) => `${w.step.name} (${w.target}): ${m}`),
        ...(w.applied.length ? [] : [`${w.step.name}: no proof the fault happened`]),
      ]);
      const want = selectFaultSteps().length;
      if (r.windows.length !== want) msgs.push(`${r.windows.length} of ${want} fault steps ran`);
      fail(msgs);
    },
  },
  {
    suite: 'faults',
    id: 'faults/isolation-in-every-window',
    title: 'no frame crosses tenants before, during or after any fault, and no fabric tag reaches a client',
    async judge(j) {
      const r = faultRun(j);
      const msgs: string[] = [];
      const evidence: FrameEvidence[] = [];
      let frames = 0;
      for (const w of r.windows) {
        const res = await judgeWindow(isolation, j, w);
        if (w.storm.length)
          msgs.push(
            `[${w.step.name}] storm: ${w.storm.slice(0, 5).join(', ')}${w.storm.length > 5 ? ` and ${w.storm.length - 5} more` : ''} (only the first frames of each were judged)`,
          );
        msgs.push(...res.msgs);
        evidence.push(...res.evidence);
        frames += w.run.frames.length;
        j.stats[`${w.step.name}.frames`] = w.run.frames.length;
        j.stats[`${w.step.name}.canariesDuring`] = w.phases.during.length;
      }
      j.stats.frames = frames;
      fail(msgs, evidence);
    },
  },
  {
    suite: 'faults',
    id: 'faults/recovered',
    title: 'after each fault every tenant answers pings again and the switches run the plan',
    async judge(j) {
      const r = faultRun(j);
      const msgs: string[] = [];
      for (const w of r.windows) {
        const lost = w.recoveryPings.filter((p) => p.result.received < 1);
        if (w.recoverySeconds === null || lost.length)
          msgs.push(
            `${w.step.name}: not recovered; unanswered: ${lost.map((p) => `${p.tenant} ${p.from} → ${p.to}`).join(', ') || 'none recorded'}`,
          );
        if (!w.recoveryPings.length) msgs.push(`${w.step.name}: no recovery ping was run`);
        if (w.drift.length)
          msgs.push(`${w.step.name}: flows differ from the plan on ${w.drift.join(', ')} after recovery`);
        if (w.recoverySeconds !== null) j.stats[`${w.step.name}.recoveryMs`] = Math.round(w.recoverySeconds * 1000);
      }
      fail(msgs);
    },
  },
  {
    suite: 'faults',
    id: 'faults/delivery-after-recovery',
    title: 'after each fault every canary sent is delivered to every planned destination again',
    async judge(j) {
      const r = faultRun(j);
      const msgs: string[] = [];
      const evidence: FrameEvidence[] = [];
      for (const w of r.windows) {
        const res = await judgeWindow(delivery, j, w, w.phases.post);
        msgs.push(...res.msgs);
        evidence.push(...res.evidence);
        j.stats[`${w.step.name}.deliveries`] = res.stats.deliveries ?? 0;
      }
      fail(msgs, evidence);
    },
  },
];
