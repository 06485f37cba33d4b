// QEMU virtual machines: launch (daemonized, tracked by pidfile), QMP control,
// the guest agent, pause/cont/stop, and live migration between two QEMU processes.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { FabricError } from '../errors/fabric-error.js';
import { hostNet, tryRun } from '../hostnet/index.js';
import { AgentClient, type GuestRunOptions } from './agent-client.js';
import { buildQemuArgs, precopyWhileRunning, QEMU_BINARY, vmPaths, type VmSpec } from './qemu-args.js';
import type { AgentResponse } from './protocol.js';
import { QmpClient } from './qmp.js';

export * from './qemu-args.js';

/** PID from the pidfile if that process is alive, not a zombie, and is our QEMU (its argv names this pidfile). */
export function livePid(pidfile: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidfile, 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z/.test(stat)) return undefined;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    // Exactly our pidfile argument: a substring test would confuse run dirs m1 and m10.
    if (!argv[0]?.includes('qemu-system') || !argv.includes(pidfile)) return undefined;
  } catch {
    return undefined;
  }
  return pid;
}

export interface QmpMigrationInfo {
  status: string;
  'total-time'?: number;
  downtime?: number;
  'setup-time'?: number;
  'expected-downtime'?: number;
  ram?: { transferred: number; total: number; remaining: number; 'dirty-sync-count'?: number; mbps?: number };
  'error-desc'?: string;
}

export interface MigrationResult {
  /**
   * How long the guest's CPUs were stopped (ms): QEMU's figure for a pre-copy, our own from
   * `stop` until the target's `cont` returned for a stop-and-copy.
   */
  downtimeMs: number;
  /** The guest was stopped for the whole copy (see precopyWhileRunning). */
  stopAndCopy: boolean;
  totalTimeMs: number;
  setupTimeMs: number;
  transferredBytes: number;
  /** Wall time from the `migrate` command until the target answered its agent (ms). */
  wallMs: number;
}

export interface StartOptions {
  /** Wait for the agent to answer (default: yes unless startPaused or incoming). */
  waitAgent?: boolean;
  bootTimeoutMs?: number;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

export class QemuVm {
  readonly qmp: QmpClient;
  readonly agent: AgentClient;
  readonly paths: ReturnType<typeof vmPaths>;
  /** Milliseconds from launch until the agent first answered (undefined until then). */
  bootMs: number | undefined;
  private constructor(
    readonly spec: VmSpec,
    readonly pid: number,
    private readonly startedAt: number,
  ) {
    this.paths = vmPaths(spec.runDir);
    this.qmp = new QmpClient(this.paths.qmp);
    this.agent = new AgentClient(this.paths.agent);
  }

  /** Launches QEMU (daemonized), connects QMP and, for a booting guest, waits for the agent. */
  static async start(spec: VmSpec, opts: StartOptions = {}): Promise<QemuVm> {
    const args = buildQemuArgs(spec);
    const paths = vmPaths(spec.runDir);
    mkdirSync(spec.runDir, { recursive: true });
    const old = livePid(paths.pidfile);
    if (old)
      throw new FabricError('E_VM_RUNNING', `a QEMU (pid ${old}) already runs in ${spec.runDir}`, {
        hint: 'stop it first, or use another run directory',
      });
    for (const f of Object.values(paths)) rmSync(f, { force: true });
    const t0 = Date.now();
    const launch = hostNet().ip.argvIn(spec.netns ?? null, [QEMU_BINARY, ...args]);
    const res = await tryRun(launch.file, launch.args, { timeout: 60_000 });
    if (res.exitCode !== 0) {
      throw new FabricError(
        'E_VM_START',
        `QEMU for ${spec.name} did not start (exit ${res.exitCode}): ${res.stderr.trim().split('\n').slice(-4).join(' | ')}`,
        {
          hint: spec.nics?.length
            ? 'does each tap exist in the namespace QEMU runs in, and is it free?'
            : 'run the command by hand to see more',
        },
      );
    }
    const pid = livePid(paths.pidfile);
    if (!pid)
      throw new FabricError('E_VM_START', `QEMU for ${spec.name} exited right after start`, {
        hint: `see ${paths.console}`,
      });
    const vm = new QemuVm(spec, pid, t0);
    try {
      await vm.qmp.connect(10_000, () => vm.alive);
      const wait = opts.waitAgent ?? (!spec.startPaused && !spec.incoming);
      // From power-on the agent's own `!ready` line is the signal; pings are only the fallback.
      if (wait) await vm.waitAgent(opts.bootTimeoutMs ?? 120_000, 5000);
    } catch (err) {
      await vm.stop().catch(() => {});
      throw err;
    }
    return vm;
  }

