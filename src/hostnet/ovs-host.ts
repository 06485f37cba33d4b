// The Open vSwitch of an emulated host: its own ovsdb-server and ovs-vswitchd inside the host's
// namespace, every file (database, sockets, pidfiles, logs, bridge management sockets) in the
// host's folder, so two hosts, and this machine's own OVS, never share a socket or a pidfile.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { FabricError } from '../errors/fabric-error.js';
import { run } from './exec.js';
import { guardNetns } from './guard.js';
import type { OwnedOvs } from './host-net.js';
import { OVS_SCHEMA } from './ovs-daemon.js';

const DIR = /^\/run\/[A-Za-z0-9_./-]{1,80}$/;
const NAMES = ['ovs-vswitchd', 'ovsdb-server'] as const;

function checkDir(dir: string): string {
  if (!DIR.test(dir) || dir.includes('..'))
    throw new FabricError('E_BAD_NAME', `refusing OVS folder ${JSON.stringify(dir)}`, {
      hint: 'an emulated host keeps its OVS files under /run',
    });
  return dir;
}

/** The PID behind a pidfile of `dir` when that process is alive and is the expected program. */
export function ownedPid(dir: string, name: (typeof NAMES)[number]): number | null {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(`${dir}/${name}.pid`, 'utf8').trim(), 10);
    if (!Number.isInteger(pid) || pid <= 0) return null;
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith(name.slice(0, 15)) ? pid : null;
  } catch {
    return null;
  }
}

/** True once a process has exited (no /proc entry, or a zombie its parent has not reaped yet). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true;
  }
}

async function waitUntil(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end)
      throw new FabricError('E_OVS_DAEMON', `timed out waiting for ${what}`, { hint: 'see the logs beside it' });
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startOvsAt(netns: string, dir: string): Promise<OwnedOvs> {
  guardNetns(netns);
  checkDir(dir);
  mkdirSync(dir, { recursive: true });
  const inNs = ['ip', 'netns', 'exec', netns];
  const db = `--db=unix:${dir}/db.sock`;
  if (ownedPid(dir, 'ovsdb-server') === null) {
    if (!existsSync(`${dir}/conf.db`)) await run('ovsdb-tool', ['create', `${dir}/conf.db`, OVS_SCHEMA]);
    await run(inNs[0]!, [
      ...inNs.slice(1),
      'ovsdb-server',
      `--remote=punix:${dir}/db.sock`,
      `--pidfile=${dir}/ovsdb-server.pid`,
      `--unixctl=${dir}/ovsdb-server.ctl`,
      `--log-file=${dir}/ovsdb-server.log`,
      '--detach',
      `${dir}/conf.db`,
    ]);
  }
  await waitUntil(() => existsSync(`${dir}/db.sock`), 10_000, `${dir}/db.sock`);
  await run('ovs-vsctl', [db, '--timeout=30', '--no-wait', 'init']);
  await run('ovs-vsctl', [db, '--timeout=30', '--no-wait', 'set', 'Open_vSwitch', '.', 'other_config:vlan-limit=2']);
  if (ownedPid(dir, 'ovs-vswitchd') === null) {
    // OVS_RUNDIR keeps the bridges' management sockets in the host's folder.
    await run(
      inNs[0]!,
      [
        ...inNs.slice(1),
        'env',
        `OVS_RUNDIR=${dir}`,
        'ovs-vswitchd',
        `unix:${dir}/db.sock`,
        `--pidfile=${dir}/ovs-vswitchd.pid`,
        `--unixctl=${dir}/ovs-vswitchd.ctl`,
        `--log-file=${dir}/ovs-vswitchd.log`,
        '--detach',
      ],
      { timeout: 60_000 },
    );
  }
  const ovsdbServer = ownedPid(dir, 'ovsdb-server');
  const ovsVswitchd = ownedPid(dir, 'ovs-vswitchd');
  if (ovsdbServer === null || ovsVswitchd === null)
    throw new FabricError('E_OVS_DAEMON', `the OVS daemons of ${netns} did not start`, {
      hint: `see ${dir}/*.log`,
    });
  return { ovsdbServer, ovsVswitchd };
}

/** SIGTERM to each daemon of `dir` (vswitchd first), SIGKILL after 10 s; the PIDs stopped. */
export async function stopOvsAt(dir: string): Promise<number[]> {
  checkDir(dir);
  const stopped: number[] = [];
  for (const name of NAMES) {
    const pid = ownedPid(dir, name);
    if (pid === null) continue;
    process.kill(pid, 'SIGTERM');
    // The daemon removes its pidfile before it has exited: wait for the process itself.
    const end = Date.now() + 10_000;
    while (!gone(pid)) {
      if (Date.now() > end) {
        process.kill(pid, 'SIGKILL');
        await waitUntil(() => gone(pid), 5_000, `${name} ${pid} to exit`);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    stopped.push(pid);
  }
  return stopped;
}
