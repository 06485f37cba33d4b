// faults: isolation still holds while the fabric breaks. The faults are declared here as data;
// the probe (../faults.ts) runs each in its own capture window with canaries and real traffic
// before, during and after it. Judges: the isolation checks over EVERY frame of every window,
// proof that each fault took effect, and recovery (pings answered again, flows on plan, canaries
// delivered as planned). Opt-in (`fabric test <lab> --suite faults`): it takes ~30-60 s and its
// restart step re-programs the lab's bridges (the one declared write of `fabric test`).
import { writeFileSync } from 'node:fs';
import { FabricError } from '../../errors/fabric-error.js';
import { join } from 'node:path';
import {
  faultTimeline,
  relativeFrames,
  runFaults,
  type FaultRun,
  type FaultStep,
  type FaultWindow,
} from '../faults.js';
import type { TestContext } from '../context.js';
import { EvidenceError, type CheckDef, type Judgement } from '../judge.js';
import type { FrameEvidence } from '../../report/result.js';
import { delivery } from './delivery.js';
import { isolation } from './isolation.js';

export const FAULT_STEPS: FaultStep[] = [
  // The dedicated line between dc1 and dc2 (or, in a lab without one, a DC fabric link) flaps.
  {
    kind: 'link-flap',
    name: 'link-flap',
    linkClasses: ['dc-interconnect', 'long-haul', 'dc-fabric'],
    flaps: 3,
    downMs: 700,
    upMs: 700,
  },
  // The shared OVS daemon restarts: flows gone, secure bridges drop until re-programmed.
  { kind: 'vswitchd-restart', name: 'ovs-vswitchd-restart' },
  // A provider router (the namespace carrying every tenant's long-haul frames) dies.
  { kind: 'node-kill', name: 'node-kill', nodes: ['prov-a'], roles: ['provider', 'p', 'interconnect'], downMs: 1500 },
];

/**
 * The steps to run: all of FAULT_STEPS, or those named in FABRIC_FAULT_STEPS (comma-separated; an
 * unknown name is an error, never a silent skip).
 */
export function selectFaultSteps(names = process.env.FABRIC_FAULT_STEPS): FaultStep[] {
  const wanted = (names ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!wanted.length) return FAULT_STEPS;
  const unknown = wanted.filter((n) => !FAULT_STEPS.some((s) => s.name === n));
  if (unknown.length)
    throw new FabricError('E_FAULT_UNKNOWN', `unknown fault step ${unknown.join(', ')}`, {
      hint: `steps: ${FAULT_STEPS.map((s) => s.name).join(', ')}`,
    });
  return FAULT_STEPS.filter((s) => wanted.includes(s.name));
}

// One fault run per test context: the first faults check runs it, the others judge the same run.
const runs = new WeakMap<TestContext, Promise<FaultRun>>();

async function faultRun(j: Judgement): Promise<FaultRun> {
  let p = runs.get(j.ctx);
  if (!p) {
    p = runFaults(j.ctx, selectFaultSteps(), {
      onEvent: (step, what) => process.stderr.write(`    [faults] ${step}: ${what}\n`),
    }).then((r) => {
      writeFileSync(
        join(j.probe.runDir, 'faults.json'),
        JSON.stringify({ steps: faultTimeline(r, j.probe.runDir), restoredForeign: r.restoredForeign }, null, 2) + '\n',
      );
      return r;
    });
    runs.set(j.ctx, p);
  }
  return p;
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
      await c.judge({ ctx: j.ctx, probe: { ...w.probe, canaries }, run: relativeFrames(w, j.probe.runDir), stats });
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
      const r = await faultRun(j);
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
      const r = await faultRun(j);
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
      const r = await faultRun(j);
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
      const r = await faultRun(j);
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
