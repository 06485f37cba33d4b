// The failover probe of `fabric test` on a lab with hypervisors: a failure failover of the first
// customer hypervisor whose site is at home, then its fail-back, each watched by the per-tenant
// echo trains and port captures (failover/with-probe.ts). The timelines are records the failover
// suite judges; nothing here decides a verdict.
import {
  failbackWithProbe,
  failoverWithProbe,
  layoutOf,
  readFailoverState,
  releaseHandles,
} from '../failover/index.js';
import type { Timeline } from '../failover/index.js';
import type { LabModel } from '../topology/model.js';

/** Echo train length of each watched move: long enough to outlast the move on 2 loaded cores. */
export const MOVE_TRAIN_SECONDS = 6;

export interface FailoverMoves {
  /** The watched failover and fail-back of this run, in order (empty when none ran). */
  moves: Timeline[];
  /** Why no move ran, when none did (not set up, a site already away, turned off). */
  skipped?: string;
  /** The guests are not set up (`fabric up --no-guests`): nothing to judge, the failover suite skips. */
  notSetUp?: boolean;
}

const NOT_SET_UP = 'not set up:';

/** Why the lab's guests cannot be failed over or judged (not set up: `fabric up --no-guests`), or null when they are set up. */
export function guestsNotSetUp(lab: string): string | null {
  return readFailoverState(lab)
    ? null
    : `${NOT_SET_UP} lab ${lab} has no virtual hypervisors running (up without --no-guests, or fabric failover setup ${lab})`;
}

/** The customer hypervisor the probe fails, or why there is none to fail. */
export function moveSource(lab: string, model: LabModel): { host: string } | { why: string } {
  const fs = readFailoverState(lab);
  if (!fs) return { why: guestsNotSetUp(lab)! };
  const layout = layoutOf(model);
  const away = Object.entries(fs.home).find(([s, h]) => layout.hypervisors.find((x) => x.site === s)?.name !== h);
  if (away) return { why: `site ${away[0]} is away from its home ${away[1]} (fabric failover failback ${lab})` };
  const h = layout.hypervisors.find((x) => x.type === 'customer' && x.site && fs.home[x.site] === x.name);
  return h ? { host: h.name } : { why: `lab ${lab} has no customer hypervisor holding its site` };
}

/** Runs the watched failover and fail-back; `time` makes each one a stage of the run. */
export async function runFailoverMoves(
  lab: string,
  model: LabModel,
  time: <T>(stage: string, fn: () => Promise<T>) => Promise<T>,
): Promise<FailoverMoves> {
  const src = moveSource(lab, model);
  if ('why' in src) return { moves: [], skipped: src.why };
  const po = { seconds: MOVE_TRAIN_SECONDS, leadMs: 1000 };
  const moves: Timeline[] = [];
  try {
    moves.push(await time('failover', () => failoverWithProbe(lab, { trigger: 'failure', host: src.host }, po)));
    moves.push(await time('failback', () => failbackWithProbe(lab, po)));
  } finally {
    releaseHandles();
  }
  return { moves };
}
