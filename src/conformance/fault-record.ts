// What the fault probe records per declared fault: its capture window, the canaries of each
// phase, the pings, the drift. The faults suite judges this record only.
import { join, relative } from 'node:path';
import type { FaultStep } from '../faults/index.js';
import type { RunFrames } from './frames.js';
import type { PingRecord, ProbeRecord, SentCanary } from './probe.js';

export type Phase = 'pre' | 'during' | 'post';

export interface FaultEvent {
  at: string;
  what: string;
}

export interface FaultWindow {
  step: FaultStep;
  /** What the fault hit (link id, node name, daemon pids). */
  target: string;
  probe: ProbeRecord;
  run: RunFrames;
  /** The canaries by phase (their keys are also in probe.canaries). */
  phases: Record<Phase, SentCanary[]>;
  events: FaultEvent[];
  /** Proof the fault really happened, e.g. "operstate down", "pid 12 -> 34". */
  applied: string[];
  /** Problems seen while applying the fault (empty when it took effect). */
  notApplied: string[];
  /** Pings after recovery, from each tenant's anchor to every peer of its VLAN. */
  recoveryPings: PingRecord[];
  /** Seconds from the end of the fault until every recovery ping was answered (null: never). */
  recoverySeconds: number | null;
  /** Pings while the fault was on (recorded, not judged: loss is expected then). */
  duringPings: PingRecord[];
  /** Bridges whose flows differ from the plan after recovery. */
  drift: string[];
  /** Capture files over MAX_FRAMES_PER_FILE frames (a storm): judged on their first frames only. */
  storm: string[];
  /** Flows this step wrote (the re-programming after a restart), as programLab reports it. */
  reprogrammed?: string;
}

export interface FaultRun {
  windows: FaultWindow[];
  /** Bridges of other labs whose flows were saved and restored around a daemon restart. */
  restoredForeign: string[];
}

/** Rewrites evidence file names of a window relative to the main run dir (the report links them). */
export function relativeFrames(w: FaultWindow, mainRunDir: string): RunFrames {
  const rel = relative(mainRunDir, w.probe.runDir);
  return { ...w.run, frames: w.run.frames.map((f) => ({ ...f, file: join(rel, f.file) })) };
}

/** A ledger for the report: what each step did, when, and how it recovered. */
export function faultTimeline(r: FaultRun, mainRunDir: string) {
  return r.windows.map((w) => ({
    step: w.step,
    target: w.target,
    runDir: relative(mainRunDir, w.probe.runDir),
    frames: w.run.frames.length,
    canaries: { pre: w.phases.pre.length, during: w.phases.during.length, post: w.phases.post.length },
    events: w.events,
    applied: w.applied,
    notApplied: w.notApplied,
    recoverySeconds: w.recoverySeconds,
    duringPings: w.duringPings.map((p) => ({ from: p.from, to: p.to, received: p.result.received })),
    recoveryPings: w.recoveryPings.map((p) => ({ from: p.from, to: p.to, received: p.result.received })),
    drift: w.drift,
    reprogrammed: w.reprogrammed,
    storm: w.storm,
  }));
}
