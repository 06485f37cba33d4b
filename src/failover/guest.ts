// Shell lines run inside a virtual hypervisor (through the agent, docs/vm.md), following seed 000
// FIG. 5 as far as the thin path goes: customer VM (a network namespace) → veth → Linux bridge
// br<V> (the nested vSwitch) → eth0.<V> (dot1q VLAN on the guest NIC) → tap → physical
// hypervisor bridge → DC switch. Pure string builders, unit-tested; every value is validated.
import { FabricError } from '../errors/fabric-error.js';
import type { SystemDef } from './layout.js';

const NAME = /^[a-z][a-z0-9-]{0,14}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

function check(s: SystemDef): void {
  if (!NAME.test(s.name) || !MAC.test(s.mac) || !CIDR.test(s.ip) || !Number.isInteger(s.vlan) || s.vlan < 1 || s.vlan > 4094) {
    throw new FabricError('E_FAILOVER_MODEL', `customer VM definition refused: ${JSON.stringify(s)}`);
  }
}

/** The nested vSwitch: one dot1q sub-interface and one bridge per own VLAN. Idempotent. */
export function vswitchScript(vlans: number[]): string {
  const lines: string[] = [];
  for (const v of [...new Set(vlans)].sort((a, b) => a - b)) {
    if (!Number.isInteger(v) || v < 1 || v > 4094) throw new FabricError('E_FAILOVER_MODEL', `bad VLAN ${v}`);
    lines.push(
      `ip link show eth0.${v} >/dev/null 2>&1 || ip link add link eth0 name eth0.${v} type vlan id ${v}`,
      `ip link show br${v} >/dev/null 2>&1 || ip link add br${v} type bridge`,
      `ip link set eth0.${v} master br${v}`,
      `ip link set eth0.${v} up`,
      `ip link set br${v} up`,
    );
  }
  return lines.join(' && ');
}

/** Host-side veth of customer VM i inside the guest. */
export const vethOf = (i: number): string => `cv${i}`;

/**
 * Creates (or re-creates, same IP/MAC/VLAN) the customer VMs as namespaces, IPv6 off, and
 * attaches them to their VLAN's bridge (attach) or leaves them detached (a staged mirror).
 * Idempotent: an existing namespace is kept as it is (state preserved), only re-attached.
 */
export function customerVmsScript(systems: SystemDef[], attach: boolean): string {
  const lines: string[] = [];
  systems.forEach((s, i) => {
    check(s);
    const ns = s.name;
    const veth = vethOf(i + 1);
    lines.push(
      `{ ip netns list | grep -qw ${ns} || { ip netns add ${ns} && ` +
        `ip netns exec ${ns} sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6' 2>/dev/null; ` +
        `ip link add ${veth} type veth peer name ${veth}p && ip link set ${veth}p netns ${ns} && ` +
        `ip -n ${ns} link set ${veth}p name eth1 && ip -n ${ns} link set eth1 address ${s.mac} && ` +
        `ip -n ${ns} addr add ${s.ip} dev eth1 && ip -n ${ns} link set lo up && ip -n ${ns} link set eth1 up; }; }`,
      attach ? `ip link set ${veth} master br${s.vlan} && ip link set ${veth} up` : `ip link set ${veth} nomaster && ip link set ${veth} down`,
    );
  });
  return lines.join(' && ');
}

/** What the guest reports for verification: `<ns> <mac> <ip/prefix> <master or ->` per customer VM. */
export function inspectScript(systems: SystemDef[]): string {
  return systems
    .map((s, i) => {
      check(s);
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
      check(s);
      const ip = s.ip.split('/')[0]!;
      return `{ ip netns exec ${s.name} arping -U -c 2 -w 2 -I eth1 -s ${ip} ${ip} >/dev/null 2>&1 & }`;
    })
    .join('; ');
}
