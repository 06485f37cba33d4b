// The faults probe: for each declared fault step, one capture run over every link end in which
// canaries and real traffic run BEFORE, DURING and AFTER the fault; then the step's recovery is
// checked (pings answered again, flows back on plan). The judges (suites/faults.ts) read the
// frames of every window with the isolation checks: not one frame may cross tenants, ever.
//
// What each fault does, and how it is undone (all reversible, all bounded):
//  - link-flap:   `ip link set <end> down` / `up` on one end of a fabric link, N times.
//  - vswitchd-restart: SIGTERM to the pid in ovs-vswitchd.pid, start it again as
//                 hostnet/ovs-daemon.ts does. Flows are gone: this lab's secure bridges drop
//                 everything until the suite RE-PROGRAMS them (reprogramLab: programLab plus the
//                 access switches' NORMAL baseline; the only flows `fabric test` ever writes
//                 outside --mutate). Bridges of OTHER labs on the same daemon get their flows and
//                 groups back exactly as dumped before the restart.
//  - node-kill:   every interface of the node is set down at once (inside its namespace, or its
//                 host-side veth ends for a bridge node): the node is dead to the fabric. Undone
//                 by setting up exactly the interfaces that were up before.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startCapture, type CaptureManifest } from '../capture/index.js';
import { FabricError } from '../errors/fabric-error.js';
import { mapLimit, run, tryRun } from '../hostnet/exec.js';
import { planLab } from '../runtime/netns/plan.js';
import { ensureOvs, livePid, OVS_RUN_DIR } from '../hostnet/ovs-daemon.js';
import { diffPrograms, programLab, renderPrograms } from '../tagging/index.js';
import { ping } from '../traffic/index.js';
import { anchors, type SystemInfo, type TestContext } from './context.js';
import { loadRunFrames, type RunFrames } from './frames.js';
import {
  canariesFor,
  sendCanaries,
  warmLearning,
  type PingRecord,
  type ProbeRecord,
  type SentCanary,
} from './probe.js';
import type { LinkClass } from '../topology/model.js';

/** A fault declared as data (suites/faults.ts holds the list). */
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const IFNAME = /^[A-Za-z0-9_.@-]{1,15}$/;
const NETNS = /^[A-Za-z0-9_.-]{1,200}$/;

function ipArgs(netns: string | null, args: string[]): string[] {
  if (netns && !NETNS.test(netns)) throw new FabricError('E_BAD_NAME', `refusing netns name ${JSON.stringify(netns)}`);
  return netns ? ['-n', netns, ...args] : args;
}

async function setLink(netns: string | null, ifname: string, state: 'up' | 'down'): Promise<void> {
  if (!IFNAME.test(ifname)) throw new FabricError('E_BAD_NAME', `refusing interface name ${JSON.stringify(ifname)}`);
  await run('ip', ipArgs(netns, ['link', 'set', 'dev', ifname, state]));
}

async function operstate(netns: string | null, ifname: string): Promise<string> {
  const r = await tryRun('ip', ipArgs(netns, ['-j', 'link', 'show', 'dev', ifname]));
  try {
    const j = JSON.parse(r.stdout) as { operstate?: string; flags?: string[] }[];
    return `${j[0]?.operstate ?? '?'}${j[0]?.flags?.includes('UP') ? '' : ' (admin down)'}`;
  } catch {
    return 'unknown';
  }
}

/** Admin-UP interfaces of a namespace, lo excluded, in `ip link` order (lower devices first). */
async function upInterfaces(netns: string): Promise<string[]> {
  const r = await run('ip', ipArgs(netns, ['-j', 'link', 'show']));
  const j = JSON.parse(r.stdout) as { ifname: string; flags?: string[] }[];
  return j.filter((l) => l.ifname !== 'lo' && l.flags?.includes('UP')).map((l) => l.ifname);
}

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
  let last: PingRecord[] = [];
  for (;;) {
    last = await pingRound(ctx, 1, 2);
    if (last.every((p) => p.result.received > 0)) return { pings: last, seconds: (performance.now() - t0) / 1000 };
    if (performance.now() - t0 > boundMs) return { pings: last, seconds: null };
    await sleep(300);
  }
}

// --- ovs-vswitchd restart, keeping other labs' flows -------------------------------------------

const OF = ['-O', 'OpenFlow15'];
const BRIDGE = /^[A-Za-z0-9_.-]{1,15}$/;

interface SavedBridge {
  bridge: string;
  flows: string;
  groups: string;
  /** add-meter arguments, one per meter (flows may reference them: restored first). */
  meters: string[];
}

