// The lab state file: `/run/fabric/labs/<lab>.json` (tmpfs: survives the process, not a reboot,
// like the namespaces it describes). FABRIC_STATE_DIR overrides the folder (tests). It is written
// BEFORE anything is created and rewritten after each stage, so `fabric down` works after a crash.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import { checkLabName } from '../names/index.js';
import { useOvsSites } from '../hostnet/index.js';
import { splitSites } from './netns/split.js';
import type { LabObjects, LabState } from './types.js';

/**
 * A split lab's bridges are reached at their emulated hosts: whoever reads or writes the state
 * tells the host-networking adapter where, so every caller keeps naming bridges.
 */
function registerSites(s: LabState): void {
  if (s.split) useOvsSites(splitSites(s.split, s.model));
}

export function stateDir(): string {
  return process.env.FABRIC_STATE_DIR || '/run/fabric/labs';
}

export function statePath(lab: string): string {
  return join(stateDir(), `${checkLabName(lab)}.json`);
}

export function emptyObjects(): LabObjects {
  return { netns: [], rootIfs: [], bridges: [] };
}

/** Atomic write (tmp + rename): a reader never sees half a file, even after SIGKILL. */
export function writeState(state: LabState): void {
  mkdirSync(stateDir(), { recursive: true });
  state.updatedAt = new Date().toISOString();
  const file = statePath(state.lab);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 1) + '\n');
  renameSync(tmp, file);
  registerSites(state);
}

export function readState(lab: string): LabState | null {
  let text: string;
  try {
    text = readFileSync(statePath(lab), 'utf8');
  } catch {
    return null;
  }
  try {
    const s = JSON.parse(text) as LabState;
    if (s.stateVersion !== 1 || s.lab !== lab) throw new Error('unexpected content');
    registerSites(s);
    return s;
  } catch (err) {
    throw new FabricError('E_STATE_CORRUPT', `state file ${statePath(lab)} is unreadable`, {
      hint: 'remove it and run `fabric down --all` to clean up by lab markers',
      cause: err,
    });
  }
}

/** Removes the state file, and the half-written copies a writer killed before its rename left. */
export function removeState(lab: string): void {
  const file = statePath(lab);
  rmSync(file, { force: true });
  const tmp = new RegExp(`^${checkLabName(lab)}\\.json\\.\\d+\\.tmp$`);
  let names: string[] = [];
  try {
    names = readdirSync(stateDir());
  } catch {
    return;
  }
  for (const f of names) if (tmp.test(f)) rmSync(join(stateDir(), f), { force: true });
}

/** Labs that have a state file. */
export function listStates(): string[] {
  let files: string[];
  try {
    files = readdirSync(stateDir());
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Adds names to a LabObjects list without duplicates (keeps first-seen order). */
export function addObjects(into: LabObjects, more: Partial<LabObjects>): void {
  for (const k of ['netns', 'rootIfs', 'bridges'] as const) {
    const have = new Set(into[k]);
    for (const n of more[k] ?? []) {
      if (have.has(n)) continue;
      have.add(n);
      into[k].push(n);
    }
  }
}
