// Capture orchestration: one tcpdump per selected (node, interface), all started at once, and the
// call returns only when EVERY capturer has printed `listening on` (so traffic never starts before
// a capturer). Stopping sends SIGINT by PID (tcpdump then prints its statistics), waits, counts the
// frames of every file, compares the two ends of each link and writes manifest.json.
//
// tcpdump's stderr goes to a file in the run dir (not a pipe to us), so its statistics survive
// our exit and another process (`fabric capture <lab> stop`) can stop and finalize the run.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { FabricError } from '../errors/fabric-error.js';
import { tryRun } from '../hostnet/exec.js';
import { compareLinkEnds, countCapture, type EndFrames, type FileCount, type LinkCheck } from './compare.js';
import { buildManifest, type CaptureManifest, type FileResult } from './manifest.js';
import { mergeCaptures } from './merge.js';
import { checkLab } from './names.js';
import { isRunning, procInfo, signalOwned, sleep, waitGone } from './proc.js';
import { labDir, makeRunId, runDir as runDirOf } from './run-dir.js';
import { selectTargets, type CaptureSelection } from './select.js';
import { MANIFEST_FILE, readState, STATE_FILE, writeState, type CaptureState, type CapturerState } from './state.js';
import type { CaptureStatusDoc } from './status.js';
import {
  DEFAULT_SNAPLEN,
  isListening,
  parseTcpdumpStats,
  stderrTail,
  tcpdumpArgv,
  type TcpdumpOptions,
} from '../hostnet/index.js';

export interface StartCaptureOptions {
  selection?: CaptureSelection;
  /** Hash of the tag plan the lab was programmed from (recorded in the manifest). */
  planHash?: string | null;
  /** Captures root (default $FABRIC_CAPTURE_DIR or ./captures). */
  root?: string;
  runId?: string;
  /** Upper bound for all capturers to report `listening on` (default 15 s). */
  listenTimeoutMs?: number;
  tcpdump?: TcpdumpOptions;
  /**
   * Install SIGINT/SIGTERM/exit handlers that stop our capturers when this process ends
   * (default true). False only for callers that manage that themselves.
   */
  handleSignals?: boolean;
  /** Leave the capturers running after this process exits (`fabric capture start --detach`). */
  detached?: boolean;
  /** Write merged.pcapng at stop (default true). */
  merge?: boolean;
}

export interface StopCaptureOptions {
  /** Time tcpdump gets to exit after SIGINT before SIGTERM, then SIGKILL (default 5 s). */
  graceMs?: number;
  /** Compare options for the one-direction check. */
  marginS?: number;
  tolerance?: number;
}

const nowIso = () => new Date().toISOString();
const isoToS = (iso: string | null): number | null => (iso ? Date.parse(iso) / 1000 : null);

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** A running capture: returned by startCapture once every capturer listens. */
export class CaptureSession {
  private stopping: Promise<CaptureManifest> | null = null;
  private readonly handlers: { sig: NodeJS.Signals | 'exit'; fn: (...a: unknown[]) => void }[] = [];

  constructor(
    readonly dir: string,
    private state: CaptureState,
    private readonly exits: Map<string, Promise<{ exitCode: number | null }>>,
  ) {}

  get lab(): string {
    return this.state.lab;
  }
  get runId(): string {
    return this.state.runId;
  }
  get runDir(): string {
    return this.dir;
  }
  /** The capturers (id, pid, file, listeningAt ...). */
  get capturers(): readonly CapturerState[] {
    return this.state.capturers;
  }
  /** Absolute path of the capture file of `<node>`/`<ifname>`. */
  fileOf(node: string, ifname: string): string | undefined {
    const t = this.state.targets.find((x) => x.node === node && x.ifname === ifname);
    return t ? join(this.dir, `${t.id}.pcap`) : undefined;
  }

