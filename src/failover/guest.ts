// Shell lines run inside a virtual hypervisor (through the agent, docs/vm.md), and the `ip` batch
// of the physical hypervisor's bridge device, following seed 000 FIG. 5: customer VM (a network
// namespace) → veth → Linux bridge br<V> (the nested vSwitch) → vx<V> (VXLAN on the guest's VTEP)
// → eth0.4000 (dot1q transport VLAN) → tap → physical hypervisor bridge → bridge device (VTEP:
// VXLAN off, own VLAN V on) → DC switch. Pure string builders, unit-tested; every value is validated.
import { FabricError } from '../errors/fabric-error.js';
import { VTEP } from '../topology/hypervisors.js';
import type { SystemDef } from './layout.js';
import { isMac } from '../names/index.js';

const NAME = /^[a-z][a-z0-9-]{0,14}$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

/** Refuses a customer VM definition whose values could break a command line. */
export function checkSystem(s: SystemDef): void {
  if (
    !NAME.test(s.name) ||
    !isMac(s.mac) ||
    !CIDR.test(s.ip) ||
    !Number.isInteger(s.vlan) ||
    s.vlan < 1 ||
    s.vlan > 4094
  ) {
    throw new FabricError('E_FAILOVER_MODEL', `customer VM definition refused: ${JSON.stringify(s)}`);
  }
}

/** One VXLAN segment: a site's own VLAN and its VNI. */
export interface Segment {
  vlan: number;
  vni: number;
}

function checkSegments(segs: Segment[], mtu: number): Segment[] {
  if (!Number.isInteger(mtu) || mtu < 1280 || mtu > 9216) throw new FabricError('E_FAILOVER_MODEL', `bad MTU ${mtu}`);
  for (const g of segs) {
    if (!Number.isInteger(g.vlan) || g.vlan < 1 || g.vlan > 4094)
      throw new FabricError('E_FAILOVER_MODEL', `bad VLAN ${g.vlan}`);
    if (!Number.isInteger(g.vni) || g.vni < 1 || g.vni > 0xffffff)
      throw new FabricError('E_FAILOVER_MODEL', `bad VNI ${g.vni}`);
  }
  return [...new Map(segs.map((g) => [g.vlan, g])).values()].sort((a, b) => a.vlan - b.vlan);
}

/**
 * The nested vSwitch with the guest's VTEP: the NIC at the transport MTU, eth0.4000 with the
 * VTEP address, and per own VLAN a VXLAN device (UDP 4789 to the bridge device) in bridge br<V>.
 * The NIC is promiscuous: QEMU 7.2's virtio-net dropped every VLAN 4000 frame in its receive
 * filter after migrating a paused guest (an evacuated mirror activated on C2 received nothing);
 * promiscuous mode skips that filter. The hypervisor port carries VLAN 4000 only. Idempotent.
 */
export function vswitchScript(segs: Segment[], mtu: number): string {
  const t = `eth0.${VTEP.vlan}`;
  const lines = [
    `ip link set eth0 mtu ${mtu} promisc on`,
    `{ ip link show ${t} >/dev/null 2>&1 || ip link add link eth0 name ${t} type vlan id ${VTEP.vlan}; }`,
    `ip addr replace ${VTEP.guestIp}/${VTEP.prefix} dev ${t}`,
    `ip link set ${t} up`,
  ];
  for (const g of checkSegments(segs, mtu)) {
    lines.push(
      `{ ip link show vx${g.vlan} >/dev/null 2>&1 || ip link add vx${g.vlan} type vxlan id ${g.vni} local ${VTEP.guestIp} remote ${VTEP.gatewayIp} dstport ${VTEP.dstport} dev ${t}; }`,
      `{ ip link show br${g.vlan} >/dev/null 2>&1 || ip link add br${g.vlan} type bridge; }`,
      `ip link set vx${g.vlan} master br${g.vlan}`,
      `ip link set vx${g.vlan} up`,
      `ip link set br${g.vlan} up`,
    );
  }
  return lines.join(' && ');
}

/**
 * `ip -batch` lines for a physical hypervisor's bridge device (seed 000 FIG. 1). eth1 faces the
 * hypervisor bridge's transport access port (VTEP address, untagged), eth2.. its access ports of
 * the own VLANs in order; per segment a VXLAN device to the guests' VTEP joined by a bridge to
 * that own VLAN's interface. (The host kernel has no 8021q: the OVS ports do the tagging.)
 */
export function gatewayBatch(segs: Segment[]): string[] {
  const out = [`link set dev eth1 address ${VTEP.gatewayMac}`, `addr add ${VTEP.gatewayIp}/${VTEP.prefix} dev eth1`];
  checkSegments(segs, 1500).forEach((g, k) => {
    out.push(
      `link add vx${g.vlan} type vxlan id ${g.vni} local ${VTEP.gatewayIp} remote ${VTEP.guestIp} dstport ${VTEP.dstport} dev eth1`,
      `link add br${g.vlan} type bridge`,
      `link set vx${g.vlan} master br${g.vlan}`,
      `link set eth${2 + k} master br${g.vlan}`,
      `link set vx${g.vlan} up`,
      `link set br${g.vlan} up`,
    );
  });
  return out;
}

