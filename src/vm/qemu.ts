// QEMU virtual machines: command line, launch (daemonized, tracked by pidfile), QMP control,
// the guest agent, pause/cont/stop, and live migration between two QEMU processes.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import { tryRun } from '../hostnet/exec.js';
import { AgentClient, type GuestRunOptions } from './agent-client.js';
import { AGENT_PORT_NAME } from './guest-scripts.js';
import { macFor, validateIfName, validateVmName } from './names.js';
import type { AgentResponse } from './protocol.js';
import { QmpClient } from './qmp.js';

export const QEMU_BINARY = 'qemu-system-x86_64';

export type Accel = 'tcg' | 'kvm';

export interface NicSpec {
  /** Tap device (≤ 15 chars). Create it first (createTap) in the namespace QEMU runs in. */
  tap: string;
  /** Default: macFor(vm name, index), identical on a migration target. */
  mac?: string;
}

export interface VmSpec {
  /** Identity of the guest (hostname, MACs); stays the same across migration. */
  name: string;
  kernel: string;
  initrd: string;
  /** Per-process directory for qmp.sock, agent.sock, console.log, qemu.pid. Must differ between source and target. */
  runDir: string;
  memoryMiB?: number;
  cpus?: number;
  accel?: Accel;
  nics?: NicSpec[];
  /** Extra kernel command line words, e.g. fabric.ip=10.0.0.2/24. */
  append?: string[];
  /** -S: CPUs stopped until `cont` (the guest has not booted yet). */
  startPaused?: boolean;
  /** Migration target: -incoming <uri> (unix:/path or tcp:127.0.0.1:port). */
  incoming?: string;
  /** Network namespace to start QEMU in (where its taps live): `ip netns exec <ns>`. */
  netns?: string;
}

export const DEFAULT_MEMORY_MIB = 96;
/**
 * Debian's 6.1 kernel does not get past its own decompressor below ~80 MiB (QEMU exits at once,
 * silently, with -no-reboot: measured 64 and 72 fail, 80 boots), so smaller sizes are refused.
 */
export const MIN_MEMORY_MIB = 80;

export function vmPaths(runDir: string): {
  qmp: string;
  agent: string;
  console: string;
  pidfile: string;
  migrate: string;
} {
  return {
    qmp: join(runDir, 'qmp.sock'),
    agent: join(runDir, 'agent.sock'),
    console: join(runDir, 'console.log'),
    pidfile: join(runDir, 'qemu.pid'),
    migrate: join(runDir, 'migrate.sock'),
  };
}

function checkOptValue(what: string, v: string): string {
  // QEMU's option parser splits on ','; a path or name containing one would change the meaning.
  if (v.includes(',') || v.includes('\n'))
    throw new FabricError('E_VM_SPEC', `${what} must not contain ',' or a newline: ${JSON.stringify(v)}`);
  return v;
}