  /** Stops every capturer with SIGINT, then writes and returns the manifest. Idempotent. */
  stop(o: StopCaptureOptions = {}): Promise<CaptureManifest> {
    this.stopping ??= (async () => {
      this.removeHandlers();
      return finalize(this.dir, this.state, o, this.exits);
    })();
    return this.stopping;
  }

  installHandlers(): void {
    const onSignal = (sig: NodeJS.Signals) => {
      process.stderr.write(`fabric capture: ${sig}: stopping ${this.state.capturers.length} capturer(s)\n`);
      this.stop().then(
        () => process.exit(sig === 'SIGINT' ? 130 : 143),
        (err) => {
          process.stderr.write(`fabric capture: stop failed: ${String((err as Error)?.message ?? err)}\n`);
          process.exit(1);
        },
      );
    };
    // Last resort on a plain exit: only synchronous work is possible, so send SIGINT (tcpdump still
    // flushes and prints its stats into its stderr file) and leave finalizing to `capture stop`.
    const onExit = () => {
      for (const c of this.state.capturers) signalOwned(c.pid, c.startTicks, 'SIGINT');
    };
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const fn = () => onSignal(sig);
      process.on(sig, fn);
      this.handlers.push({ sig, fn });
    }
    process.on('exit', onExit);
    this.handlers.push({ sig: 'exit', fn: onExit });
  }

  private removeHandlers(): void {
    for (const h of this.handlers) process.off(h.sig, h.fn);
    this.handlers.length = 0;
  }
}

/** Root-namespace interfaces that are administratively down (one `ip -j link` call). */
async function downRootInterfaces(): Promise<Set<string>> {
  const r = await tryRun('ip', ['-j', 'link', 'show']);
  if (r.exitCode !== 0) return new Set();
  const links = JSON.parse(r.stdout) as { ifname: string; flags?: string[] }[];
  return new Set(links.filter((l) => !l.flags?.includes('UP')).map((l) => l.ifname));
}

/**
 * Starts one tcpdump per selected link end of a lab and resolves once all of them listen.
 * Throws E_CAPTURE_NOT_LISTENING (after stopping what it started) when a capturer dies or does not
 * listen in time, naming each one and its stderr.
 */
