// Faults declared as data (conformance/suites/faults.ts holds the list) and what applying one did.
import type { LinkClass } from '../topology/model.js';

export type FaultStep =
  | {
      kind: 'link-flap';
      name: string;
      /** First link of the first class present. */ linkClasses: LinkClass[];
      flaps: number;
      downMs: number;
      upMs: number;
    }
  | { kind: 'vswitchd-restart'; name: string }
  | {
      kind: 'node-kill';
      name: string;
      /** First node present among these names, else the first of `roles`. */ nodes: string[];
      roles: string[];
      downMs: number;
    };

/** What applying one fault did. */
export interface FaultEffect {
  /** What the fault hit (link id, node name, daemon pids). */
  target: string;
  /** Proof the fault really happened, e.g. "operstate down", "pid 12 -> 34". */
  applied: string[];
  /** Problems seen while applying the fault (empty when it took effect). */
  notApplied: string[];
  /** Flows the step wrote (the re-programming after a restart). */
  reprogrammed?: string;
  /** Bridges of other labs whose flows were saved and restored around a daemon restart. */
  restoredForeign: string[];
}

/** What a fault needs from the run around it: traffic while it is on, the lab's own flows. */
export interface FaultEnv {
  note(what: string): void;
  /** Traffic while the fault is on: canaries, plus a ping round when `pings`. */
  during(pings: boolean): Promise<void>;
  /** Bridges of this lab (a daemon restart keeps the flows of every other bridge). */
  ownBridges: Set<string>;
  /** Bridges of this lab whose planned flows are missing. */
  unprogrammed(): Promise<number>;
  /** Pushes this lab's plan again; a summary of what was written. */
  reprogram(): Promise<string>;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
