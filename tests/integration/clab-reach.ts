// Reach outside the fabric: for a lab deployed from a containerlab file, every interface of a
// tenant node that is not one of the file's links is outside the fabric (a management eth0, for
// instance). Each tenant node pings every address such interfaces of other tenants' nodes carry;
// an answer is a path around the fabric, which would void the isolation proof.
import { hostNet } from '../../src/hostnet/index.js';
import { netnsName } from '../../src/names/index.js';
import type { ClabFile } from '../../src/runtime/clabfile/parse.js';

export interface OffFabric {
  /** Interfaces of tenant nodes that are not file links: `node:ifname`. */
  interfaces: string[];
  /** Answered pings between nodes of different tenants: `from -> to (address)`. */
  reached: string[];
  pings: number;
}

export async function offFabricReach(f: ClabFile, maxReached = 5): Promise<OffFabric> {
  const h = hostNet();
  const tenants = [...f.nodes.values()].filter((n) => n.kind === 'linux' && n.labels['fabric.tenant']);
  const fabricIfs = new Set(f.links.flatMap((l) => [`${l.a.node}:${l.a.ifname}`, `${l.b.node}:${l.b.ifname}`]));
  const outside = new Map<string, string[]>(); // node -> IPv4 addresses on interfaces outside the fabric
  const interfaces: string[] = [];
  for (const n of tenants) {
    const ns = netnsName(f.lab, n.name);
    const addrs: string[] = [];
    for (const l of await h.ip.links(ns)) {
      if (l.ifname === 'lo' || fabricIfs.has(`${n.name}:${l.ifname}`)) continue;
      interfaces.push(`${n.name}:${l.ifname}`);
      addrs.push(...(await h.ip.addresses(ns, l.ifname, 4)).map((a) => a.split('/')[0]!));
    }
    outside.set(n.name, addrs);
  }
  const reached: string[] = [];
  let pings = 0;
  for (const a of tenants)
    for (const b of tenants) {
      if (a.labels['fabric.tenant'] === b.labels['fabric.tenant']) continue;
      for (const ip of outside.get(b.name) ?? []) {
        if (reached.length >= maxReached) return { interfaces, reached, pings };
        pings++;
        const r = await h.ip.tryExec(netnsName(f.lab, a.name), ['ping', '-c', '1', '-W', '1', ip], { timeout: 5000 });
        if (r.exitCode === 0) reached.push(`${a.name} -> ${b.name} (${ip})`);
      }
    }
  return { interfaces, reached, pings };
}
