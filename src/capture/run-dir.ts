// Run folders: captures/<lab>/<run-id>/, the root overridable with FABRIC_CAPTURE_DIR (tests).
import { randomBytes } from 'node:crypto';
import { resolve, join } from 'node:path';
import { checkLabName, checkRunId } from '../names/index.js';

/** `20261121T233000Z-1a2b3c`: sortable by time, unique enough for runs started in the same second. */
export function makeRunId(now: Date = new Date(), short: string = randomBytes(3).toString('hex')): string {
  const iso = now.toISOString(); // 2026-11-21T23:30:00.123Z
  const stamp = iso.slice(0, 19).replace(/[-:]/g, '') + 'Z';
  return checkRunId(`${stamp}-${short}`);
}

/** The captures root: $FABRIC_CAPTURE_DIR, else ./captures (relative to the working directory). */
export function captureRoot(override?: string): string {
  return resolve(override ?? process.env.FABRIC_CAPTURE_DIR ?? 'captures');
}

export function labDir(lab: string, root?: string): string {
  return join(captureRoot(root), checkLabName(lab));
}

export function runDir(lab: string, runId: string, root?: string): string {
  return join(labDir(lab, root), checkRunId(runId));
}
