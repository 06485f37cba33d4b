// The hosts a split lab is emulated on when the user gives a hosts file (`fabric up <lab> --hosts
// hosts.yml`, the file `fabric generate --hosts` reads): the lab is placed exactly as on those
// real hosts, with their names and addresses. The emulation asks more of the file than the
// generator: every host needs its management address (the listeners bind there), its name
// becomes an interface name on the underlay and management bridges (at most 15 characters, none
// of the names those namespaces use themselves), and since each host namespace holds both
// networks as connected subnets, the two must not overlap. All problems are located, at once.
// The addresses only ever exist inside the lab's own namespaces.
import { DiagnosticBag } from '../../errors/diagnostics.js';
import type { HostsFile } from '../../scaleout/index.js';

/** Linux's IFNAMSIZ less one: a host's veth on the underlay and management bridges carries its name. */
const IFNAME_MAX = 15;
/** Names the underlay and management namespaces already use (their bridge, loopback) or the hosts' own ends. */
const RESERVED = new Set(['br', 'lo', 'ul', 'mg']);
/** The widest a subnet of the emulation gets: the common prefix of its addresses, at most this long. */
const MAX_PREFIX = 24;

const toInt = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const toDotted = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
const net = (a: number, prefix: number): number => (prefix === 0 ? 0 : (a >>> (32 - prefix)) << (32 - prefix)) >>> 0;

/** The longest prefix (at most /24) all the addresses share. */
export function commonPrefix(addresses: readonly string[]): number {
  const ints = addresses.map(toInt);
  let p = MAX_PREFIX;
  while (p > 0 && !ints.every((i) => net(i, p) === net(ints[0]!, p))) p--;
  return p;
}

export interface EmulatedNets {
  underlayPrefix: number;
  mgmtPrefix: number;
  /** The OpenFlow client on the management network: the highest free address of its subnet. */
  client: string;
}

/** The subnets and client address of an emulation of `hostsFile` (its hosts checked first). */
export function emulatedNets(hostsFile: HostsFile): EmulatedNets {
  const underlay = hostsFile.hosts.map((h) => h.address);
  const mgmt = hostsFile.hosts.map((h) => h.mgmt!);
  const underlayPrefix = commonPrefix(underlay);
  const mgmtPrefix = commonPrefix(mgmt);
  const base = net(toInt(mgmt[0]!), mgmtPrefix);
  const taken = new Set([...underlay, ...mgmt].map(toInt));
  let c = base + 2 ** (32 - mgmtPrefix) - 2;
  while (taken.has(c)) c--;
  return { underlayPrefix, mgmtPrefix, client: toDotted(c) };
}

/** Refuses (located in the file) a hosts file the emulation cannot run; the file itself otherwise. */
export function checkEmulatedHosts(hostsFile: HostsFile, maxHosts: number): HostsFile {
  const bag = new DiagnosticBag();
  const diag = hostsFile.src.diag.bind(hostsFile.src);
  const n = hostsFile.hosts.length;
  if (n < 2 || n > maxHosts)
    bag.add(
      diag(
        'E_HOSTS_FILE',
        ['hosts'],
        `${n} host(s): a lab is emulated on 2..${maxHosts} hosts`,
        'list between 2 and 8 hosts, or give a number: fabric up <lab> --hosts 2',
      ),
    );
  for (const h of hostsFile.hosts) {
    if (h.mgmt === undefined)
      bag.add(
        diag(
          'E_HOSTS_FILE',
          h.path,
          `host ${h.name} has no mgmt: address`,
          "an emulated host's OpenFlow listeners bind to its management address only: add one, e.g. mgmt: 10.99.0.1",
        ),
      );
    if (h.name.length > IFNAME_MAX || RESERVED.has(h.name))
      bag.add(
        diag(
          'E_HOSTS_FILE',
          [...h.path, 'name'],
          `host name ${h.name} cannot be emulated: it names an interface (at most ${IFNAME_MAX} characters, not ${[...RESERVED].join(', ')})`,
          'rename the host in the hosts file',
        ),
      );
  }
  if (bag.ok) {
    const ul = hostsFile.hosts.map((h) => h.address);
    const mg = hostsFile.hosts.map((h) => h.mgmt!);
    const { underlayPrefix, mgmtPrefix } = emulatedNets(hostsFile);
    const q = Math.min(underlayPrefix, mgmtPrefix);
    if (net(toInt(ul[0]!), q) === net(toInt(mg[0]!), q))
      bag.add(
        diag(
          'E_HOST_ADDRESS',
          [...hostsFile.hosts[0]!.path, 'mgmt'],
          `the management addresses (${toDotted(net(toInt(mg[0]!), mgmtPrefix))}/${mgmtPrefix}) overlap the host addresses (${toDotted(net(toInt(ul[0]!), underlayPrefix))}/${underlayPrefix})`,
          'each emulated host holds both networks: give the management addresses a subnet of their own',
        ),
      );
  }
  bag.throwIfAny('hosts');
  return hostsFile;
}
