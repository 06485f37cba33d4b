// The timeline of one failover or fail-back, shared by both directions: activate the carrier that
// takes the site, re-tag and re-point the VTEP, all three at once (restoration), commit the model,
// carry the incremental update, release the old carrier, migrate, verify. Until the commit, a
// failure rolls back: the caller's undo, then the switches re-programmed from the model on file.
import { readState, writeState } from '../runtime/state.js';
import type { LabState } from '../runtime/types.js';
import type { BridgeProgram, ProgramDelta } from '../tagging/index.js';
import type { LabModel } from '../topology/model.js';
import type { Carrier } from './carrier.js';
import type { NeighEntry } from './guest.js';
import { layoutOf, type Layout, type SystemDef } from './layout.js';
import { migrate, type Migration } from './migrate.js';
import { retag } from './retag.js';
import { writeFailoverState, type FailoverState } from './store.js';
import type { StepRecord, Timeline } from './timeline.js';
import { verify } from './verify.js';
import { pointVtep } from './vtep.js';

export type Step = <T>(name: string, fn: () => Promise<T>, detail?: (r: T) => string) => Promise<T>;

export interface Clock {
  t0: number;
  detectedAt: number;
  steps: StepRecord[];
  step: Step;
}

/** The clock of one failover or fail-back (t0 = detection) and its timed, recorded steps. */
export function stepper(onStep?: (s: StepRecord) => void): Clock {
  const t0 = performance.now();
  const steps: StepRecord[] = [];
  const step: Step = async (name, fn, detail) => {
    const s = performance.now();
    const r = await fn();
    const rec = { step: name, atMs: s - t0, ms: performance.now() - s, detail: detail?.(r) };
    steps.push(rec);
    onStep?.(rec);
    return r;
  };
  return { t0, detectedAt: Date.now(), steps, step };
}

export interface MigrationPlan {
  vm: string;
  to: string;
  step: string;
  detail: (m: Migration) => string;
}

export interface Switchover {
  lab: string;
  st: LabState;
  fs: FailoverState;
  clock: Clock;
  site: string;
  systems: SystemDef[];
  /** The program on the switches and their port numbers, read before the trigger. */
  before: BridgeProgram[];
  ports: Map<string, number>;
  /** The carrier that takes the site: its VM, the hypervisor it runs on, its VTEP MAC. */
  to: { carrier: Carrier; vm: string; hv: string; mac: string };
  activate: { run: () => Promise<void>; detail: string };
  /** The model edits that move the site (applied in memory, committed with the state file). */
  edit: (m: LabModel) => void;
  /** The re-tag's deltas, planned from the edit before the trigger (planRetag). */
  planned: ProgramDelta[] | null;
  /** Undoes the activation when the move fails before the commit. */
  undo: () => Promise<void>;
  /** The incremental update: neighbour entries the old carrier learned (none from a failed host). */
  carried: () => Promise<NeighEntry[]>;
  moveDetail: (carried: number) => string;
  release: { run: () => Promise<void>; detail: string } | null;
  /** Evacuations or returns, listed once the site moved. */
  migrations: (model: Layout) => MigrationPlan[];
  timeline: Pick<Timeline, 'action' | 'trigger' | 'host'>;
}

function placementOf(layout: Layout): Record<string, string> {
  return Object.fromEntries(layout.vms.map((v) => [v.name, v.host]));
}

function entries(n: number): string {
  return `${n} neighbour entr${n === 1 ? 'y' : 'ies'} carried`;
}

/** Runs the timeline of `s` and records it as the failover state's last timeline. */
export async function runSwitchover(s: Switchover): Promise<Timeline> {
  const { st, fs, clock, systems } = s;
  const model = st.model;
  const step = clock.step;
  let committed = false;
  try {
    s.edit(model);
    // The three are independent: frames the re-tag sends before the guest runs wait in its tap
    // queue, and the VTEP entry names a MAC whatever the guest's state. In sequence the
    // activation's QMP round trip would add to the restoration.
    const [, diff] = await Promise.all([
      step('activate', s.activate.run, () => s.activate.detail),
      step(
        'retag',
        () => retag(model, s.before, s.ports, s.planned),
        (r) => `-${r.removed}/+${r.added} flows on ${r.bridges.join(', ') || 'no bridge'}`,
      ),
      step(
        'vtep',
        () => pointVtep(model, s.to.hv, s.to.mac),
        () => `${s.to.hv}'s bridge device sends VXLAN to ${s.to.vm}`,
      ),
    ]);
    const restorationMs = performance.now() - clock.t0;
    writeState(st);
    committed = true;
    const carried = await s.carried();
    await step(
      'move',
      async () => {
        await s.to.carrier.refresh(systems);
        await s.to.carrier.restoreNeighbours(systems, carried);
      },
      () => `${entries(carried.length)}; ${s.moveDetail(carried.length)}`,
    );
    if (s.release) await step('release', s.release.run, () => s.release!.detail);
    const migrations: Migration[] = [];
    for (const m of s.migrations(layoutOf(model))) {
      migrations.push(await step(m.step, () => migrate(s.lab, fs, model, m.vm, m.to), m.detail));
      writeState(st);
      writeFailoverState(fs);
    }
    const verified = await step(
      'verify',
      () => verify(s.lab, model, fs, s.site, s.to.vm),
      (v) => `${v.length} checks`,
    );
    const tl: Timeline = {
      ...s.timeline,
      site: s.site,
      detectedAt: clock.detectedAt,
      steps: clock.steps,
      restorationMs,
      activated: s.to.vm,
      placement: placementOf(layoutOf(model)),
      migrations,
      flowDiff: { removed: diff.removed, added: diff.added },
      verified,
    };
    fs.last = tl;
    writeFailoverState(fs);
    return tl;
  } catch (err) {
    if (!committed) {
      await s.undo().catch(() => {});
      await retag(readState(s.lab)?.model ?? model, null).catch(() => {});
    }
    throw err;
  }
}
