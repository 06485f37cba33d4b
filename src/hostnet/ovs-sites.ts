// Where an OVS bridge is reached when it does not belong to this machine's own ovs-vswitchd: a
// lab split over emulated hosts gives every host its own ovsdb-server and ovs-vswitchd, and each
// bridge a passive OpenFlow listener on its host's management address. The lab state registers
// its bridges here once, so every caller keeps naming bridges and the adapter alone decides how
// ovs-ofctl and ovs-vsctl reach them (over TCP from the management namespace, at the host's
// database).
import { isAbsolute } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import { guardIfname, guardNetns, guardOvsName } from './guard.js';

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
  /** The bridge's port names (its veth ends, stitched VXLAN devices, guest taps): they live in `netns`. */
  ports?: readonly string[];
}

/**
 * A switch on another machine, reached from this one over OpenFlow alone (this machine sits on
 * the lab's management network): no database, no namespace, only its listener, and with `ssl:`
 * the controller's key, certificate and the lab CA that ovs-ofctl presents and checks.
 */
export interface RemoteSwitch {
  bridge: string;
  /** `tcp:<ipv4>:<port>` or `ssl:<ipv4>:<port>`; for a switch in a container, its bridge name. */
  connect: string;
  ssl?: { privateKey: string; certificate: string; caCert: string };
  /** A container of this machine's docker running its own ovs-vswitchd: ovs-ofctl runs in it. */
  container?: string;
}