export async function startCapture(status: CaptureStatusDoc, o: StartCaptureOptions = {}): Promise<CaptureSession> {
  const lab = checkLab(status.lab);
  const sel = selectTargets(status, o.selection);
  const skipped = sel.skipped;
  // A root-namespace port that is administratively down (a failed host's port) carries nothing
  // and tcpdump refuses it: skip it, recorded in the manifest, instead of failing the run.
  const down = sel.targets.some((t) => t.hostIf) ? await downRootInterfaces() : new Set<string>();
  const targets = sel.targets.filter((t) => {
    if (!t.hostIf || !down.has(t.hostIf)) return true;
    skipped.push({ linkId: t.linkId, node: t.node, ifname: t.ifname, reason: `interface ${t.hostIf} is down` });
    return false;
  });
  if (targets.length === 0) {
    throw new FabricError(
      'E_CAPTURE_SELECTION',
      `nothing to capture in lab ${lab}${skipped.length ? ` (${skipped.length} end(s) not capturable)` : ''}`,
      {
        hint: 'check the --class/--link/--node filter against `fabric status <lab>`',
      },
    );
  }
  const runId = o.runId ?? makeRunId();
  const dir = runDirOf(lab, runId, o.root);
  await mkdir(dir, { recursive: true });
  const me = procInfo(process.pid);
  const td: TcpdumpOptions = { ...o.tcpdump, snaplen: o.tcpdump?.snaplen ?? DEFAULT_SNAPLEN };
  const state: CaptureState = {
    stateVersion: 1,
    lab,
    runId,
    runtime: status.runtime ?? 'unknown',
    planHash: o.planHash ?? null,
    phase: 'starting',
    orchestrator: { pid: process.pid, startTicks: me?.startTicks ?? 0, detached: o.detached === true },
    startedAt: nowIso(),
    stoppedAt: null,
    selection: o.selection ?? {},
    tcpdump: td,
    merge: o.merge !== false,
    targets,
    skipped,
    capturers: [],
    error: null,
  };
  // Argv for every capturer first: a bad name fails before any process starts.
  const argvs = targets.map((t) => tcpdumpArgv(t, join(dir, `${t.id}.pcap`), td));
  await writeState(dir, state);

  const exits = new Map<string, Promise<{ exitCode: number | null }>>();
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    const { file, args } = argvs[i]!;
    const stderrFile = `${t.id}.stderr`;
    const fd = openSync(join(dir, stderrFile), 'w');
    let child: ChildProcess;
    try {
      // detached: own process group, so a terminal's Ctrl-C reaches only us and we stop capturers
      // in order. cleanup:false: we stop them ourselves (SIGINT, so stats are printed).
      // node's spawn (argv array, never a shell) because execa's types refuse a raw fd for stderr,
      // and the fd must be inherited (a pipe to us would break when we exit before tcpdump).
      child = spawn(file, args, { stdio: ['ignore', 'ignore', fd], detached: true, shell: false });
    } finally {
      closeSync(fd);
    }
    const pid = child.pid;
    const startTicks = pid ? (procInfo(pid)?.startTicks ?? -1) : -1;
    state.capturers.push({
      id: t.id,
      pid: pid ?? 0,
      startTicks,
      file: `${t.id}.pcap`,
      stderrFile,
      argv: [file, ...args],
      startedAt: nowIso(),
      listeningAt: null,
      stopRequestedAt: null,
      exitedAt: null,
      exitCode: null,
      stopHow: null,
    });
    exits.set(
      t.id,
      new Promise((res) => {
        child.once('exit', (code) => res({ exitCode: code }));
        child.once('error', () => res({ exitCode: null }));
      }),
    );
    if (o.detached) child.unref();
  }
  await writeState(dir, state);

  const session = new CaptureSession(dir, state, exits);
  if (o.handleSignals !== false && !o.detached) session.installHandlers();

  const timeout = o.listenTimeoutMs ?? 15000;
  const end = Date.now() + timeout;
  const dead = new Set<string>();
  for (const [id, p] of exits) void p.then(() => dead.add(id));
  for (;;) {
    let waiting = 0;
    for (const c of state.capturers) {
      if (c.listeningAt) continue;
      if (isListening(readText(join(dir, c.stderrFile)))) c.listeningAt = nowIso();
      else waiting++;
    }
    const died = state.capturers.filter(
      (c) => !c.listeningAt && (dead.has(c.id) || c.pid === 0 || !isRunning(c.pid, c.startTicks)),
    );
    if (waiting === 0) break;
    if (died.length || Date.now() > end) {
      const notListening = state.capturers.filter((c) => !c.listeningAt);
      // Blame the capturers that died (or, on timeout, every one not listening); the others were
      // merely stopped along with them.
      const failed = died.length ? died : notListening;
      const line = (c: CapturerState) =>
        `  ${c.id} (${c.argv.join(' ')}): ${died.includes(c) ? 'exited' : 'not listening'}: ${stderrTail(readText(join(dir, c.stderrFile))) || '(no output)'}`;
      const others = state.capturers.length - failed.length;
      state.error = `capturer(s) failed to listen: ${failed.map((c) => c.id).join(', ')}`;
      await session.stop({ graceMs: 2000 }).catch(() => undefined);
      const s2 = await readState(dir).catch(() => state);
      s2.phase = 'failed';
      s2.error = state.error;
      await writeState(dir, s2);
      const head = died.length
        ? `${failed.length} capturer(s) exited before listening`
        : `${failed.length} capturer(s) not listening within ${timeout} ms`;
      throw new FabricError(
        'E_CAPTURE_NOT_LISTENING',
        `${head}${others ? ` (the other ${others} were stopped)` : ''}:\n${failed.map(line).join('\n')}`,
        {
          hint: 'check that the namespace and interface exist (`fabric status <lab>`) and that tcpdump runs as root',
          location: dir,
        },
      );
    }
    await sleep(20);
  }
  state.phase = 'capturing';
  await writeState(dir, state);
  return session;
}

