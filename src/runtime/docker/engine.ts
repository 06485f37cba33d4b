// The Docker engine: reuse a dockerd that answers on its socket, or start Debian's `dockerd`
// detached (own log file and pidfile under /run/fabric) and wait, bounded, for the socket. The
// PID we started is recorded so only that process is ever stopped by us. Started with
// --bridge=none and --iptables=false: every lab container uses network mode `none`, so the
// engine needs no docker0 bridge (an address in the root namespace) and no host firewall rules.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { FabricError } from '../../errors/fabric-error.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';
export const DOCKERD_CANDIDATES = ['/usr/sbin/dockerd', '/usr/bin/dockerd', '/usr/local/bin/dockerd'];

export interface EngineStatus {
  socket: string;
  /** PID of the dockerd fabric started (this call or an earlier one), null when it was already running. */
  pid: number | null;
  started: boolean;
  /** API version the engine answered with. */
  version?: string;
  ms: number;
}

function runDir(): string {
  return process.env.FABRIC_RUN_DIR || '/run/fabric';
}
export function dockerdLogPath(): string {
  return join(runDir(), 'dockerd.log');
}
export function dockerdPidPath(): string {
  return join(runDir(), 'dockerd.pid');
}
/** Our record of a dockerd we started (dockerd's own pidfile can be rewritten by a later engine). */
export function startedPidPath(): string {
  return join(runDir(), 'dockerd.started-by-fabric');
}

/** The unix socket dockerode talks to: DOCKER_HOST=unix://... or the default socket. */
export function socketPath(env: NodeJS.ProcessEnv = process.env): string {
  const h = env.DOCKER_HOST;
  if (h && h.startsWith('unix://')) return h.slice('unix://'.length);
  return DEFAULT_SOCKET;
}

// dockerode (with ssh2 and protobufjs behind it) costs about a quarter of the CLI's start-up, so
// it is loaded when a verb first needs an engine, not whenever the runtime registry is imported.
const load = createRequire(import.meta.url);
let client: Docker | undefined;
let clientSocket: string | undefined;

/** One dockerode client per socket. */
export function dockerClient(socket = socketPath()): Docker {
  if (!client || clientSocket !== socket) {
    const DockerClient = load('dockerode') as typeof Docker;
    client = new DockerClient({ socketPath: socket, timeout: 120_000 });
    clientSocket = socket;
  }
  return client;
}

export function unreachable(socket: string, why: string, cause?: unknown): FabricError {
  return new FabricError('E_DOCKER_UNREACHABLE', `Docker engine not reachable on ${socket}: ${why}`, {
    hint: `start it (dockerd &, or let fabric start it: it runs ${DOCKERD_CANDIDATES[0]} when the socket is silent), install it with apt-get install docker.io, or use --runtime netns`,
    cause,
  });
}

/** True when the engine answers `/_ping` within the deadline. */
export async function pingEngine(docker: Pick<Docker, 'ping'>, ms = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const ok = await Promise.race([
      docker.ping().then(() => true),
      new Promise<boolean>((res) => (timer = setTimeout(() => res(false), ms))),
    ]);
    return ok;
  } catch {
    return false;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'dockerd';
  } catch {
    return false;
  }
}

/** PID of the dockerd fabric started, if that process still runs. */
export function startedPid(): number | null {
  try {
    const pid = Number.parseInt(readFileSync(startedPidPath(), 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

function logTail(n = 6): string {
  try {
    return readFileSync(dockerdLogPath(), 'utf8').trim().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

export interface EnsureOptions {
  /** Bounded wait for the socket after starting dockerd (ms). */
  waitMs?: number;
  /** Do not start dockerd; only check (E_DOCKER_UNREACHABLE when silent). */
  noStart?: boolean;
  socket?: string;
}

/** Makes sure an engine answers on the socket, starting dockerd when it is ours to start. */
export async function ensureDockerd(opts: EnsureOptions = {}): Promise<EngineStatus> {
  const t0 = performance.now();
  const socket = opts.socket ?? socketPath();
  const docker = dockerClient(socket);
  const done = async (started: boolean, pid: number | null): Promise<EngineStatus> => {
    let version: string | undefined;
    try {
      version = ((await docker.version()) as { ApiVersion?: string }).ApiVersion;
    } catch {
      /* version is informative only */
    }
    const st: EngineStatus = { socket, pid, started, ms: Math.round(performance.now() - t0) };
    if (version) st.version = version;
    return st;
  };
  if (await pingEngine(docker)) return done(false, startedPid());
  if (opts.noStart || socket !== DEFAULT_SOCKET) {
    throw unreachable(
      socket,
      opts.noStart
        ? 'no answer (not starting one: noStart)'
        : 'no answer, and fabric only starts the local default engine',
    );
  }
  if (process.getuid?.() !== 0) throw unreachable(socket, 'no answer, and starting dockerd needs root');
  const bin = DOCKERD_CANDIDATES.find((p) => existsSync(p));
  if (!bin) throw unreachable(socket, 'no answer, and dockerd is not installed');

  let pid = startedPid();
  if (!pid) {
    mkdirSync(runDir(), { recursive: true });
    // A stale socket file from a dead engine makes dockerd refuse to start; it is not ours to
    // keep once nothing answers on it.
    if (existsSync(socket)) rmSync(socket, { force: true });
    const log = openSync(dockerdLogPath(), 'a');
    try {
      const child = spawn(
        bin,
        ['--pidfile', dockerdPidPath(), '--bridge=none', '--iptables=false', '--host', `unix://${socket}`],
        {
          detached: true,
          stdio: ['ignore', log, log],
        },
      );
      child.on('error', () => undefined);
      if (!child.pid) throw unreachable(socket, `could not start ${bin}`);
      pid = child.pid;
      child.unref();
    } finally {
      closeSync(log);
    }
    writeFileSync(startedPidPath(), `${pid}\n`);
  }
  const end = Date.now() + (opts.waitMs ?? 60_000);
  for (;;) {
    if (await pingEngine(docker, 1000)) return done(true, pid);
    if (!alive(pid)) {
      rmSync(startedPidPath(), { force: true });
      throw unreachable(
        socket,
        `dockerd (pid ${pid}) exited during start; ${dockerdLogPath()} ends with:\n${logTail()}`,
      );
    }
    if (Date.now() > end)
      throw unreachable(
        socket,
        `dockerd (pid ${pid}) did not answer within ${opts.waitMs ?? 60_000} ms; see ${dockerdLogPath()}:\n${logTail()}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops the dockerd fabric started (never another one). Returns its PID, or null. */
export async function stopStartedDockerd(waitMs = 20_000): Promise<number | null> {
  const pid = startedPid();
  if (!pid) return null;
  process.kill(pid, 'SIGTERM');
  const end = Date.now() + waitMs;
  while (alive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  rmSync(startedPidPath(), { force: true });
  return pid;
}
