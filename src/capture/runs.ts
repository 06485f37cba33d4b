// Capture runs of a lab as the run directories record them (for `fabric capture <lab> list`).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isRunning } from './proc.js';
import { labDir } from './run-dir.js';
import { readState, type CaptureState } from './state.js';

export interface RunSummary {
  runId: string;
  dir: string;
  phase: CaptureState['phase'];
  startedAt: string;
  stoppedAt: string | null;
  capturers: number;
  running: number;
  planHash: string | null;
}

/** Capture runs of a lab, oldest first. */
export async function listRuns(lab: string, root?: string): Promise<RunSummary[]> {
  const base = labDir(lab, root);
  const names = await readdir(base).catch(() => [] as string[]);
  const out: RunSummary[] = [];
  for (const name of names.sort()) {
    const dir = join(base, name);
    const s = await readState(dir).catch(() => null);
    if (!s) continue;
    out.push({
      runId: s.runId,
      dir,
      phase: s.phase,
      startedAt: s.startedAt,
      stoppedAt: s.stoppedAt,
      capturers: s.capturers.length,
      running: s.capturers.filter((c) => c.pid > 0 && isRunning(c.pid, c.startTicks)).length,
      planHash: s.planHash,
    });
  }
  return out;
}

/** Runs of a lab that are not finished (phase starting/capturing/stopping). */
export async function activeRuns(lab: string, root?: string): Promise<RunSummary[]> {
  return (await listRuns(lab, root)).filter((r) => r.phase !== 'stopped' && r.phase !== 'failed');
}