async function stopCapturers(
  state: CaptureState,
  graceMs: number,
  exits?: Map<string, Promise<{ exitCode: number | null }>>,
): Promise<void> {
  const live = state.capturers.filter((c) => c.pid > 0 && isRunning(c.pid, c.startTicks));
  for (const c of state.capturers)
    if (!live.includes(c) && !c.stopHow) c.stopHow = c.listeningAt ? 'gone' : 'exited-early';
  const stamp = nowIso();
  for (const c of live) {
    c.stopRequestedAt = stamp;
    c.stopHow = 'sigint';
    signalOwned(c.pid, c.startTicks, 'SIGINT');
  }
  let left = await waitGone(live, graceMs);
  for (const [how, sig, ms] of [
    ['sigterm', 'SIGTERM', 1000],
    ['sigkill', 'SIGKILL', 1000],
  ] as const) {
    if (!left.length) break;
    for (const p of left) {
      const c = live.find((x) => x.pid === p.pid)!;
      c.stopHow = how;
      signalOwned(p.pid, p.startTicks, sig);
    }
    left = await waitGone(left, ms);
  }
  for (const c of state.capturers) {
    const e = exits?.get(c.id);
    if (e) c.exitCode = (await Promise.race([e, sleep(500).then(() => ({ exitCode: null }))])).exitCode;
    c.exitedAt ??= nowIso();
  }
}

/** Stops (if needed), counts, compares, merges and writes manifest.json. */
async function finalize(
  dir: string,
  state: CaptureState,
  o: StopCaptureOptions,
  exits?: Map<string, Promise<{ exitCode: number | null }>>,
): Promise<CaptureManifest> {
  state.phase = 'stopping';
  await writeState(dir, state);
  await stopCapturers(state, o.graceMs ?? 5000, exits);
  const stoppedAt = nowIso();

  const counts = new Map<string, FileCount>();
  const results = new Map<string, FileResult>();
  for (const c of state.capturers) {
    const stats = parseTcpdumpStats(readText(join(dir, c.stderrFile)));
    let fc: FileCount;
    try {
      fc = await countCapture(join(dir, c.file));
    } catch (err) {
      fc = { packets: 0, bytes: 0, firstTs: null, lastTs: null, warnings: [], digests: [] };
      results.set(c.id, {
        stats,
        packets: 0,
        bytes: 0,
        firstTs: null,
        lastTs: null,
        readWarnings: [`unreadable: ${String((err as Error)?.message ?? err)}`],
      });
      counts.set(c.id, fc);
      continue;
    }
    counts.set(c.id, fc);
    results.set(c.id, {
      stats,
      packets: fc.packets,
      bytes: fc.bytes,
      firstTs: fc.firstTs,
      lastTs: fc.lastTs,
      readWarnings: fc.warnings.map((w) => `${w.code}${w.frame ? ` (frame ${w.frame})` : ''}: ${w.message}`),
    });
  }

  const dropsOf = new Map(
    [...results].map(([id, r]) => [id, r.stats ? r.stats.droppedByKernel + (r.stats.droppedByInterface ?? 0) : null]),
  );
  const links = compareLinks(state, counts, dropsOf, o);
  let merged: string | null = null;
  if (state.merge) {
    const inputs = state.capturers.filter(
      (c) =>
        (counts.get(c.id)?.packets ?? 0) >= 0 &&
        results.get(c.id)?.readWarnings.every((w) => !w.startsWith('unreadable')),
    );
    if (inputs.length) {
      const byId = new Map(state.targets.map((t) => [t.id, t]));
      await mergeCaptures(
        inputs.map((c) => {
          const t = byId.get(c.id)!;
          return {
            path: join(dir, c.file),
            name: `${t.node}:${t.ifname}`,
            description: `link ${t.linkId} (${t.linkClass})`,
          };
        }),
        join(dir, 'merged.pcapng'),
      );
      merged = 'merged.pcapng';
    }
  }
  const manifest = buildManifest(state, results, links, merged, stoppedAt, state.tcpdump.snaplen ?? DEFAULT_SNAPLEN);
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  state.phase = state.error ? 'failed' : 'stopped';
  state.stoppedAt = stoppedAt;
  await writeState(dir, state);
  return manifest;
}

