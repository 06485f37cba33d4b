// Who must reach whom, from the intent alone (fabric.yml as written, never the tag plan): every
// ordered pair of one tenant's systems in the same own VLAN and the same IPv4 subnet. The probe
// sends ping, arping and UDP with sequence numbers along each pair and records the answers; the
// reach suite and the delivery check compare those records and the captures with this list, so a
// plan that forgets a datacenter cannot shrink what is asked of the fabric.
import { networkOf, parseCidr } from '../topology/ip.js';
import type { LabModel } from '../topology/model.js';

export interface IntentSystem {
  tenant: string;
  site: string;
  system: string;
  vlan: number;
  /** Address without prefix. */
  ip: string;
  /** `network/prefix` of its address. */
  subnet: string;
  mac?: string;
  /** The endpoint node the resolver names after it (tenant-site-system). */
  node: string;
}

export interface IntentPair {
  tenant: string;
  from: IntentSystem;
  to: IntentSystem;
}

/** Every system declared in the intent, in document order. */
export function intentSystems(model: LabModel): IntentSystem[] {
  const out: IntentSystem[] = [];
  for (const [tenant, t] of Object.entries(model.intent.tenants)) {
    for (const s of t.sites) {
      for (const y of s.systems) {
        const c = parseCidr(y.ip);
        out.push({
          tenant,
          site: s.name,
          system: y.name,
          vlan: y.vlan,
          ip: y.ip.split('/')[0],
          subnet: c ? `${networkOf(c)}/${c.prefix}` : y.ip,
          mac: y.mac?.toLowerCase(),
          node: `${tenant}-${s.name}-${y.name}`,
        });
      }
    }
  }
  return out;
}

/** Same tenant, same own VLAN: the systems a flood of `x` must reach. */
export const sameIntentDomain = (x: IntentSystem, y: IntentSystem): boolean =>
  x.tenant === y.tenant && x.vlan === y.vlan && x.node !== y.node;

/** Every ordered pair that must answer each other: same tenant, own VLAN and subnet. */
export function intentPairs(model: LabModel): IntentPair[] {
  const sys = intentSystems(model);
  return sys.flatMap((a) =>
    sys
      .filter((b) => sameIntentDomain(a, b) && a.subnet === b.subnet)
      .map((b) => ({ tenant: a.tenant, from: a, to: b })),
  );
}

/**
 * Systems the probe can act from: endpoint nodes (a namespace with the system's stack). Systems
 * that run inside a guest (a hosted site's VMs) are reached by frames only and are listed apart.
 */
export function probeable(model: LabModel, s: IntentSystem): boolean {
  return model.nodes.some((n) => n.name === s.node && n.role === 'endpoint');
}