/** The kernel command line for a guest. */
export function kernelCmdline(spec: Pick<VmSpec, 'name' | 'append'>): string {
  const words = ['console=ttyS0', 'quiet', 'panic=-1', `fabric.hostname=${spec.name}`, ...(spec.append ?? [])];
  for (const w of words)
    if (/[\s"]/.test(w) || w === '')
      throw new FabricError('E_VM_SPEC', `bad kernel command line word ${JSON.stringify(w)}`);
  return words.join(' ');
}

/**
 * QEMU's argv (without the binary). Serial 0 is the kernel console (a file); the agent is a
 * virtio-serial port on a unix socket QEMU listens on, QMP on a second unix socket.
 * -daemonize + -pidfile: QEMU detaches once it is set up, so start errors still reach us and the PID is in a file.
 */
export function buildQemuArgs(spec: VmSpec): string[] {
  validateVmName(spec.name);
  const p = vmPaths(spec.runDir);
  for (const [k, v] of Object.entries({ kernel: spec.kernel, initrd: spec.initrd, runDir: spec.runDir }))
    checkOptValue(k, v);
  const mem = spec.memoryMiB ?? DEFAULT_MEMORY_MIB;
  if (!Number.isInteger(mem) || mem < MIN_MEMORY_MIB || mem > 4096)
    throw new FabricError('E_VM_SPEC', `memoryMiB ${mem} out of ${MIN_MEMORY_MIB}..4096`, {
      hint: 'the Debian kernel needs about 80 MiB to decompress itself',
    });
  const cpus = spec.cpus ?? 1;
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 8) throw new FabricError('E_VM_SPEC', `cpus ${cpus} out of 1..8`);
  const args = [
    '-name',
    `${spec.name},process=qemu-${spec.name}`,
    '-machine',
    'pc',
    '-accel',
    spec.accel ?? 'tcg',
    '-m',
    String(mem),
    '-smp',
    String(cpus),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-no-reboot',
    '-kernel',
    spec.kernel,
    '-initrd',
    spec.initrd,
    '-append',
    kernelCmdline(spec),
    '-chardev',
    `file,id=con0,path=${p.console}`,
    '-serial',
    'chardev:con0',
    // The agent rides a virtio-serial port, not a UART: CI once saw a UART agent go silent for
    // good after live migration (suspect: the 16550's transmit retry, re-armed at load only if the
    // target's chardev is connected). Virtqueues migrate with their state, and the guest's writes
    // block while no host is connected instead of being dropped. See docs/vm.md.
    '-device',
    'virtio-serial-pci,id=vser0,romfile=',
    '-chardev',
    `socket,id=agent0,path=${p.agent},server=on,wait=off`,
    '-device',
    `virtserialport,bus=vser0.0,nr=1,chardev=agent0,name=${AGENT_PORT_NAME}`,
    '-qmp',
    `unix:${p.qmp},server=on,wait=off`,
    '-pidfile',
    p.pidfile,
    '-daemonize',
  ];
  (spec.nics ?? []).forEach((nic, i) => {
    validateIfName(nic.tap);
    const mac = nic.mac ?? macFor(spec.name, i);
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) throw new FabricError('E_VM_SPEC', `bad MAC ${mac}`);
    // csum/guest_csum off: the guest computes checksums itself; partial checksums through a tap
    // into the OVS userspace datapath arrive broken (the same trap as veth offload, docs/design-facts.md).
    // romfile= : no iPXE option ROM needed for direct kernel boot.
    args.push('-netdev', `tap,id=net${i},ifname=${nic.tap},script=no,downscript=no`);
    args.push('-device', `virtio-net-pci,netdev=net${i},mac=${mac},csum=off,guest_csum=off,romfile=`);
  });
  if (spec.startPaused) args.push('-S');
  if (spec.incoming) {
    if (!/^(unix:\/[^,\s]+|tcp:127\.0\.0\.1:\d{1,5})$/.test(spec.incoming))
      throw new FabricError('E_VM_SPEC', `unsupported incoming URI ${spec.incoming}`, {
        hint: 'unix:/path or tcp:127.0.0.1:<port>',
      });
    args.push('-incoming', spec.incoming);
  }
  return args;
}

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
  /** Guest stopped time reported by QEMU (ms). */
  downtimeMs: number;
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
    const argv = spec.netns ? ['netns', 'exec', spec.netns, QEMU_BINARY, ...args] : args;
    const res = await tryRun(spec.netns ? 'ip' : QEMU_BINARY, argv, { timeout: 60_000 });
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
    // A tight downtime limit (50 ms) keeps the switchover short for our small, mostly idle
    // guests; if RAM does not converge within relaxAfterMs, fall back to QEMU's default 300 ms.
    await this.qmp.execute('migrate-set-parameters', {
      'max-bandwidth': opts.maxBandwidthBytes ?? 1024 * 1024 * 1024,
      'downtime-limit': opts.downtimeLimitMs ?? 50,
    });
    this.agent.close();
    const t0 = Date.now();
    await this.qmp.execute('migrate', { uri });
    const end = t0 + (opts.timeoutMs ?? 120_000);
    const relaxAt = t0 + (opts.relaxAfterMs ?? 5000);
    let relaxed = false;
    let info: QmpMigrationInfo;
    for (;;) {
      info = await this.qmp.execute<QmpMigrationInfo>('query-migrate');
      if (info.status === 'completed') break;
      if (info.status === 'failed' || info.status === 'cancelled') {
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
        throw new FabricError(
          'E_VM_MIGRATE',
          `migration of ${this.spec.name} not done after ${opts.timeoutMs ?? 120_000} ms (status ${info.status})`,
        );
      }
      await sleep(20);
    }
    // The target resumes by itself when the source was running (global state is migrated).
    if (wasRunning) {
      for (let i = 0; i < 500 && (await target.status()) !== 'running'; i++) await sleep(10);
      await target.waitAgent(30_000);
    }
    const wallMs = Date.now() - t0;
    await this.stop();
    return {
      downtimeMs: info.downtime ?? -1,
      totalTimeMs: info['total-time'] ?? -1,
      setupTimeMs: info['setup-time'] ?? -1,
      transferredBytes: info.ram?.transferred ?? -1,
      wallMs,
    };
  }
}

/** The spec for a migration target of `source`: same guest, new runDir, taps, listening on a unix socket. */
export function migrationTargetSpec(source: VmSpec, runDir: string, taps: readonly string[]): VmSpec {
  const nics = source.nics ?? [];
  if (taps.length !== nics.length)
    throw new FabricError('E_VM_SPEC', `target needs ${nics.length} taps, got ${taps.length}`);
  if (runDir === source.runDir) throw new FabricError('E_VM_SPEC', 'migration target needs its own run directory');
  return {
    ...source,
    runDir,
    startPaused: false,
    nics: nics.map((n, i) => ({ tap: taps[i]!, mac: n.mac ?? macFor(source.name, i) })),
    incoming: `unix:${vmPaths(runDir).migrate}`,
  };
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