/** `ip -batch` lines removing what gatewayBatch made (the runtime's interfaces stay). */
export function gatewayUndoBatch(segs: Segment[]): string[] {
  const out: string[] = [];
  for (const g of checkSegments(segs, 1500)) out.push(`link del br${g.vlan}`, `link del vx${g.vlan}`);
  out.push(`addr del ${VTEP.gatewayIp}/${VTEP.prefix} dev eth1`);
  return out;
}

/** Host-side veth of customer VM i inside the guest. */
export const vethOf = (i: number): string => `cv${i}`;

/**
 * Creates (or re-creates, same IP/MAC/VLAN) the customer VMs as namespaces, IPv6 off, and
 * attaches them to their VLAN's bridge (a staged mirror too: paused, it sends nothing).
 * Idempotent: an existing namespace is kept as it is (state preserved), only re-attached.
 */
export function customerVmsScript(systems: SystemDef[]): string {
  const lines: string[] = [];
  systems.forEach((s, i) => {
    checkSystem(s);
    const ns = s.name;
    const veth = vethOf(i + 1);
    lines.push(
      `{ ip netns list | grep -qw ${ns} || { ip netns add ${ns} && ` +
        `ip netns exec ${ns} sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6' 2>/dev/null; ` +
        `ip link add ${veth} type veth peer name ${veth}p && ip link set ${veth}p netns ${ns} && ` +
        `ip -n ${ns} link set ${veth}p name eth1 && ip -n ${ns} link set eth1 address ${s.mac} && ` +
        `ip -n ${ns} addr add ${s.ip} dev eth1 && ip -n ${ns} link set lo up && ip -n ${ns} link set eth1 up; }; }`,
      `ip link set ${veth} master br${s.vlan} && ip link set ${veth} up`,
    );
  });
  return lines.join(' && ');
}

/** What the guest reports for verification: `<ns> <mac> <ip/prefix> <master or ->` per customer VM. */
export function inspectScript(systems: SystemDef[]): string {
  return systems
    .map((s, i) => {
      checkSystem(s);
      const veth = vethOf(i + 1);
      return `echo "${s.name} $(ip -n ${s.name} -o link show eth1 | sed -n 's/.*link\\/ether \\([0-9a-f:]*\\).*/\\1/p') $(ip -n ${s.name} -o -4 addr show eth1 | awk '{print $4}') $(ip -o link show ${veth} | sed -n 's/.* master \\([a-z0-9]*\\).*/\\1/p')"`;
    })
    .join('; ');
}

export interface GuestVmView {
  name: string;
  mac: string;
  ip: string;
  master: string | null;
}

export function parseInspect(out: string): GuestVmView[] {
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w.length >= 1 && w[0])
    .map((w) => ({ name: w[0]!, mac: w[1] ?? '', ip: w[2] ?? '', master: w[3] ?? null }));
}

/**
 * Announces the customer VMs after they moved (like QEMU's self-announce after migration):
 * one unsolicited ARP each, in the background so the agent answers at once.
 */
export function announceScript(systems: SystemDef[]): string {
  return systems
    .map((s) => {
      checkSystem(s);
      const ip = s.ip.split('/')[0]!;
      return `{ ip netns exec ${s.name} arping -U -c 2 -w 2 -I eth1 -s ${ip} ${ip} >/dev/null 2>&1 & }`;
    })
    .join('; ');
}

/** A customer VM's neighbour entry carried from the old copy to the new one. */
export interface NeighEntry {
  vm: string;
  ip: string;
  mac: string;
}

export const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;

/** Lines `<vm> <ip> <mac>` of every resolved IPv4 neighbour of each customer VM. */
export function neighScript(systems: SystemDef[]): string {
  return systems
    .map((s) => {
      checkSystem(s);
      return `ip -n ${s.name} -4 neigh show dev eth1 | awk '$2 == "lladdr" {print "${s.name}", $1, $3}'`;
    })
    .join('; ');
}

export function parseNeigh(out: string, systems: SystemDef[]): NeighEntry[] {
  const names = new Set(systems.map((s) => s.name));
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w.length === 3 && names.has(w[0]!) && IPV4.test(w[1]!) && isMac(w[2]!.toLowerCase()))
    .map((w) => ({ vm: w[0]!, ip: w[1]!, mac: w[2]!.toLowerCase() }));
}

/** Installs carried entries as STALE (the kernel re-confirms them on use, nothing is pinned). */
export function restoreNeighScript(systems: SystemDef[], entries: NeighEntry[]): string {
  const names = new Set(systems.map((s) => s.name));
  const lines = entries.map((e) => {
    if (!names.has(e.vm) || !IPV4.test(e.ip) || !isMac(e.mac))
      throw new FabricError('E_FAILOVER_MODEL', `neighbour entry refused: ${JSON.stringify(e)}`);
    return `ip -n ${e.vm} neigh replace ${e.ip} lladdr ${e.mac} dev eth1 nud stale`;
  });
  return lines.length ? lines.join(' && ') : 'true';
}
