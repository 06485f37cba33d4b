// Starts and stops Open vSwitch's userspace pieces without systemd, or reuses the running ones. Only ONE
// userspace ovs-vswitchd can run per network namespace (a second one fails creating its taps),
// so everything here is "check the pidfile first, start only what is missing".
import { existsSync, mkdirSync, readFileSync, readlinkSync, lstatSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import { run, tryRun } from './exec.js';
import type { OvsDaemonOps, OvsDaemonStatus } from './host-net.js';

export const OVS_RUN_DIR = '/var/run/openvswitch';
export const OVS_DB_SOCK = `${OVS_RUN_DIR}/db.sock`;
export const OVS_CONF_DB = '/etc/openvswitch/conf.db';
export const OVS_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';

export type DaemonStatus = OvsDaemonStatus;

/** Pid from an OVS pidfile if that process is alive and is the expected program. */
export function livePid(name: 'ovsdb-server' | 'ovs-vswitchd'): number | null {
  const file = `${OVS_RUN_DIR}/${name}.pid`;
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    // Debian's daemons may show up as e.g. "ovs-vswitchd" or "ovsdb-server"; comm is cut at 15 chars.
    return comm.startsWith(name.slice(0, 15)) ? pid : null;
  } catch {
    return null;
  }
}

/** The real path of conf.db: Debian ships /etc/openvswitch/conf.db as a symlink into /var/lib. */
function confDbPath(): string {
  try {
    if (lstatSync(OVS_CONF_DB).isSymbolicLink()) return resolve(dirname(OVS_CONF_DB), readlinkSync(OVS_CONF_DB));
  } catch {
    /* missing: use the plain path */
  }
  return OVS_CONF_DB;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end)
      throw new FabricError('E_OVS_DAEMON', `timed out waiting for ${what}`, {
        hint: 'see /var/log/openvswitch/*.log',
      });
    await sleep(50);
  }
}

/**
 * Ensures ovsdb-server and ovs-vswitchd run (userspace datapath), and sets the global options the
 * fabric depends on: other_config:vlan-limit=2 (at 1, flows matching the inner tag after a pop
 * match nothing).
 */
export async function ensureOvs(): Promise<DaemonStatus> {
  if (process.getuid?.() !== 0) {
    throw new FabricError('E_NOT_ROOT', 'Open vSwitch and network namespaces need root', {
      hint: 'run as root (sudo)',
    });
  }
  mkdirSync(OVS_RUN_DIR, { recursive: true });
  const status: DaemonStatus = {
    ovsdbServer: { pid: livePid('ovsdb-server'), started: false },
    ovsVswitchd: { pid: livePid('ovs-vswitchd'), started: false },
  };
  if (status.ovsdbServer.pid === null) {
    const db = confDbPath();
    if (!existsSync(db)) {
      mkdirSync(dirname(db), { recursive: true });
      const r = await tryRun('ovsdb-tool', ['create', db, OVS_SCHEMA]);
      // Another process may have created it at the same moment: only fail if it is still missing.
      if (r.exitCode !== 0 && !existsSync(db)) await run('ovsdb-tool', ['create', db, OVS_SCHEMA]);
    }
    const r = await tryRun('ovsdb-server', [
      db,
      `--remote=punix:${OVS_DB_SOCK}`,
      '--remote=db:Open_vSwitch,Open_vSwitch,manager_options',
      '--pidfile',
      '--detach',
      '--log-file',
    ]);
    // A concurrent starter wins the pidfile lock; that is fine as long as a server runs.
    if (r.exitCode !== 0 && livePid('ovsdb-server') === null) {
      await run('ovsdb-server', [db, `--remote=punix:${OVS_DB_SOCK}`, '--pidfile', '--detach', '--log-file']);
    }
    status.ovsdbServer = { pid: livePid('ovsdb-server'), started: true };
  }
  await waitFor(() => existsSync(OVS_DB_SOCK), 10_000, `${OVS_DB_SOCK}`);
  await run('ovs-vsctl', ['--no-wait', 'init'], { timeout: 20_000 });
  if (status.ovsVswitchd.pid === null) {
    const r = await tryRun('ovs-vswitchd', ['--pidfile', '--detach', '--log-file'], { timeout: 60_000 });
    if (r.exitCode !== 0 && livePid('ovs-vswitchd') === null) {
      throw new FabricError('E_OVS_DAEMON', `ovs-vswitchd did not start: ${r.stderr.trim()}`, {
        hint: 'only one userspace ovs-vswitchd may run per network namespace; see /var/log/openvswitch/ovs-vswitchd.log',
      });
    }
    status.ovsVswitchd = { pid: livePid('ovs-vswitchd'), started: true };
  }
  const limit = await tryRun('ovs-vsctl', ['--timeout=30', 'get', 'Open_vSwitch', '.', 'other_config:vlan-limit']);
  const was = limit.exitCode === 0 ? limit.stdout.trim().replace(/"/g, '') : 'unset';
  if (was !== '2') {
    await run('ovs-vsctl', ['--timeout=30', 'set', 'Open_vSwitch', '.', 'other_config:vlan-limit=2'], {
      timeout: 40_000,
    });
  }
  status.hostChanges = [
    ...(status.ovsdbServer.started ? [`started ovsdb-server (pid ${status.ovsdbServer.pid}) outside systemd`] : []),
    ...(status.ovsVswitchd.started ? [`started ovs-vswitchd (pid ${status.ovsVswitchd.pid}) outside systemd`] : []),
    ...(was !== '2' ? [`set Open_vSwitch other_config:vlan-limit=2 (was ${was})`] : []),
  ];
  return status;
}

function pidfilePid(): number | null {
  try {
    const n = Number.parseInt(readFileSync(`${OVS_RUN_DIR}/ovs-vswitchd.pid`, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/**
 * Stops ovs-vswitchd: SIGTERM to the pid behind its pidfile, SIGKILL after 15 s. Refuses when the
 * pidfile does not name a live ovs-vswitchd (never signals a recycled pid).
 */
export async function stopVswitchd(): Promise<number> {
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

export const realDaemon: Omit<OvsDaemonOps, 'startAt' | 'stopAt'> = {
  ensure: ensureOvs,
  livePid,
  stopVswitchd,
  async restartVswitchd() {
    const oldPid = await stopVswitchd();
    await ensureOvs();
    return { oldPid, newPid: livePid('ovs-vswitchd') };
  },
};
