// Failover state beside the lab state: which QEMU process (run directory, spec) is which virtual
// hypervisor, the image it boots, the last timeline; plus the lock that makes a second trigger
// during a failover fail with a clear error. `/run/fabric/failover/` by default (tmpfs, like the
// lab state); FABRIC_FAILOVER_DIR overrides it, and FABRIC_STATE_DIR moves it beside that folder.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import { stateDir } from '../runtime/state.js';
import { checkLabName } from '../names/index.js';
import type { VmSpec } from '../vm/index.js';
import type { Timeline } from './timeline.js';

export interface GuestRecord {
  name: string;
  spec: VmSpec;
  /** Migration generation: the run directory and tap names of a target get gen + 1. */
  gen: number;
}

export interface FailoverState {
  version: 1;
  lab: string;
  accel: 'tcg' | 'kvm';
  guests: Record<string, GuestRecord>;
  /** The hypervisor that held each site when set up (fail-back returns there). */
  home: Record<string, string>;
  last?: Timeline;
}

export function failoverDir(): string {
  return process.env.FABRIC_FAILOVER_DIR || join(dirname(stateDir()), 'failover');
}

export function statePathOf(lab: string): string {
  return join(failoverDir(), `${checkLabName(lab)}.json`);
}

export function runDirOf(lab: string, vm: string, gen: number): string {
  return join(failoverDir(), checkLabName(lab), `${vm}.${gen}`);
}

export function readFailoverState(lab: string): FailoverState | null {
  try {
    return JSON.parse(readFileSync(statePathOf(lab), 'utf8')) as FailoverState;
  } catch {
    return null;
  }
}

export function writeFailoverState(s: FailoverState): void {
  mkdirSync(failoverDir(), { recursive: true });
  const f = statePathOf(s.lab);
  writeFileSync(`${f}.tmp`, JSON.stringify(s, null, 1) + '\n');
  renameSync(`${f}.tmp`, f);
}

export function removeFailoverState(lab: string): void {
  rmSync(statePathOf(lab), { force: true });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Lock {
  release(): void;
}

/** One failover action per lab at a time: O_EXCL lock file with the holder's pid and action. */
export function takeLock(lab: string, action: string): Lock {
  mkdirSync(failoverDir(), { recursive: true });
  const file = join(failoverDir(), `${checkLabName(lab)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, action, since: new Date().toISOString() }));
      closeSync(fd);
      return { release: () => rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: number; action?: string; since?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
      } catch {
        /* half-written: treat as held */
      }
      if (holder.pid && holder.pid !== process.pid && !pidAlive(holder.pid)) {
        rmSync(file, { force: true }); // stale: its process is gone
        continue;
      }
      throw new FabricError(
        'E_FAILOVER_BUSY',
        `a failover is already in progress on lab ${lab} (${holder.action ?? 'unknown action'}, pid ${holder.pid ?? '?'}, since ${holder.since ?? '?'}); this trigger is refused`,
        {
          hint: `wait for it to finish and trigger again; a stale lock (${file}) is removed automatically once its process is gone`,
        },
      );
    }
  }
  throw new FabricError('E_FAILOVER_BUSY', `could not take the failover lock of ${lab}`);
}
