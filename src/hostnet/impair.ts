// What the link-impairment layer asks of the machine: which mechanisms the kernel has (found by
// trying them on a scratch veth in a throwaway namespace: this kernel has no modules to list),
// moving a link end between namespaces under a new name, the relay's bridges and VXLAN devices,
// and the relay process itself (spawned detached, stopped by PID after checking its start time).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { run, tryRun, type Argv } from './exec.js';
import { guardIfname, guardNetns } from './guard.js';
import type { ImpairCaps, ImpairHostOps, Ns } from './host-net.js';
import { nsArgs } from './ip.js';
import { livePid } from './ovs-daemon.js';

let cached: Promise<ImpairCaps> | null = null;

/** Each mechanism tried once on a scratch veth pair in a throwaway namespace (deleted after). */
async function probeCaps(): Promise<ImpairCaps> {
  const ns = guardNetns(`fabric-caps-${process.pid}`);
  const n = ['-n', ns];
  const ok = async (file: string, args: string[]): Promise<boolean> => (await tryRun(file, args)).exitCode === 0;
  await run('ip', ['netns', 'add', ns]);
  try {
    await run('ip', [...n, 'link', 'add', 'c0', 'type', 'veth', 'peer', 'name', 'c1']);
    await run('ip', [...n, 'link', 'set', 'c0', 'up']);
    const qdisc = async (spec: string[]): Promise<boolean> => {
      const good = await ok('tc', [...n, 'qdisc', 'add', 'dev', 'c0', 'root', ...spec]);
      if (good) await tryRun('tc', [...n, 'qdisc', 'del', 'dev', 'c0', 'root']);
      return good;
    };
    const netem = await qdisc(['netem', 'delay', '1ms']);
    const tbf = await qdisc(['tbf', 'rate', '1mbit', 'burst', '32kb', 'latency', '50ms']);
    const htb = await qdisc(['handle', '1:', 'htb']);
    const clsact = await ok('tc', [...n, 'qdisc', 'add', 'dev', 'c0', 'clsact']);
    const police =
      clsact &&
      (await ok('tc', [
        ...n,
        'filter',
        'add',
        'dev',
        'c0',
        'ingress',
        'protocol',
        'all',
        'u32',
        'match',
        'u32',
        '0',
        '0',
        'action',
        'police',
        'rate',
        '1mbit',
        'burst',
        '10k',
        'drop',
      ]));
    const vxlan = await ok('ip', [
      ...n,
      'link',
      'add',
      'cv',
      'type',
      'vxlan',
      'id',
      '1',
      'local',
      '169.254.0.1',
      'remote',
      '169.254.0.2',
      'dstport',
      '4789',
    ]);
    const bridge = await ok('ip', [...n, 'link', 'add', 'name', 'cb', 'type', 'bridge']);
    // OVS meters: the userspace (netdev) datapath every fabric bridge uses implements them, so they
    // exist whenever ovs-vswitchd runs.
    const ovsMeters = livePid('ovs-vswitchd') !== null;
    return { netem, tbf, htb, police, vxlan, bridge, ovsMeters, node: process.execPath };
  } finally {
    await tryRun('ip', ['netns', 'delete', ns]);
  }
}

/** /proc/<pid>/stat field 22 (start time in clock ticks since boot), or null when gone. */
export function processStart(pid: number): string | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

const alive = (pid: number, start: string): boolean => processStart(pid) === start;

export const realImpair: ImpairHostOps = {
  capabilities() {
    cached ??= probeCaps().catch((e: unknown) => {
      cached = null;
      throw e;
    });
    return cached;
  },
  async moveLink(from: Ns, ifname: string, to: Ns, newName: string) {
    const dest = to === null ? '1' : guardNetns(to);
    await run('ip', [
      ...nsArgs(from),
      'link',
      'set',
      'dev',
      guardIfname(ifname),
      'netns',
      dest,
      'name',
      guardIfname(newName),
    ]);
  },
  async addHubBridge(netns: Ns, ifname: string, ports: readonly string[]) {
    // ageing 0: nothing is learnt, every frame goes to the other port (a hub of two ports, like the
    // wire it stands for); group_fwd_mask lets most link-local groups through too.
    const dev = guardIfname(ifname);
    await run('ip', [
      ...nsArgs(netns),
      'link',
      'add',
      'name',
      dev,
      'type',
      'bridge',
      'ageing_time',
      '0',
      'group_fwd_mask',
      '0xfff8',
      'stp_state',
      '0',
    ]);
    for (const p of ports) await run('ip', [...nsArgs(netns), 'link', 'set', 'dev', guardIfname(p), 'master', dev]);
  },
  spawnDetached(argv: Argv, logFile: string) {
    const fd = openSync(logFile, 'a');
    try {
      const child = spawn(argv.file, argv.args, { stdio: ['ignore', fd, fd], detached: true, shell: false });
      child.unref();
      if (child.pid === undefined) throw new Error(`could not start ${argv.file}`);
      const start = processStart(child.pid);
      return { pid: child.pid, start: start ?? '' };
    } finally {
      closeSync(fd);
    }
  },
  isAlive: alive,
  async stop(pid: number, start: string, timeoutMs = 3000) {
    if (!alive(pid, start)) return false;
    process.kill(pid, 'SIGTERM');
    const end = Date.now() + timeoutMs;
    while (Date.now() < end && alive(pid, start)) await new Promise((r) => setTimeout(r, 20));
    if (alive(pid, start)) process.kill(pid, 'SIGKILL');
    return true;
  },
};
