// Where an OVS bridge is reached when it does not belong to this machine's own ovs-vswitchd: a
// lab split over emulated hosts gives every host its own ovsdb-server and ovs-vswitchd, and each
// bridge a passive OpenFlow listener on its host's management address. The lab state registers
// its bridges here once, so every caller keeps naming bridges and the adapter alone decides how
// ovs-ofctl and ovs-vsctl reach them (over TCP from the management namespace, at the host's
// database).
import { guardNetns, guardOvsName } from './guard.js';

export interface OvsSite {
  bridge: string;
  /** The emulated host's namespace (its ports and daemons live there). */
  netns: string;
  /** The host's OVS database socket (`unix:<dir>/db.sock`). */
  db: string;
  /** The switch's OpenFlow listener as ovs-ofctl names it (`tcp:<mgmt>:<port>`). */
  connect: string;
  /** The namespace on the lab's management network that ovs-ofctl runs in. */
  client: string;
  /** The host ovs-vswitchd's control socket (ovs-appctl -t). */
  ctl: string;
}

const sites = new Map<string, OvsSite>();

/** Registers (or replaces) where bridges are reached; names are checked before any command sees them. */
export function useOvsSites(list: readonly OvsSite[]): void {
  for (const s of list) {
    guardOvsName(s.bridge);
    guardNetns(s.netns);
    guardNetns(s.client);
    sites.set(s.bridge, s);
  }
}

/** Forgets the given bridges (a lab that went down). */
export function dropOvsSites(bridges: readonly string[]): void {
  for (const b of bridges) sites.delete(b);
}

export function ovsSite(bridge: string): OvsSite | undefined {
  return sites.get(bridge);
}

/** Every other database the registered bridges live in (each once). */
export function siteDbs(): string[] {
  return [...new Set([...sites.values()].map((s) => s.db))];
}

/** argv of ovs-ofctl for one bridge: `words` with the bridge replaced by where it is reached. */
export function ofctlArgv(bridge: string, words: (target: string) => string[]): { file: string; args: string[] } {
  const s = sites.get(bridge);
  if (!s) return { file: 'ovs-ofctl', args: words(guardOvsName(bridge)) };
  return { file: 'ip', args: ['netns', 'exec', s.client, 'ovs-ofctl', ...words(s.connect)] };
}