/**
 * `dump-meters` prints `meter=4 pktps burst bands=` then one `type=drop rate=10 ...` line per band;
 * add-meter wants `meter=4,pktps,burst,band=type=drop,rate=10`.
 */
export function meterArgs(dump: string): string[] {
  const out: string[] = [];
  for (const block of dump.split(/\n\s*\n|\n(?=meter=)/)) {
    const lines = block
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^(OFPST|NXST|OFPT)_/.test(l));
    const head = lines[0];
    if (!head?.startsWith('meter=')) continue;
    const flags = head
      .replace(/\s*bands=\s*$/, '')
      .split(/\s+/)
      .filter((t) => t !== 'stats');
    const bands = lines.slice(1).map((l) => l.split(/\s+/).join(','));
    out.push([...flags, ...(bands.length ? [`band=${bands.join(',')}`] : [])].join(','));
  }
  return out;
}

/** Dumps flows and groups of bridges we do not own, in a form add-flows/add-groups read back. */
async function saveForeign(own: Set<string>): Promise<SavedBridge[]> {
  const all = (await run('ovs-vsctl', ['list-br'])).stdout
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  const saved = await mapLimit(
    all.filter((b) => !own.has(b) && BRIDGE.test(b)),
    8,
    async (bridge): Promise<SavedBridge | null> => {
      const [f, g, m] = await Promise.all([
        tryRun('ovs-ofctl', [...OF, 'dump-flows', '--no-names', '--no-stats', bridge]),
        tryRun('ovs-ofctl', [...OF, 'dump-groups', bridge]),
        tryRun('ovs-ofctl', [...OF, 'dump-meters', bridge]),
      ]);
      if (f.exitCode !== 0) return null; // a bridge that does not speak OF1.5: nothing we can restore faithfully
      const strip = (s: string) =>
        s
          .split('\n')
          .filter((l) => l.trim() && !/^(OFPST|NXST|OFPT)_/.test(l.trim()))
          .map((l) => l.trim())
          .join('\n');
      return {
        bridge,
        flows: strip(f.stdout),
        groups: g.exitCode === 0 ? strip(g.stdout) : '',
        meters: m.exitCode === 0 ? meterArgs(m.stdout) : [],
      };
    },
  );
  const out = saved.filter((x): x is SavedBridge => x !== null);
  return out;
}

