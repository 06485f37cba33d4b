// Leftovers of a lab split over emulated hosts whose state file is gone (`fabric down --all`):
// the hosts' namespaces (`fh-<lab>-<host>`, `fh-<lab>-ul`, `fh-<lab>-mg`) and their folders under
// the hosts' run directory, where each host's OVS daemons left their pidfiles. A namespace is
// taken when its loopback carries the lab's marker, or, unmarked (a crash before the marking),
// when its name is one of the lab's and no longer known lab name claims it. Daemons are stopped
// by the PIDs of their pidfiles only when /proc names the expected program (the adapter's stopAt).
import { readdirSync, rmSync } from 'node:fs';
import { hostNet } from '../../hostnet/index.js';
import { labAlias, LAB_KEY } from '../../names/index.js';
import { HOSTS_RUN_DIR } from './split.js';

/** Every emulated host's namespace starts with this. */
export const HOST_NETNS_PREFIX = 'fh-';
const LAB = /^[a-z][a-z0-9-]*$/;
const HOST = /^[a-z][a-z0-9-]{0,19}$/;

function dirsIn(dir: string, name: RegExp): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && name.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Each lab with a folder under `root`, with its hosts' folders (names we could have written only). */
export function hostDirsOnMachine(root = HOSTS_RUN_DIR): Map<string, string[]> {
  return new Map(dirsIn(root, LAB).map((lab) => [lab, dirsIn(`${root}/${lab}`, HOST)]));
}

/** The labs whose emulated-host namespaces carry their marker, or that left a hosts' folder. */
export function splitLabsFound(
  nsLinks: ReadonlyMap<string, ReadonlyMap<string, string | undefined>>,
  hostDirs: ReadonlyMap<string, readonly string[]>,
): string[] {
  const labs = new Set(hostDirs.keys());
  const marker = `${LAB_KEY}=`;
  for (const [ns, links] of nsLinks) {
    const a = links.get('lo');
    if (ns.startsWith(HOST_NETNS_PREFIX) && a?.startsWith(marker)) labs.add(a.slice(marker.length));
  }
  return [...labs].sort();
}

/** The emulated-host namespaces of `lab` among `netns`. */
export function hostNamespacesOf(
  lab: string,
  netns: Iterable<string>,
  nsLinks: ReadonlyMap<string, ReadonlyMap<string, string | undefined>>,
  knownLabs: ReadonlySet<string>,
  hostDirs: readonly string[],
): string[] {
  const mine = labAlias(lab);
  const base = `${HOST_NETNS_PREFIX}${lab}-`;
  const out: string[] = [];
  for (const ns of netns) {
    if (!ns.startsWith(base)) continue;
    const lo = nsLinks.get(ns)?.get('lo');
    if (lo === mine) out.push(ns);
    if (lo !== undefined) continue;
    const rest = ns.slice(base.length);
    const named = rest === 'ul' || rest === 'mg' || /^h\d+$/.test(rest) || hostDirs.includes(rest);
    const longer = [...knownLabs].some(
      (o) => o !== lab && o.startsWith(`${lab}-`) && ns.startsWith(`${HOST_NETNS_PREFIX}${o}-`),
    );
    if (named && !longer) out.push(ns);
  }
  return out.sort();
}

/** Stops the OVS daemons of a lab's hosts' folders by their pidfiles; the PIDs stopped. */
export async function stopHostDirs(lab: string, hosts: readonly string[], root = HOSTS_RUN_DIR): Promise<number[]> {
  const out: number[] = [];
  for (const h of hosts) out.push(...(await hostNet().daemon.stopAt(`${root}/${lab}/${h}`)));
  return out;
}

/** Removes a lab's hosts' folder (its daemons stopped). */
export function removeHostDirs(lab: string, root = HOSTS_RUN_DIR): void {
  if (LAB.test(lab)) rmSync(`${root}/${lab}`, { recursive: true, force: true });
}