const CONTAINER = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const CONNECT = /^(tcp|ssl):(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/;

const sites = new Map<string, OvsSite>();
const CTL = /^\/run\/[A-Za-z0-9_./-]{1,100}\.ctl$/;
const remotes = new Map<string, RemoteSwitch>();
const ports = new Map<string, OvsSite>();

function guardConnect(r: RemoteSwitch): void {
  if (r.container !== undefined) {
    if (!CONTAINER.test(r.container) || r.connect !== r.bridge || r.ssl)
      throw new FabricError('E_BAD_NAME', `refusing container ${JSON.stringify(r.container)} for ${r.bridge}`, {
        hint: 'a switch in a container is reached by its container name and its own bridge name',
      });
    return;
  }
  const m = CONNECT.exec(r.connect);
  const port = m ? Number(m[3]) : 0;
  const octets = m ? m[2]!.split('.').map(Number) : [];
  if (!m || port < 1 || port > 65535 || octets.some((o) => o > 255) || (m[1] === 'ssl') !== !!r.ssl)
    throw new FabricError('E_BAD_NAME', `refusing OpenFlow target ${JSON.stringify(r.connect)} for ${r.bridge}`, {
      hint: 'a remote switch is reached at tcp:<ipv4>:<port>, or ssl:<ipv4>:<port> with the lab PKI',
    });
  for (const f of Object.values(r.ssl ?? {}))
    if (!isAbsolute(f) || f.includes('\0'))
      throw new FabricError('E_BAD_NAME', `refusing PKI file ${JSON.stringify(f)}`, { hint: 'give absolute paths' });
}

/** Registers switches reached over OpenFlow from this machine; they win over local bridges. */
export function useRemoteSwitches(list: readonly RemoteSwitch[]): void {
  for (const r of list) {
    guardOvsName(r.bridge);
    guardConnect(r);
    remotes.set(r.bridge, r);
  }
}

export function remoteSwitches(): RemoteSwitch[] {
  return [...remotes.values()];
}

/** Registers (or replaces) where bridges are reached; names are checked before any command sees them. */
export function useOvsSites(list: readonly OvsSite[]): void {
  for (const s of list) {
    guardOvsName(s.bridge);
    guardNetns(s.netns);
    guardNetns(s.client);
    if (!CTL.test(s.ctl) || s.ctl.includes('..'))
      throw new FabricError('E_BAD_NAME', `refusing OVS control socket ${JSON.stringify(s.ctl)}`, {
        hint: "an emulated host's sockets live in its folder under /run",
      });
    sites.set(s.bridge, s);
    for (const p of s.ports ?? []) ports.set(guardIfname(p), s);
  }
}

/** A port added to a registered bridge (a migration target's tap before the model names it). */
export function notePort(bridge: string, port: string): void {
  const s = sites.get(bridge);
  if (s) ports.set(guardIfname(port), s);
}

/** Forgets the given bridges (a lab that went down). */
export function dropOvsSites(bridges: readonly string[]): void {
  for (const b of bridges) {
    sites.delete(b);
    remotes.delete(b);
  }
  for (const [p, s] of ports) if (bridges.includes(s.bridge)) ports.delete(p);
}

export function ovsSite(bridge: string): OvsSite | undefined {
  return sites.get(bridge);
}

/** True when ovs-ofctl for the bridge runs inside a container (files of this machine are not there). */
export function inContainer(bridge: string): boolean {
  return remotes.get(bridge)?.container !== undefined;
}

/** True when the bridge is not in this machine's own ovs-vswitchd. */
export function isElsewhere(bridge: string): boolean {
  return sites.has(bridge) || remotes.has(bridge);
}

/** The site of the bridge a port belongs to, when that bridge is not this machine's. */
export function portSite(port: string): OvsSite | undefined {
  return ports.get(port);
}

/** The namespace a bridge's ports live in: its emulated host's, or null (this machine's root). */
export function bridgeNetns(bridge: string): string | null {
  return sites.get(bridge)?.netns ?? null;
}

/** The namespace a bridge port lives in: its emulated host's, or null (this machine's root). */
export function portNetns(port: string): string | null {
  return ports.get(port)?.netns ?? null;
}

/** Every other database the registered bridges live in (each once). */
export function siteDbs(): string[] {
  return [...new Set([...sites.values()].map((s) => s.db))];
}

/** argv of ovs-ofctl for one bridge: `words` with the bridge replaced by where it is reached. */
export function ofctlArgv(bridge: string, words: (target: string) => string[]): { file: string; args: string[] } {
  const r = remotes.get(bridge);
  if (r?.container) return { file: 'docker', args: ['exec', '-i', r.container, 'ovs-ofctl', ...words(r.connect)] };
  if (r) {
    const ssl = r.ssl
      ? [`--private-key=${r.ssl.privateKey}`, `--certificate=${r.ssl.certificate}`, `--ca-cert=${r.ssl.caCert}`]
      : [];
    return { file: 'ovs-ofctl', args: [...ssl, ...words(r.connect)] };
  }
  const s = sites.get(bridge);
  if (!s) return { file: 'ovs-ofctl', args: words(guardOvsName(bridge)) };
  return { file: 'ip', args: ['netns', 'exec', s.client, 'ovs-ofctl', ...words(s.connect)] };
}

/**
 * argv of ovs-appctl: a command about a registered bridge (`bridge`, or a bridge named among its
 * arguments, as in `fdb/flush <bridge>` or `bridge/dump-flows <bridge>`) goes to that bridge's
 * host ovs-vswitchd (`-t <ctl>`); anything else to this machine's. An explicit `-t` is kept.
 */
export function appctlArgv(args: readonly string[], bridge?: string): string[] {
  if (args.some((a) => a === '-t' || a.startsWith('--target'))) return [...args];
  const far = [bridge, ...args].find((b) => b !== undefined && remotes.has(b));
  if (far)
    throw new FabricError('E_USAGE', `ovs-appctl cannot reach ${far}: it runs on another machine`, {
      hint: 'run ovs-appctl on the host that runs the switch',
    });
  const named = bridge !== undefined ? [bridge] : args.filter((a) => sites.has(a));
  const ctls = [...new Set(named.flatMap((b) => sites.get(b)?.ctl ?? []))];
  if (ctls.length > 1)
    throw new FabricError('E_USAGE', `ovs-appctl ${args.join(' ')}: names bridges of different emulated hosts`, {
      hint: 'ask each host about its own bridges',
    });
  return ctls.length ? ['-t', ctls[0]!, ...args] : [...args];
}
