// Everything a lab runs besides its namespaces and bridges: the QEMU guests of its virtual
// hypervisors (pool guests and migration targets included), their taps, the host stacks of
// traditional hypervisors, and tcpdump of unfinished capture runs. Found from fabric's own records
// (failover state, the run directories under the lab's failover folder, capture run states) and
// stopped by PID only after checking the process is ours (a QEMU whose argv names our pidfile, a
// tcpdump whose start time matches the one recorded), never by a name pattern.
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { activeRuns, stopRun } from '../capture/index.js';
import { failoverDir, readFailoverState } from '../failover/index.js';
import { teardownFailover } from '../failover/index.js';
import { hostNet, type LinkInfo } from '../hostnet/index.js';
import { labAlias, portName } from '../names/index.js';
import { netnsName, readState } from '../runtime/index.js';
import type { LabModel } from '../topology/model.js';
import { runDirPid, stopRunDir } from '../vm/index.js';
import { qemuUnder, stopOrphans } from './orphans.js';

/** What was stopped besides the runtime's objects. */
export interface GuestReport {
  lab: string;
  /** QEMU run directories whose process was stopped (by PID). */
  qemu: string[];
  taps: string[];
  captures: string[];
  /** Run directories removed. */
  runDirs: string[];
  /** Processes that were still running inside the lab's namespaces (pings, probes, shells). */
  inNetns: number[];
  /** QEMU processes still alive after the stop (by pidfile). */
  leftover: string[];
}

/** The lab's folder of QEMU run directories (`<failover dir>/<lab>/<vm>.<gen>`). */
export function guestRoot(lab: string): string {
  return join(failoverDir(), lab);
}

function runDirsOf(lab: string): string[] {
  const root = guestRoot(lab);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(root, d.name));
}

/**
 * Root interfaces that may be taps of the lab's guests: the hypervisor bridges' interfaces in the
 * model, any port name such a bridge can get (a migration target's tap is in the model only once
 * the move is committed), and whatever carries the lab's marker. Only taps are deleted from these.
 */
function tapCandidates(lab: string, model: LabModel | undefined, present: LinkInfo[]): string[] {
  const hvs = model?.nodes.filter((n) => n.role === 'hypervisor') ?? [];
  const prefixes = hvs.map((n) => portName(lab, n.name, 1).slice(0, -1));
  const named = new Set(hvs.flatMap((n) => n.interfaces.map((i) => i.name)));
  return present
    .filter(
      (l) =>
        named.has(l.ifname) ||
        l.alias === labAlias(lab) ||
        prefixes.some((p) => l.ifname.startsWith(p) && /^\d+$/.test(l.ifname.slice(p.length))),
    )
    .map((l) => l.ifname);
}

/** Labs with QEMU records (failover state or run directories), for `down --all`. */
export function labsWithGuests(): string[] {
  const dir = failoverDir();
  // A guest whose records are all gone still names its run directory on its command line.
  const labs = new Set<string>(qemuUnder(dir).map((q) => q.lab));
  if (!existsSync(dir)) return [...labs].sort();
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (d.isDirectory()) labs.add(d.name);
    else if (d.name.endsWith('.json') || d.name.endsWith('.lock')) labs.add(d.name.replace(/\.(json|lock)$/, ''));
  }
  return [...labs].filter((l) => /^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(l)).sort();
}

/**
 * Kills what still runs inside the lab's namespaces (a killed verb's ping or probe, found as
 * `ip netns pids` does: the process's net namespace is the namespace's inode). A namespace with a
 * process in it outlives `ip netns delete`, and so do its veths: down would never settle.
 */
function killInNamespaces(lab: string, model: LabModel | undefined): number[] {
  if (!model || !existsSync('/run/netns')) return [];
  const mine = model.nodes.map((n) => netnsName(lab, n.name));
  const inodes = new Set<number>();
  for (const ns of readdirSync('/run/netns'))
    if (mine.some((m) => ns === m || ns.startsWith(`${m}-`)))
      try {
        inodes.add(statSync(join('/run/netns', ns)).ino);
      } catch {
        /* gone meanwhile */
      }
  const killed: number[] = [];
  if (!inodes.size) return killed;
  for (const pid of readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)) {
    if (pid === process.pid) continue;
    try {
      const ino = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1];
      if (ino && inodes.has(Number(ino))) {
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
      }
    } catch {
      /* exited, or not ours to read */
    }
  }
  return killed;
}

/** A failover lock left by a killed verb (its holder is gone) goes with the lab; a live one stays. */
function dropStaleLock(lab: string): void {
  const file = join(failoverDir(), `${lab}.lock`);
  let pid = 0;
  try {
    pid = Number((JSON.parse(readFileSync(file, 'utf8')) as { pid?: number }).pid ?? 0);
  } catch {
    if (!existsSync(file)) return;
  }
  try {
    if (pid > 1) {
      process.kill(pid, 0);
      return;
    }
  } catch {
    /* its holder is gone */
  }
  rmSync(file, { force: true });
}

async function stopCaptures(lab: string): Promise<string[]> {
  const out: string[] = [];
  for (const r of await activeRuns(lab).catch(() => [])) {
    await stopRun(r.dir, { graceMs: 2000 }).catch(() => undefined);
    out.push(r.runId);
  }
  return out;
}

/**
 * Stops the lab's guests, host stacks and captures, deletes its taps and QEMU run directories.
 * Safe after a crash at any point: what the failover state does not list yet is found from the
 * run directories and the model's hypervisor interfaces.
 */
export async function stopLabGuests(lab: string): Promise<GuestReport> {
  const rep: GuestReport = { lab, qemu: [], taps: [], captures: [], runDirs: [], inNetns: [], leftover: [] };
  rep.captures = await stopCaptures(lab);
  const fs = readFailoverState(lab);
  for (const g of Object.values(fs?.guests ?? {})) if (runDirPid(g.spec.runDir)) rep.qemu.push(g.spec.runDir);
  // Host stacks, gateways, the model's placement, and the recorded guests with their taps.
  if (fs) await teardownFailover(lab).catch(() => undefined);
  for (const dir of runDirsOf(lab)) {
    if (await stopRunDir(dir).catch(() => false)) rep.qemu.push(dir);
    if (runDirPid(dir)) rep.leftover.push(dir);
    else {
      rmSync(dir, { recursive: true, force: true });
      rep.runDirs.push(dir);
    }
  }
  // Guests no run directory names any more (removed while QEMU ran): found by their argv.
  const orphans = qemuUnder(failoverDir(), lab).filter((q) => !rep.leftover.includes(q.runDir));
  const stuck = await stopOrphans(orphans, failoverDir());
  rep.qemu.push(...orphans.map((q) => q.runDir));
  rep.leftover.push(...stuck.map((q) => q.runDir));
  if (!rep.leftover.length) rmSync(guestRoot(lab), { recursive: true, force: true });
  const net = hostNet();
  const present = await net.ip.links(null).catch(() => []);
  const model = readState(lab)?.model;
  for (const name of tapCandidates(lab, model, present)) {
    // Deletes only a tap: a veth of the same name is the runtime's and `tuntap del` refuses it.
    // Then its port record, which OVSDB keeps after the device is gone.
    if (!(await net.tap.delete(name).catch(() => false))) continue;
    await net.ovs.delPort(null, name).catch(() => undefined);
    rep.taps.push(name);
  }
  dropStaleLock(lab);
  rep.inNetns = killInNamespaces(lab, model);
  rep.qemu = [...new Set(rep.qemu)];
  return rep;
}
