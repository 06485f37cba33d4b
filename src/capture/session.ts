// Capture orchestration: one tcpdump per selected (node, interface), all started at once, and the
// call returns only when EVERY capturer has printed `listening on` (so traffic never starts before
// a capturer). Stopping sends SIGINT by PID (tcpdump then prints its statistics), waits, counts the
// frames of every file, compares the two ends of each link and writes manifest.json.
//
// tcpdump's stderr goes to a file in the run dir (not a pipe to us), so its statistics survive
// our exit and another process (`fabric capture <lab> stop`) can stop and finalize the run.
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { FabricError } from '../errors/fabric-error.js';
import { hostNet, spawnCapturer } from '../hostnet/index.js';
import type { CaptureManifest } from './manifest.js';
import { checkLabName } from '../names/index.js';
import { isRunning, procInfo, signalOwned, sleep } from './proc.js';
import { makeRunId, runDir as runDirOf } from './run-dir.js';
import { finalize, nowIso, readText, type StopCaptureOptions } from './stop.js';
import { capturable, selectTargets, type CaptureSelection } from './select.js';
import type { CaptureTarget } from './target.js';
import { MANIFEST_FILE, readState, STATE_FILE, writeState, type CaptureState, type CapturerState } from './state.js';
import type { CaptureStatusDoc } from './status.js';
import { DEFAULT_SNAPLEN, isListening, stderrTail, tcpdumpArgv, type TcpdumpOptions } from '../hostnet/index.js';

export { stopRun, type StopCaptureOptions } from './stop.js';
export { activeRuns, listRuns, type RunSummary } from './runs.js';

export interface StartCaptureOptions {
  selection?: CaptureSelection;
  /** Hash of the tag plan the lab was programmed from (recorded in the manifest). */
  planHash?: string | null;
  /** tshark decode-as items of the plan, recorded in the merged pcapng's section comment. */
  decodeAs?: string[];
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

/** Every root-namespace interface and its UP flag (one `ip -j link` call). */
async function rootInterfaces(): Promise<Map<string, boolean>> {
  const links = await hostNet()
    .ip.links(null)
    .catch(() => []);
  return new Map(links.map((l) => [l.ifname, l.up]));
}

/**
 * tshark's decode-as items for the tunnels of ends captured `via` an underlay
 * (`udp.port==14789,vxlan`): their outer VXLAN is not on VXLAN's own port 4789.
 */
export function tunnelDecodeItems(targets: readonly CaptureTarget[], have: readonly string[] = []): string[] {
  const ports = [...new Set(targets.flatMap((t) => (t.via ? [t.via.vxlan.dstPort] : [])))].sort((a, b) => a - b);
  return ports.map((p) => `udp.port==${p},vxlan`).filter((d) => !have.includes(d));
}

/**
 * Starts one tcpdump per selected link end of a lab and resolves once all of them listen.
 * Throws E_CAPTURE_NOT_LISTENING (after stopping what it started) when a capturer dies or does not
 * listen in time, naming each one and its stderr.
 */
export async function startCapture(status: CaptureStatusDoc, o: StartCaptureOptions = {}): Promise<CaptureSession> {
  const lab = checkLabName(status.lab);
  const sel = selectTargets(status, o.selection);
  const live = sel.targets.some((t) => t.hostIf)
    ? capturable(sel.targets, await rootInterfaces())
    : { targets: sel.targets, skipped: [] };
  const skipped = [...sel.skipped, ...live.skipped];
  const targets = live.targets;
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
  const decodeAs = [...(o.decodeAs ?? []), ...tunnelDecodeItems(targets, o.decodeAs ?? [])];
  const state: CaptureState = {
    stateVersion: 1,
    lab,
    runId,
    runtime: status.runtime ?? 'unknown',
    planHash: o.planHash ?? null,
    ...(decodeAs.length ? { decodeAs } : {}),
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
      child = spawnCapturer({ file, args }, fd);
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

  await awaitListening(session, dir, state, exits, o.listenTimeoutMs ?? 15000);
  state.phase = 'capturing';
  await writeState(dir, state);
  return session;
}

export { STATE_FILE, MANIFEST_FILE };

/**
 * Resolves once every capturer's stderr says `listening on`. Throws E_CAPTURE_NOT_LISTENING
 * (after stopping the run) when one dies first or the timeout passes, naming each with its stderr.
 */
async function awaitListening(
  session: CaptureSession,
  dir: string,
  state: CaptureState,
  exits: Map<string, Promise<{ exitCode: number | null }>>,
  timeout: number,
): Promise<void> {
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
}
