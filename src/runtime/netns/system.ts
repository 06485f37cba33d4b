// What the machine has right now (namespaces, root interfaces, OVS bridges with their lab
// markers), and the batched runners the netns runtime uses. Every reader is one process spawn.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { run, tryRun } from '../../hostnet/exec.js';
import { LAB_KEY } from '../names.js';

export interface Snapshot {
  netns: Set<string>;
  /** Root-namespace interfaces → ifalias (our lab marker is `fabric-lab=<lab>`). */
  rootLinks: Map<string, string | undefined>;
  /** OVS bridges → value of external_ids:fabric-lab (undefined: not a fabric bridge). */
  bridges: Map<string, string | undefined>;
}

// Fan-out width: the small commands mostly wait on the kernel (rtnl, namespace switches), not on
// CPU, so run several per core (measured on 2 cores: 16 wide beat 4 wide by 1.7x when idle, but
// wide fan-outs starve ovs-vswitchd under load; 4 per core is the compromise).
export const PARALLEL = Math.max(8, Math.min(32, cpus().length * 4));

export async function listNetns(): Promise<Set<string>> {
  const r = await run('ip', ['-j', 'netns', 'list']);
  const text = r.stdout.trim();
  if (!text) return new Set();
  return new Set((JSON.parse(text) as { name: string }[]).map((n) => n.name));
}

interface IpLink {
  ifname: string;
  ifalias?: string;
}

export async function listRootLinks(): Promise<Map<string, string | undefined>> {
  const r = await run('ip', ['-j', 'link', 'show']);
  const text = r.stdout.trim();
  const links = text ? (JSON.parse(text) as IpLink[]) : [];
  return new Map(links.map((l) => [l.ifname, l.ifalias]));
}

/** Parses `ovs-vsctl --format=json` map cells: ["map", [[k, v], ...]]. */
export function ovsMap(cell: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(cell) && cell[0] === 'map' && Array.isArray(cell[1])) {
    for (const kv of cell[1] as unknown[]) if (Array.isArray(kv)) out[String(kv[0])] = String(kv[1]);
  }
  return out;
}

export async function listOvsBridges(): Promise<Map<string, string | undefined>> {
  const r = await run('ovs-vsctl', ['--timeout=30', '--format=json', '--columns=name,external_ids', 'list', 'Bridge']);
  const doc = JSON.parse(r.stdout) as { data: [string, unknown][] };
  return new Map(doc.data.map(([name, ids]) => [String(name), ovsMap(ids)[LAB_KEY]]));
}

export async function snapshot(): Promise<Snapshot> {
  const [netns, rootLinks, bridges] = await Promise.all([listNetns(), listRootLinks(), listOvsBridges()]);
  return { netns, rootLinks, bridges };
}

/**
 * Interfaces inside every namespace on the machine (one `ip -all netns exec`, read-only),
 * keyed by namespace: interface name → ifalias. Used by re-deploys and `down --all`.
 */
export async function listAllNsLinks(): Promise<Map<string, Map<string, string | undefined>>> {
  const r = await tryRun('ip', ['-all', 'netns', 'exec', 'ip', '-j', 'link', 'show']);
  return parseAllNsLinks(r.stdout);
}

export function parseAllNsLinks(text: string): Map<string, Map<string, string | undefined>> {
  const out = new Map<string, Map<string, string | undefined>>();
  for (const block of ('\n' + text).split('\nnetns: ').slice(1)) {
    const nl = block.indexOf('\n');
    const name = (nl < 0 ? block : block.slice(0, nl)).trim();
    const json = nl < 0 ? '' : block.slice(nl + 1).trim();
    const links = new Map<string, string | undefined>();
    if (json.startsWith('[')) {
      try {
        for (const l of JSON.parse(json) as IpLink[]) links.set(l.ifname, l.ifalias);
      } catch {
        /* a namespace that vanished mid-listing: treat as empty */
      }
    }
    out.set(name, links);
  }
  return out;
}

/**
 * `ip -batch -` with the given lines (no-op when empty). `force` runs every line even after a
 * failure and does not throw (teardown: an object may already be gone; callers verify by polling).
 */
export async function ipBatch(lines: string[], opts: { force?: boolean; timeout?: number } = {}): Promise<void> {
  if (!lines.length) return;
  const input = lines.join('\n') + '\n';
  const timeout = opts.timeout ?? 600_000;
  if (opts.force) await tryRun('ip', ['-force', '-batch', '-'], { input, timeout });
  else await run('ip', ['-batch', '-'], { input, timeout });
}

/**
 * One process fans out many small commands: `xargs -P <n> -L 1 <prefix...>` reading one argument
 * line per command. Lines hold only validated names (no quotes, no blanks at the end), so xargs'
 * word splitting is exact. Much cheaper than a Node spawn per command.
 */
export async function xargsRun(
  prefix: string[],
  lines: string[],
  opts: { parallel?: number; timeout?: number; tolerate?: boolean } = {},
): Promise<void> {
  if (!lines.length) return;
  const args = ['-r', '-P', String(opts.parallel ?? PARALLEL), '-L', '1', ...prefix];
  const input = lines.map((l) => l.trim()).join('\n') + '\n';
  if (opts.tolerate) await tryRun('xargs', args, { input, timeout: opts.timeout ?? 600_000 });
  else await run('xargs', args, { input, timeout: opts.timeout ?? 600_000 });
}

export function nsPath(ns: string): string {
  return `/run/netns/${ns}`;
}

/** Turns IPv6 off on root-namespace interfaces by writing their sysctl files directly. */
export function disableIpv6Root(ifnames: string[]): void {
  for (const i of ifnames) {
    try {
      writeFileSync(`/proc/sys/net/ipv6/conf/${i}/disable_ipv6`, '1');
    } catch {
      /* no IPv6 on this kernel/interface: nothing to disable */
    }
  }
}