function compareLinks(
  state: CaptureState,
  counts: Map<string, FileCount>,
  dropsOf: Map<string, number | null>,
  o: StopCaptureOptions,
): LinkCheck[] {
  const byLink = new Map<string, string[]>();
  for (const t of state.targets) byLink.set(t.linkId, [...(byLink.get(t.linkId) ?? []), t.id]);
  const cap = new Map(state.capturers.map((c) => [c.id, c]));
  const out: LinkCheck[] = [];
  for (const [linkId, ids] of byLink) {
    if (ids.length !== 2) {
      out.push({
        linkId,
        verdict: 'unchecked',
        window: null,
        matched: 0,
        ends: [],
        reason: 'only one end of the link was captured',
      });
      continue;
    }
    const end = (id: string): EndFrames => {
      const c = cap.get(id)!;
      return {
        id,
        digests: counts.get(id)?.digests ?? [],
        dropped: dropsOf.get(id) ?? null,
        window: [isoToS(c.listeningAt) ?? Infinity, isoToS(c.stopRequestedAt) ?? isoToS(c.exitedAt) ?? -Infinity],
      };
    };
    out.push(compareLinkEnds(linkId, end(ids[0]!), end(ids[1]!), { marginS: o.marginS, tolerance: o.tolerance }));
  }
  return out;
}

/**
 * Stops a run from any process. When the orchestrating process still runs (foreground
 * `fabric capture start`), it is asked to stop (SIGTERM) and we wait for its manifest; otherwise
 * we stop the recorded capturers ourselves and finalize the run.
 */
export async function stopRun(dir: string, o: StopCaptureOptions & { waitMs?: number } = {}): Promise<CaptureManifest> {
  const state = await readState(dir);
  if (state.phase === 'stopped' || state.phase === 'failed') {
    const m = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch(() => null);
    if (m) return JSON.parse(m) as CaptureManifest;
  }
  const orch = state.orchestrator;
  if (!orch.detached && orch.pid !== process.pid && isRunning(orch.pid, orch.startTicks)) {
    signalOwned(orch.pid, orch.startTicks, 'SIGTERM');
    const end = Date.now() + (o.waitMs ?? 30000);
    while (Date.now() < end) {
      await sleep(50);
      const s = await readState(dir).catch(() => null);
      if (s && (s.phase === 'stopped' || s.phase === 'failed')) {
        const m = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch(() => null);
        if (m) return JSON.parse(m) as CaptureManifest;
      }
      if (!isRunning(orch.pid, orch.startTicks)) break; // it died without finishing: we finish
    }
  }
  // Only one finalizer: an exclusive lock file.
  const lock = join(dir, '.stop.lock');
  const fh = await open(lock, 'wx').catch(() => null);
  if (!fh)
    throw new FabricError('E_CAPTURE_BUSY', `another process is stopping ${dir}`, {
      hint: `remove ${lock} if no stop is running`,
    });
  try {
    return await finalize(dir, await readState(dir), o);
  } finally {
    await fh.close();
    await unlink(lock).catch(() => undefined);
  }
}

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

export { STATE_FILE, MANIFEST_FILE };
