// Where a `fabric capture start` run stands, read from its run folder the way `capture stop` reads
// it: the state file (written before the first capturer starts, rewritten when all are spawned,
// listening and stopping) and the capturers' stderr files (one made as each capturer starts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaptureState } from '../../src/capture/state.js';

/** Points of a capture run, in the order a run passes them. */
export type CapturePoint = 'state' | 'spawning' | 'spawned' | 'capturing' | 'stopping';

const LATER: Record<CaptureState['phase'], number> = { starting: 0, capturing: 1, stopping: 2, stopped: 3, failed: 3 };

/**
 * True once the newest run under `labDir` (captures/<lab>) has reached `at`: its state file
 * exists, a capturer has started, every capturer has started, all listen, or the stop began.
 */
export function captureReached(labDir: string, at: CapturePoint): boolean {
  let runs: string[];
  try {
    runs = readdirSync(labDir).sort();
  } catch {
    return false;
  }
  const dir = runs.at(-1);
  if (!dir) return false;
  let files: string[];
  let state: CaptureState;
  try {
    files = readdirSync(join(labDir, dir));
    state = JSON.parse(readFileSync(join(labDir, dir, 'state.json'), 'utf8')) as CaptureState;
  } catch {
    return false; // the folder exists, its state file not yet
  }
  const phase = LATER[state.phase];
  switch (at) {
    case 'state':
      return true;
    case 'spawning':
      return files.some((f) => f.endsWith('.stderr')) || phase > 0;
    case 'spawned':
      return state.capturers.length > 0;
    case 'capturing':
      return phase >= 1;
    case 'stopping':
      return phase >= 2;
  }
}
