// Helpers of the crash-safety suite: run a CLI verb and kill -9 it at a chosen point (a progress
// line or a time offset, both bounded), and list what a lab left on the machine.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tryRun } from '../../src/hostnet/exec.js';
import { HOSTS_RUN_DIR } from '../../src/runtime/netns/split.js';
import { ROOT } from './lab-copy.js';

const CLI = ['--import', 'tsx', join(ROOT, 'tests/integration/cli-runner.ts')];
const STARTED = Date.now();

/**
 * Where to kill: when the output has shown `lines` lines matching `match`, when `when` (a state
 * check: a lock file, a pidfile, a recorded step) first holds, or `ms` after the start.
 */
export interface KillPoint {
  match?: RegExp;
  lines?: number;
  when?: () => boolean;
  ms?: number;
  /** How the point reads in a failure message. */
  label?: string;
}

export interface KillResult {
  /** True when the verb was killed; false when it ended before the point was reached. */
  killed: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `fabric <args>` and sends SIGKILL at the point; never waits more than `limitMs` in all. */
export function killAt(args: string[], point: KillPoint, limitMs = 180_000): Promise<KillResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const kill = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killed = true;
      child.kill('SIGKILL');
    };
    const timers = [setTimeout(kill, point.ms ?? limitMs), setTimeout(kill, limitMs)];
    // A state check is polled while the verb runs (bounded by the timers above).
    const poll = point.when ? setInterval(() => point.when!() && kill(), 20) : undefined;
    // Progress lines come on stdout (up, failover) or stderr (test's stages): both are watched.
    const check = () => {
      if (
        point.match &&
        (`${stdout}\n${stderr}`.match(new RegExp(point.match.source, 'gm'))?.length ?? 0) >= (point.lines ?? 1)
      )
        kill();
    };
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      check();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      check();
    });
    child.on('exit', (code) => {
      for (const t of timers) clearTimeout(t);
      clearInterval(poll);
      resolve({ killed, exitCode: code, stdout, stderr });
    });
  });
}

/** Runs `fabric <args>` to the end (bounded). */
export async function fabric(args: string[], timeout = 600_000) {
  return tryRun(process.execPath, [...CLI, ...args], { timeout });
}

function processesNaming(text: string, binary: RegExp): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (binary.test(argv[0] ?? '') && argv.some((a) => a.includes(text))) out.push(`${pid} ${argv.join(' ')}`);
  }
  return out;
}

/**
 * Everything of `lab` still on the machine: namespaces, root interfaces (by name, alias or the
 * given tap names), OVS bridges and ports carrying its marker, QEMU and tcpdump processes whose
 * argv names the suite's work folder, the lab's QEMU run directory and its state file.
 */
export async function leftovers(lab: string, work: string, taps: readonly string[] = []): Promise<string[]> {
  const left: string[] = [];
  const ns = (await tryRun('ip', ['netns', 'list'])).stdout;
  // Node namespaces, and the emulated hosts' (with their underlay and management networks).
  for (const l of ns.split('\n'))
    if (l.startsWith(`clab-${lab}-`) || l.startsWith(`fh-${lab}-`)) left.push(`netns ${l.split(' ')[0]}`);
  const hostsDir = join(HOSTS_RUN_DIR, lab);
  if (existsSync(hostsDir)) left.push(`emulated hosts' folder ${hostsDir}`);
  for (const p of processesNaming(`${hostsDir}/`, /ovs-vswitchd|ovsdb-server/)) left.push(`host OVS ${p}`);
  const links = JSON.parse((await tryRun('ip', ['-j', 'link', 'show'])).stdout || '[]') as {
    ifname: string;
    ifalias?: string;
  }[];
  for (const l of links)
    if (l.ifname.startsWith(`${lab}-`) || l.ifalias === `fabric-lab=${lab}` || taps.includes(l.ifname))
      left.push(`link ${l.ifname}`);
  const br = await tryRun('ovs-vsctl', [
    '--bare',
    '--columns=name',
    'find',
    'Bridge',
    `external_ids:fabric-lab=${lab}`,
  ]);
  for (const b of br.stdout.split('\n').filter(Boolean)) left.push(`ovs bridge ${b}`);
  for (const p of processesNaming(work, /qemu-system/)) left.push(`qemu ${p}`);
  for (const p of processesNaming(work, /tcpdump/)) left.push(`tcpdump ${p}`);
  const runDir = join(work, 'failover', lab);
  for (const f of [runDir, `${runDir}.json`, `${runDir}.lock`]) if (existsSync(f)) left.push(`failover record ${f}`);
  // Probe captures of a killed failover, wherever the system's temporary folder holds them (made
  // since this suite started: older ones are not this run's).
  for (const d of readdirSync(tmpdir()).filter((n) => n.startsWith('fabric-failover-'))) {
    const f = join(tmpdir(), d, lab);
    if (existsSync(f) && statSync(f).mtimeMs >= STARTED) left.push(`probe captures ${f}`);
  }
  // The lab's state file, and half-written copies of it (FABRIC_STATE_DIR is <work>/state).
  const stateDir = join(work, 'state');
  const mine = new RegExp(`^${lab}\\.json(\\.\\d+\\.tmp)?$`);
  for (const f of existsSync(stateDir) ? readdirSync(stateDir) : [])
    if (mine.test(f)) left.push(`state file ${join(stateDir, f)}`);
  return left;
}

/** True when a run directory of generation `gen` under `dir` holds a QEMU pidfile (a guest started). */
export function pidfileOfGen(dir: string, gen: number): boolean {
  try {
    return readdirSync(dir).some((d) => d.endsWith(`.${gen}`) && existsSync(join(dir, d, 'qemu.pid')));
  } catch {
    return false;
  }
}

/** QEMU processes of the suite (argv names its work folder). */
export const qemuOf = (work: string): string[] => processesNaming(work, /qemu-system/);