async function restoreForeign(saved: SavedBridge[]): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'fabric-faults-'));
  const done: string[] = [];
  try {
    await mapLimit(saved, 8, async (s) => {
      // Meters and groups first: restored flows may point at them.
      for (const m of s.meters) await tryRun('ovs-ofctl', [...OF, 'add-meter', s.bridge, m]);
      if (s.groups) {
        await writeFile(join(dir, `${s.bridge}.groups`), s.groups + '\n');
        await tryRun('ovs-ofctl', [...OF, 'add-groups', s.bridge, join(dir, `${s.bridge}.groups`)]);
      }
      if (s.flows) {
        await writeFile(join(dir, `${s.bridge}.flows`), s.flows + '\n');
        await tryRun('ovs-ofctl', [...OF, 'add-flows', s.bridge, join(dir, `${s.bridge}.flows`)]);
      }
      done.push(s.bridge);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return done;
}

/**
 * Everything a lab's bridges lose in a daemon restart comes back from the plan: the tag programs
 * and the access switches' NORMAL baseline (the `access` tag module). Returns programLab's summary.
 */
export async function reprogramLab(ctx: TestContext): Promise<string> {
  return programLab({ model: ctx.model });
}

/** Access switches whose NORMAL baseline flow is missing. */
async function accessDrift(ctx: TestContext): Promise<string[]> {
  const out: string[] = [];
  for (const b of planLab(ctx.model).ovsBridges.filter((x) => x.access)) {
    const r = await tryRun('ovs-ofctl', ['dump-flows', b.name, '--no-stats']);
    if (!/priority=0 actions=NORMAL/.test(r.stdout.replace(/,/g, ' '))) out.push(b.node);
  }
  return out;
}

function pidfilePid(): number | null {
  try {
    const n = Number.parseInt(readFileSync(`${OVS_RUN_DIR}/ovs-vswitchd.pid`, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

async function stopVswitchd(): Promise<number> {
  const pid = livePid('ovs-vswitchd');
  if (pid === null || pid !== pidfilePid())
    throw new FabricError('E_FAULT_DAEMON', 'no live ovs-vswitchd behind its pidfile', {
      hint: `${OVS_RUN_DIR}/ovs-vswitchd.pid`,
    });
  process.kill(pid, 'SIGTERM');
  const end = Date.now() + 15_000;
  while (livePid('ovs-vswitchd') === pid) {
    if (Date.now() > end) {
      process.kill(pid, 'SIGKILL');
      await sleep(200);
      break;
    }
    await sleep(50);
  }
  return pid;
}

// --- the probe ---------------------------------------------------------------------------------

function linkOf(ctx: TestContext, classes: LinkClass[]) {
  for (const c of classes) {
    const l = ctx.status.links.find((x) => x.class === c);
    if (l) return l;
  }
  throw new FabricError('E_FAULT_TARGET', `the lab has no link of class ${classes.join(' or ')} to flap`);
}

function nodeOf(ctx: TestContext, names: string[], roles: string[]) {
  const n =
    names.map((x) => ctx.status.nodes.find((s) => s.name === x)).find(Boolean) ??
    ctx.status.nodes.find((s) => roles.includes(s.role));
  if (!n)
    throw new FabricError(
      'E_FAULT_TARGET',
      `the lab has none of the nodes ${names.join(', ')} nor a node of role ${roles.join('/')} to kill`,
    );
  return n;
}

/** Link ends a node owns: [netns or null (root), ifname]. */
function nodeEnds(ctx: TestContext, node: string): [string | null, string][] {
  const out: [string | null, string][] = [];
  for (const l of ctx.status.links)
    for (const e of l.endpoints)
      if (e.node === node) out.push(e.netns ? [e.netns, e.ifname] : [null, e.hostIf ?? e.ifname]);
  return out;
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
      await run('tcpdump', ['-r', join(runDir, f.file), '-c', String(MAX_FRAMES_PER_FILE), '-w', join(runDir, out)]);
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

export async function runFaults(ctx: TestContext, steps: FaultStep[], o: FaultProbeOptions = {}): Promise<FaultRun> {
  const own = new Set(ctx.status.nodes.map((n) => n.bridge).filter((b): b is string => !!b));
  const restoredForeign: string[] = [];
  const windows: FaultWindow[] = [];
  await warmLearning(ctx);
  for (const [i, step] of steps.entries()) {
    const events: FaultEvent[] = [];
    const note = (what: string) => {
      events.push({ at: new Date().toISOString(), what });
      o.onEvent?.(step.name, what);
    };
    const applied: string[] = [];
    const notApplied: string[] = [];
    const phases: Record<Phase, SentCanary[]> = { pre: [], during: [], post: [] };
    let seq = 0;
    const canaryRound = async (phase: Phase) => {
      const cs = anchors(ctx).flatMap((a) => canariesFor(ctx, a, `f${i}${phase.slice(0, 3)}${seq}`));
      seq++;
      phases[phase].push(...cs);
      await sendCanaries(cs);
    };
    const duringPings: PingRecord[] = [];
    let target = '';
    let reprogrammed: string | undefined;
    let recovery: { pings: PingRecord[]; seconds: number | null } = { pings: [], seconds: null };
    let restore: (() => Promise<void>) | null = null;

    const session = await startCapture(ctx.status, { planHash: ctx.planHash, root: o.captureRoot });
    let manifest: CaptureManifest;
    try {
      note('captures listening');
      await canaryRound('pre');
      if (step.kind === 'link-flap') {
        const l = linkOf(ctx, step.linkClasses);
        const e = l.endpoints[0];
        const [ns, ifname] = e.netns ? [e.netns, e.ifname] : [null, e.hostIf ?? e.ifname];
        target = `${l.id} (${e.node}:${ifname})`;
        restore = () => setLink(ns, ifname, 'up');
        for (let k = 0; k < step.flaps; k++) {
          await setLink(ns, ifname, 'down');
          note(`flap ${k + 1}/${step.flaps}: ${ifname} down`);
          const st = await operstate(ns, ifname);
          (st.startsWith('DOWN') ? applied : notApplied).push(`flap ${k + 1}: ${ifname} ${st}`);
          await canaryRound('during');
          await sleep(step.downMs);
          await setLink(ns, ifname, 'up');
          note(`flap ${k + 1}/${step.flaps}: ${ifname} up`);
          await canaryRound('during');
          await sleep(step.upMs);
        }
        restore = null;
      } else if (step.kind === 'vswitchd-restart') {
        const saved = await saveForeign(own);
        note(`saved flows of ${saved.length} bridge(s) of other labs`);
        // Restart may fail half-way: whatever happens, the daemon runs and everything is programmed again.
        restore = async () => {
          await ensureOvs();
          await reprogramLab(ctx);
          restoredForeign.push(...(await restoreForeign(saved)));
        };
        const old = await stopVswitchd();
        note(`ovs-vswitchd pid ${old} stopped (SIGTERM)`);
        // The window with no switch at all: traffic now must die, never leak.
        await canaryRound('during');
        duringPings.push(...(await pingRound(ctx, 1, 1)));
        const st = await ensureOvs();
        const now = st.ovsVswitchd.pid;
        note(`ovs-vswitchd started again, pid ${now}`);
        target = `ovs-vswitchd pid ${old} -> ${now}`;
        (now !== null && now !== old && st.ovsVswitchd.started ? applied : notApplied).push(
          `daemon restarted: pid ${old} -> ${now}`,
        );
        restoredForeign.push(...(await restoreForeign(saved)));
        note(`restored flows of ${saved.map((s) => s.bridge).join(', ') || 'no other bridge'}`);
        // The window with a daemon but no flows: secure bridges must drop everything.
        await sleep(1000);
        await canaryRound('during');
        duringPings.push(...(await pingRound(ctx, 1, 1)));
        const unprogrammed = (await diffPrograms(renderPrograms(ctx.model, ctx.plan))).filter((d) => d.missing.length);
        (unprogrammed.length ? applied : notApplied).push(
          `flows gone after restart on ${unprogrammed.length} bridge(s)`,
        );
        // The declared recovery step: the only flows `fabric test` writes outside --mutate.
        reprogrammed = await reprogramLab(ctx);
        note(`re-programmed: ${reprogrammed}`);
        restore = null;
      } else {
        const n = nodeOf(ctx, step.nodes, step.roles);
        target = `node ${n.name}`;
        const ends: [string | null, string][] = n.netns
          ? (await upInterfaces(n.netns)).map((x) => [n.netns, x])
          : nodeEnds(ctx, n.name);
        restore = async () => {
          for (const [ns, ifname] of ends) await setLink(ns, ifname, 'up');
        };
        for (const [ns, ifname] of [...ends].reverse()) await setLink(ns, ifname, 'down');
        note(`node ${n.name} killed: ${ends.map((e) => e[1]).join(', ')} down`);
        const states = await Promise.all(ends.map(async ([ns, ifname]) => `${ifname} ${await operstate(ns, ifname)}`));
        (states.every((s) => s.includes('admin down')) ? applied : notApplied).push(`${n.name}: ${states.join(', ')}`);
        await canaryRound('during');
        duringPings.push(...(await pingRound(ctx, 1, 1)));
        await sleep(step.downMs);
        await canaryRound('during');
        await restore();
        restore = null;
        note(`node ${n.name} back: ${ends.map((e) => e[1]).join(', ')} up`);
      }
      recovery = await awaitRecovery(ctx, o.recoveryMs ?? 30_000);
      note(recovery.seconds === null ? 'NOT recovered within bound' : `recovered in ${recovery.seconds.toFixed(1)} s`);
      await canaryRound('post');
      await sleep(500); // frames in flight reach their last hop
    } finally {
      if (restore) await restore().catch((err) => note(`restore failed: ${String(err)}`));
      manifest = await session.stop();
      note(`captures stopped: ${manifest.files.length} files`);
    }
    const drift = [
      ...(await diffPrograms(renderPrograms(ctx.model, ctx.plan)))
        .filter((d) => d.missing.length || d.unexpected.length)
        .map((d) => d.node),
      ...(await accessDrift(ctx)).map((n) => `${n} (no NORMAL baseline)`),
    ];
    note(`flows checked against the plan: ${drift.length ? `drift on ${drift.join(', ')}` : 'on plan'}`);
    const canaries = [...phases.pre, ...phases.during, ...phases.post];
    const probe: ProbeRecord = {
      runDir: session.runDir,
      runId: session.runId,
      manifest,
      canaries,
      pings: recovery.pings,
      udp: [],
    };
    // A fault that starts a storm must fail with evidence, not exhaust memory: files beyond the
    // bound are judged on their first frames only, and the window is marked as a storm.
    const storm = manifest.files
      .filter((f) => f.packets > MAX_FRAMES_PER_FILE)
      .map((f) => `${f.file}: ${f.packets} frames`);
    const run = await loadRunFrames(
      session.runDir,
      storm.length ? await boundedManifest(session.runDir, manifest) : manifest,
      ctx.plan,
    );
    note(
      `${run.frames.length} frames read back${storm.length ? ` (STORM: ${storm.length} file(s) over ${MAX_FRAMES_PER_FILE} frames, first frames judged)` : ''}`,
    );
    windows.push({
      step,
      target,
      probe,
      run,
      phases,
      events,
      applied,
      notApplied,
      recoveryPings: recovery.pings,
      recoverySeconds: recovery.seconds,
      duringPings,
      drift,
      reprogrammed,
      storm,
    });
  }
  return { windows, restoredForeign };
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
