// Taps for QEMU NICs, through the host-networking adapter. A tap is created persistent in the
// namespace of the OVS instance that owns the bridge, put up, and attached to the bridge as an
// ordinary port; QEMU then opens it by name. Persistent taps outlive QEMU, so we delete them.
import { hostNet } from '../hostnet/index.js';
import { checkIfName } from '../names/index.js';

export async function createTap(
  name: string,
  opts: { netns?: string; mtu?: number; alias?: string } = {},
): Promise<void> {
  checkIfName(name, 'E_VM_IFNAME');
  await hostNet().tap.create(name, opts);
}

/** Deletes a tap if it exists; true when one was deleted. */
export async function deleteTap(name: string, opts: { netns?: string } = {}): Promise<boolean> {
  checkIfName(name, 'E_VM_IFNAME');
  return hostNet().tap.delete(name, opts);
}

/**
 * Adds a tap to an OVS bridge, with optional Port columns (e.g. ['tag=100'] or
 * ['vlan_mode=dot1q-tunnel', 'tag=100']). `vsctl` lets a caller point at another OVS instance
 * (e.g. ['--db=unix:/run/ovs-ns1/db.sock']).
 */
export async function ovsAddPort(
  bridge: string,
  port: string,
  columns: readonly string[] = [],
  opts: { netns?: string; vsctl?: string[] } = {},
): Promise<void> {
  checkIfName(port, 'E_VM_IFNAME');
  await hostNet().ovs.addPort(bridge, port, columns, opts);
}

export async function ovsDelPort(
  bridge: string,
  port: string,
  opts: { netns?: string; vsctl?: string[] } = {},
): Promise<void> {
  checkIfName(port, 'E_VM_IFNAME');
  await hostNet().ovs.delPort(bridge, port, opts);
}
