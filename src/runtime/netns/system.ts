// What the machine has right now (namespaces, root interfaces, OVS bridges with their lab
// markers), read through the host-networking adapter. Every reader is one process spawn.
import { hostNet } from '../../hostnet/index.js';
import { LAB_KEY } from '../../names/index.js';

export { PARALLEL } from '../../hostnet/index.js';

export interface Snapshot {
  netns: Set<string>;
  /** Root-namespace interfaces → ifalias (our lab marker is `fabric-lab=<lab>`). */
  rootLinks: Map<string, string | undefined>;
  /** OVS bridges → value of external_ids:fabric-lab (undefined: not a fabric bridge). */
  bridges: Map<string, string | undefined>;
}

export async function listNetns(): Promise<Set<string>> {
  return hostNet().ip.listNetns();
}

export async function listRootLinks(): Promise<Map<string, string | undefined>> {
  return new Map((await hostNet().ip.links(null)).map((l) => [l.ifname, l.alias]));
}

export async function listOvsBridges(): Promise<Map<string, string | undefined>> {
  return new Map([...(await hostNet().ovs.bridges())].map(([name, ids]) => [name, ids[LAB_KEY]]));
}

/** `ovs: false` leaves this machine's OVS unasked (a split lab's bridges are all in its hosts). */
export async function snapshot(opts: { ovs?: boolean } = {}): Promise<Snapshot> {
  const [netns, rootLinks, bridges] = await Promise.all([
    listNetns(),
    listRootLinks(),
    opts.ovs === false ? new Map<string, string | undefined>() : listOvsBridges(),
  ]);
  return { netns, rootLinks, bridges };
}
