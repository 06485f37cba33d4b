// The host stack of a traditional customer hypervisor (seed 000 FIG. 1-2, `virtualization:
// partial`): no virtual hypervisor, the physical hypervisor runs the customer VMs itself. Its
// vSwitch and VTEP live in the node's namespace (`<hv>-host`, on the hypervisor bridge's
// transport VLAN as an access port: the host kernel has no 8021q), and each customer VM is a
// namespace `clab-<lab>-<hv>-host-<system>` beside it on a veth (so `fabric down` removes it
// with the lab). A host failure is simulated by taking the host's bridge port down.
// Every action goes through the host-networking adapter; names and values are validated first.
import { FabricError } from '../errors/fabric-error.js';
import { hostNet, portNetns } from '../hostnet/index.js';
import { isIfName, isMac, netnsName } from '../names/index.js';
import { VTEP } from '../topology/hypervisors.js';
import { checkSystem, IPV4, type GuestVmView, type NeighEntry, type Segment } from './guest.js';
import type { SystemDef } from './layout.js';

export interface HostStack {
  lab: string;
  /** The host-stack node (`<hv>-host`). */
  node: string;
  /** Its port on the hypervisor bridge (in the bridge's namespace: `portNetns`): down = host failed. */
  port: string;
}

export const hostNetns = (h: HostStack): string => netnsName(h.lab, h.node);
export const customerNetns = (h: HostStack, system: string): string => netnsName(h.lab, `${h.node}-${system}`);

/** Builds the host's vSwitch and VTEP, then each customer VM's namespace on its veth. */
async function buildHostStack(h: HostStack, segs: Segment[], systems: SystemDef[]): Promise<void> {
  const { ip, kernel } = hostNet();
  const H = hostNetns(h);
  await ip.addAddress(H, 'eth1', `${VTEP.guestIp}/${VTEP.prefix}`, { replace: true });
  for (const g of segs) {
    const vx = `vx${g.vlan}`;
    const br = `br${g.vlan}`;
    await ip.addVxlan(H, vx, {
      vni: g.vni,
      local: VTEP.guestIp,
      remote: VTEP.gatewayIp,
      dstport: VTEP.dstport,
      dev: 'eth1',
    });
    await ip.addBridgeDevice(H, br);
    await ip.setLink(H, vx, { master: br, up: true });
    await ip.setLink(H, br, { up: true });
  }
  for (const [i, s] of systems.entries()) {
    const C = customerNetns(h, s.name);
    const veth = `cv${i + 1}`;
    await ip.addNetns([C]);
    await kernel.sysctl(C, ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    await ip.addVeth({ ifname: veth, netns: null }, { ifname: 'eth1', netns: C }, H);
    await ip.setLink(C, 'eth1', { address: s.mac });
    await ip.addAddress(C, 'eth1', s.ip);
    await ip.setLink(C, 'lo', { up: true });
    await ip.setLink(C, 'eth1', { up: true });
    // Partial checksums must not reach the OVS userspace datapath (docs/design-facts.md, checksum offload).
    await kernel.txOffloadOff(C, ['eth1']);
    await ip.setLink(H, veth, { master: `br${s.vlan}`, up: true });
  }
}

/** Builds the host stack (after removing any earlier copy). */
export async function setupHostStack(h: HostStack, segs: Segment[], systems: SystemDef[]): Promise<void> {
  if (!isIfName(h.port)) throw new FabricError('E_FAILOVER_MODEL', `bad host port ${JSON.stringify(h.port)}`);
  for (const s of systems) checkSystem(s);
  await teardownHostStack(h, segs, systems);
  await buildHostStack(h, segs, systems);
}

/** Removes the customer VM namespaces and the host's vSwitch/VTEP (the runtime's eth1 stays). */
export async function teardownHostStack(h: HostStack, segs: Segment[], systems: SystemDef[]): Promise<void> {
  const { ip } = hostNet();
  const H = hostNetns(h);
  for (const s of systems) checkSystem(s);
  // Each object may already be gone (a first setup, or a half-built stack): nothing here throws.
  const quietly = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      () => undefined,
    );
  await ip.delNetns(systems.map((s) => customerNetns(h, s.name)));
  for (const g of segs) {
    await quietly(ip.delLink(H, `br${g.vlan}`));
    await quietly(ip.delLink(H, `vx${g.vlan}`));
  }
  await quietly(ip.delAddress(H, 'eth1', `${VTEP.guestIp}/${VTEP.prefix}`));
  await quietly(ip.setLink(portNetns(h.port), h.port, { up: true }));
}

/** Simulated host failure / return: the host's port on its hypervisor bridge down / up. */
export async function setHostUp(h: HostStack, up: boolean): Promise<void> {
  await hostNet().ip.setLink(portNetns(h.port), h.port, { up });
}

export async function hostIsUp(h: HostStack): Promise<boolean> {
  return (await hostNet().ip.link(portNetns(h.port), h.port))?.up ?? false;
}

/** Re-asserts each customer VM's attachment and announces it (unsolicited ARP). */
export async function reassertHostVms(h: HostStack, systems: SystemDef[]): Promise<void> {
  const { ip } = hostNet();
  const H = hostNetns(h);
  for (const [i, s] of systems.entries()) {
    checkSystem(s);
    await ip.setLink(H, `cv${i + 1}`, { master: `br${s.vlan}`, up: true });
    const addr = s.ip.split('/')[0]!;
    await ip.tryExec(customerNetns(h, s.name), ['arping', '-U', '-c', '1', '-w', '1', '-I', 'eth1', '-s', addr, addr], {
      timeout: 5000,
    });
  }
}

/** What verify() reads: each customer VM's MAC, address and the bridge its veth is in. */
export async function inspectHostVms(h: HostStack, systems: SystemDef[]): Promise<GuestVmView[]> {
  const { ip } = hostNet();
  const H = hostNetns(h);
  const out: GuestVmView[] = [];
  for (const [i, s] of systems.entries()) {
    checkSystem(s);
    const C = customerNetns(h, s.name);
    const link = await ip.link(C, 'eth1');
    const [addr] = await ip.addresses(C, 'eth1', 4);
    const veth = await ip.link(H, `cv${i + 1}`);
    out.push({ name: s.name, mac: link?.mac ?? '', ip: addr ?? '', master: veth?.master ?? null });
  }
  return out;
}

/** Resolved IPv4 neighbours of each customer VM (what a planned move carries over). */
export async function hostNeighbours(h: HostStack, systems: SystemDef[]): Promise<NeighEntry[]> {
  const out: NeighEntry[] = [];
  for (const s of systems) {
    checkSystem(s);
    for (const n of await hostNet().ip.neighbours(customerNetns(h, s.name), 'eth1', 4)) {
      const mac = n.mac?.toLowerCase();
      if (n.ip && mac && isMac(mac)) out.push({ vm: s.name, ip: n.ip, mac });
    }
  }
  return out;
}

/** Installs carried neighbour entries as STALE in the customer VMs. */
export async function restoreHostNeighbours(h: HostStack, systems: SystemDef[], entries: NeighEntry[]): Promise<void> {
  const names = new Set(systems.map((s) => s.name));
  for (const e of entries) {
    if (!names.has(e.vm) || !IPV4.test(e.ip) || !isMac(e.mac))
      throw new FabricError('E_FAILOVER_MODEL', `neighbour entry refused: ${JSON.stringify(e)}`);
    await hostNet().ip.replaceNeighbour(customerNetns(h, e.vm), 'eth1', e.ip, e.mac, 'stale');
  }
}
