// The faults probe: for each declared fault step, one capture run over every link end in which
// canaries and real traffic run BEFORE, DURING and AFTER the fault (src/faults applies it); then
// the step's recovery is recorded (pings answered again, flows back on plan). The judges
// (suites/faults.ts) read the frames of every window with the isolation checks: not one frame
// may cross tenants, ever.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startCapture, type CaptureManifest } from '../capture/index.js';
import { accessDrift, injectFault, sleep, type FaultEffect, type FaultStep } from '../faults/index.js';
import { hostNet } from '../hostnet/index.js';
import { diffPrograms, programLab, renderPrograms, tsharkDecodeItems } from '../tagging/index.js';
import { ping } from '../traffic/index.js';
import { anchors, type SystemInfo, type TestContext } from './context.js';
import type { FaultEvent, FaultRun, FaultWindow, Phase } from './fault-record.js';
import { loadRunFrames } from './frames.js';
import { canariesFor, sendCanaries, warmLearning, type PingRecord, type SentCanary } from './probe.js';

export type { FaultEvent, FaultRun, FaultWindow, Phase } from './fault-record.js';

const sameDomain = (a: SystemInfo, b: SystemInfo) => a.tenant === b.tenant && a.vlan === b.vlan && a !== b;

/** One ping round from every anchor to every peer of its VLAN (short deadline: faults are on). */
async function pingRound(ctx: TestContext, count = 1, deadlineS = 2): Promise<PingRecord[]> {
  const out: PingRecord[] = [];
  await Promise.all(
    anchors(ctx).map(async (a) => {
      for (const d of ctx.systems.filter((o) => sameDomain(a, o))) {
        const result = await ping({ netns: a.netns, target: d.ip, count, intervalS: 0.2, deadlineS });
        out.push({ tenant: a.tenant, from: a.node.name, to: d.node.name, ip: d.ip, result });
      }
    }),
  );
  return out;
}

/** Polls ping rounds until every pair answers or the bound passes; returns the last round. */
async function awaitRecovery(
  ctx: TestContext,
  boundMs: number,
): Promise<{ pings: PingRecord[]; seconds: number | null }> {
  const t0 = performance.now();
  for (;;) {
    const last = await pingRound(ctx, 1, 2);
    if (last.every((p) => p.result.received > 0)) return { pings: last, seconds: (performance.now() - t0) / 1000 };
    if (performance.now() - t0 > boundMs) return { pings: last, seconds: null };
    await sleep(300);
  }
}

/**
 * Everything a lab's bridges lose in a daemon restart comes back from the plan: the tag programs
 * and the access switches' NORMAL baseline (the `access` tag module). Returns programLab's summary.
 */
export async function reprogramLab(ctx: TestContext): Promise<string> {
  return programLab({ model: ctx.model });
}

/** Frames judged per capture file in a fault window; more is a storm (a failure of its own). */
export const MAX_FRAMES_PER_FILE = 5000;

/** Copies over-long capture files to their first MAX_FRAMES_PER_FILE frames (a `bounded/` subfolder). */
async function boundedManifest(runDir: string, manifest: CaptureManifest): Promise<CaptureManifest> {
  await mkdir(join(runDir, 'bounded'), { recursive: true });
  const files = await Promise.all(
    manifest.files.map(async (f) => {
      if (f.packets <= MAX_FRAMES_PER_FILE) return f;
      const out = join('bounded', f.file);
      await hostNet().tcpdump.head(join(runDir, f.file), join(runDir, out), MAX_FRAMES_PER_FILE);
      return { ...f, file: out };
    }),
  );
  return { ...manifest, files };
}

export interface FaultProbeOptions {
  captureRoot?: string;
  /** Upper bound for recovery after each fault (default 30 s). */
  recoveryMs?: number;
  onEvent?: (step: string, what: string) => void;
}

/** The traffic and bookkeeping of one window: events, canaries by phase, pings during the fault. */
function windowLog(ctx: TestContext, i: number, step: FaultStep, o: FaultProbeOptions) {
  const events: FaultEvent[] = [];
  const phases: Record<Phase, SentCanary[]> = { pre: [], during: [], post: [] };
  const duringPings: PingRecord[] = [];
  let seq = 0;
  const note = (what: string) => {
    events.push({ at: new Date().toISOString(), what });
    o.onEvent?.(step.name, what);
  };
  const canaryRound = async (phase: Phase) => {
    const cs = anchors(ctx).flatMap((a) => canariesFor(ctx, a, `f${i}${phase.slice(0, 3)}${seq}`));
    seq++;
    phases[phase].push(...cs);
    await sendCanaries(cs);
  };
  const during = async (pings: boolean) => {
    await canaryRound('during');
    if (pings) duringPings.push(...(await pingRound(ctx, 1, 1)));
  };
  return { events, phases, duringPings, note, canaryRound, during };
}