  /**
   * A handle on a QEMU started earlier (another process) from its run directory: the pidfile's
   * PID must be alive and its argv must name that run directory, then QMP is connected.
   */
  static async attach(spec: VmSpec, timeoutMs = 10_000): Promise<QemuVm> {
    const pid = livePid(vmPaths(spec.runDir).pidfile);
    if (!pid)
      throw new FabricError('E_VM_NOT_RUNNING', `no QEMU of ${spec.name} runs in ${spec.runDir}`, {
        hint: 'start it again',
      });
    const vm = new QemuVm(spec, pid, Date.now());
    await vm.qmp.connect(timeoutMs, () => vm.alive);
    return vm;
  }

  get alive(): boolean {
    return livePid(this.paths.pidfile) === this.pid;
  }

  /** Waits until the agent answers; records bootMs the first time. */
  async waitAgent(timeoutMs = 120_000, firstPingAfterMs = 0): Promise<void> {
    try {
      await this.agent.waitReady(timeoutMs, () => this.alive, 2000, firstPingAfterMs);
    } catch (err) {
      const tail = this.consoleTail();
      // The console's last lines go in the message too: CI logs show messages, not hints.
      const last = tail.split('\n').slice(-3).join(' | ');
      if (err instanceof FabricError)
        throw new FabricError(err.code, `${this.spec.name}: ${err.message}${last ? ` (console: ${last})` : ''}`, {
          hint: tail ? `console:\n${tail}` : err.hint,
          cause: err,
        });
      throw err;
    }
    this.bootMs ??= Date.now() - this.startedAt;
  }