/** Bridges off the plan, and access switches without their NORMAL baseline. */
async function driftOf(ctx: TestContext): Promise<string[]> {
  return [
    ...(await diffPrograms(renderPrograms(ctx.model, ctx.plan)))
      .filter((d) => d.missing.length || d.unexpected.length)
      .map((d) => d.node),
    ...(await accessDrift(ctx.model)).map((n) => `${n} (no NORMAL baseline)`),
  ];
}

/** A fault that starts a storm fails with evidence, not exhausted memory: over-long files are cut. */
async function windowFrames(runDir: string, manifest: CaptureManifest, ctx: TestContext) {
  const storm = manifest.files
    .filter((f) => f.packets > MAX_FRAMES_PER_FILE)
    .map((f) => `${f.file}: ${f.packets} frames`);
  const run = await loadRunFrames(runDir, storm.length ? await boundedManifest(runDir, manifest) : manifest, ctx.plan);
  return { storm, run };
}

async function runWindow(ctx: TestContext, i: number, step: FaultStep, o: FaultProbeOptions, own: Set<string>) {
  const log = windowLog(ctx, i, step, o);
  const { note } = log;
  let fx: FaultEffect = { target: '', applied: [], notApplied: [], restoredForeign: [] };
  let recovery: { pings: PingRecord[]; seconds: number | null } = { pings: [], seconds: null };
  const session = await startCapture(ctx.status, {
    planHash: ctx.planHash,
    decodeAs: tsharkDecodeItems(ctx.plan),
    root: o.captureRoot,
  });
  let manifest: CaptureManifest;
  try {
    note('captures listening');
    await log.canaryRound('pre');
    fx = await injectFault(ctx.status, step, {
      note,
      during: log.during,
      ownBridges: own,
      unprogrammed: async () =>
        (await diffPrograms(renderPrograms(ctx.model, ctx.plan))).filter((d) => d.missing.length).length,
      reprogram: () => reprogramLab(ctx),
    });
    recovery = await awaitRecovery(ctx, o.recoveryMs ?? 30_000);
    note(recovery.seconds === null ? 'NOT recovered within bound' : `recovered in ${recovery.seconds.toFixed(1)} s`);
    await log.canaryRound('post');
    await sleep(500); // frames in flight reach their last hop
  } finally {
    manifest = await session.stop();
    note(`captures stopped: ${manifest.files.length} files`);
  }
  const drift = await driftOf(ctx);
  note(`flows checked against the plan: ${drift.length ? `drift on ${drift.join(', ')}` : 'on plan'}`);
  const { storm, run } = await windowFrames(session.runDir, manifest, ctx);
  note(
    `${run.frames.length} frames read back${storm.length ? ` (STORM: ${storm.length} file(s) over ${MAX_FRAMES_PER_FILE} frames, first frames judged)` : ''}`,
  );
  const canaries = [...log.phases.pre, ...log.phases.during, ...log.phases.post];
  const window: FaultWindow = {
    step,
    target: fx.target,
    probe: {
      runDir: session.runDir,
      runId: session.runId,
      manifest,
      canaries,
      pings: recovery.pings,
      udp: [],
      stages: [],
    },
    run,
    phases: log.phases,
    events: log.events,
    applied: fx.applied,
    notApplied: fx.notApplied,
    recoveryPings: recovery.pings,
    recoverySeconds: recovery.seconds,
    duringPings: log.duringPings,
    drift,
    reprogrammed: fx.reprogrammed,
    storm,
  };
  return { window, restoredForeign: fx.restoredForeign };
}

export async function runFaults(ctx: TestContext, steps: FaultStep[], o: FaultProbeOptions = {}): Promise<FaultRun> {
  const own = new Set(ctx.status.nodes.map((n) => n.bridge).filter((b): b is string => !!b));
  const out: FaultRun = { windows: [], restoredForeign: [] };
  await warmLearning(ctx);
  for (const [i, step] of steps.entries()) {
    const w = await runWindow(ctx, i, step, o, own);
    out.windows.push(w.window);
    out.restoredForeign.push(...w.restoredForeign);
  }
  return out;
}