  consoleTail(lines = 15): string {
    try {
      return readFileSync(this.paths.console, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  run(argv: readonly string[], opts?: GuestRunOptions): Promise<AgentResponse> {
    return this.agent.run(argv, opts);
  }

  sh(script: string, opts?: GuestRunOptions): Promise<AgentResponse> {
    return this.agent.sh(script, opts);
  }

  async status(): Promise<string> {
    const r = await this.qmp.execute<{ status: string }>('query-status');
    return r.status;
  }

  /** Stops the guest's CPUs (memory stays resident: `cont` resumes instantly). */
  async pause(): Promise<void> {
    await this.qmp.execute('stop');
  }

  async cont(): Promise<void> {
    await this.qmp.execute('cont');
  }

  /** Ends the QEMU process: QMP quit, then SIGTERM, then SIGKILL, always by our PID. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.agent.close();
    if (this.alive && this.qmp.connected) await this.qmp.execute('quit', undefined, 3000).catch(() => {});
    this.qmp.close();
    const gone = async (ms: number): Promise<boolean> => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if (!this.alive) return true;
        await sleep(50);
      }
      return !this.alive;
    };
    if (await gone(timeoutMs / 2)) return;
    if (this.alive) process.kill(this.pid, 'SIGTERM');
    if (await gone(timeoutMs / 2)) return;
    if (this.alive) process.kill(this.pid, 'SIGKILL');
    if (!(await gone(2000)))
      throw new FabricError('E_VM_STOP', `QEMU pid ${this.pid} (${this.spec.name}) did not exit`);
  }

  /**
   * Live-migrates this guest into `target`, a QEMU started with the same spec (same name,
   * kernel, initrd, memory, MACs) but its own runDir, its own taps and `incoming` set. When done
   * the source process is quit and the target's agent is connected. The caller moves the switch
   * port: attach the target's tap before, remove the source's tap after (see docs/vm.md).
   */
  async migrateTo(
    target: QemuVm,
    opts: {
      maxBandwidthBytes?: number;
      downtimeLimitMs?: number;
      relaxAfterMs?: number;
      relaxedDowntimeLimitMs?: number;
      timeoutMs?: number;
    } = {},
  ): Promise<MigrationResult> {
    const uri = target.spec.incoming;
    if (!uri) throw new FabricError('E_VM_MIGRATE', `target ${target.spec.runDir} was not started with incoming`);
    const wasRunning = (await this.status()) === 'running';
    const stopFirst = wasRunning && !precopyWhileRunning(this.spec);
    // A tight downtime limit (50 ms) keeps the switchover short for our small, mostly idle
    // guests; if RAM does not converge within relaxAfterMs, fall back to QEMU's default 300 ms.
    await this.qmp.execute('migrate-set-parameters', {
      'max-bandwidth': opts.maxBandwidthBytes ?? 1024 * 1024 * 1024,
      'downtime-limit': opts.downtimeLimitMs ?? 50,
    });
    this.agent.close();
    const t0 = Date.now();
    if (stopFirst) await this.pause();
    try {
      await this.qmp.execute('migrate', { uri });
    } catch (err) {
      if (stopFirst) await this.cont().catch(() => {});
      throw err;
    }
    const info = await this.awaitMigration(t0, opts, stopFirst);
    let downtimeMs = info.downtime ?? -1;
    if (stopFirst) {
      // The target arrives paused (the source's run state travels with it). A `cont` while it is
      // still loading would be dropped, so wait for it to leave `inmigrate` first.
      const state = await target.waitStatus((s) => s !== 'inmigrate', 30_000);
      if (state !== 'paused')
        throw new FabricError('E_VM_MIGRATE', `migration target of ${this.spec.name} is ${state}, not paused`, {
          hint: `see ${target.paths.console}`,
        });
      await target.cont();
      downtimeMs = Date.now() - t0;
    }
    // A pre-copied guest resumes by itself on the target (its run state is migrated).
    if (wasRunning) {
      if (!stopFirst) await target.waitStatus((s) => s === 'running', 5000);
      await target.waitAgent(30_000);
    }
    const wallMs = Date.now() - t0;
    await this.stop();
    return {
      downtimeMs,
      stopAndCopy: stopFirst,
      totalTimeMs: info['total-time'] ?? -1,
      setupTimeMs: info['setup-time'] ?? -1,
      transferredBytes: info.ram?.transferred ?? -1,
      wallMs,
    };
  }

  /** Polls query-status until `done` holds for the state (every 10 ms, bounded). */
  async waitStatus(done: (state: string) => boolean, timeoutMs: number): Promise<string> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.status();
      if (done(state)) return state;
      if (Date.now() > end)
        throw new FabricError('E_VM_MIGRATE', `${this.spec.name} still ${state} after ${timeoutMs} ms`, {
          hint: `see ${this.paths.console}`,
        });
      await sleep(10);
    }
  }

  /** Polls query-migrate on this source until the migration completed; cancels it on timeout. */
  private async awaitMigration(
    t0: number,
    opts: { relaxAfterMs?: number; relaxedDowntimeLimitMs?: number; timeoutMs?: number },
    stopped: boolean,
  ): Promise<QmpMigrationInfo> {
    const end = t0 + (opts.timeoutMs ?? 120_000);
    const relaxAt = t0 + (opts.relaxAfterMs ?? 5000);
    let relaxed = false;
    for (;;) {
      const info = await this.qmp.execute<QmpMigrationInfo>('query-migrate');
      if (info.status === 'completed') return info;
      if (info.status === 'failed' || info.status === 'cancelled') {
        if (stopped) await this.cont().catch(() => {});
        throw new FabricError(
          'E_VM_MIGRATE',
          `migration of ${this.spec.name} ${info.status}: ${info['error-desc'] ?? 'no detail'}`,
          { hint: 'source keeps running; stop the target' },
        );
      }
      if (!relaxed && Date.now() > relaxAt) {
        relaxed = true;
        await this.qmp
          .execute('migrate-set-parameters', { 'downtime-limit': opts.relaxedDowntimeLimitMs ?? 300 })
          .catch(() => {});
      }
      if (Date.now() > end) {
        await this.qmp.execute('migrate_cancel').catch(() => {});
        if (stopped) await this.cont().catch(() => {});
        throw new FabricError(
          'E_VM_MIGRATE',
          `migration of ${this.spec.name} not done after ${opts.timeoutMs ?? 120_000} ms (status ${info.status})`,
        );
      }
      await sleep(20);
    }
  }
}

/** Whether a run directory's QEMU is alive (for status and cleanup across processes). */
export function runDirPid(runDir: string): number | undefined {
  return livePid(vmPaths(runDir).pidfile);
}

/** Stops whatever QEMU our pidfile in runDir names (SIGTERM, then SIGKILL), by PID only. */
export async function stopRunDir(runDir: string, timeoutMs = 5000): Promise<boolean> {
  const pid = runDirPid(runDir);
  if (!pid) return false;
  process.kill(pid, 'SIGTERM');
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (runDirPid(runDir) !== pid) return true;
    await sleep(50);
  }
  if (runDirPid(runDir) === pid) process.kill(pid, 'SIGKILL');
  return true;
}
