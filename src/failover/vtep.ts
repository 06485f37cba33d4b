// The VXLAN transport between a hypervisor's bridge device and the VTEP of the virtual hypervisor
// (or host stack) that carries its site: transport VLAN on the bridge ports, and the bridge
// device's neighbour entry for the shared guest VTEP address.
import { hostNet } from '../hostnet/index.js';
import { netnsName } from '../names/index.js';
import { GATEWAY_TRANSPORT_IF, VTEP } from '../topology/hypervisors.js';
import type { LabModel } from '../topology/model.js';
import { layoutOf } from './layout.js';

/**
 * Points a bridge device's VTEP neighbour at the virtual hypervisor that now owns the guest VTEP
 * address. Every mirror shares that address, so a cached entry may name a paused mirror: the
 * kernel would keep sending to it for seconds (DELAY, then unicast probes) before it asks again.
 */
export async function pointVtep(model: LabModel, hv: string, mac: string): Promise<void> {
  const gw = layoutOf(model).hypervisors.find((h) => h.name === hv)?.gateway;
  if (!gw) return;
  await hostNet().ip.replaceNeighbour(netnsName(model.name, gw), GATEWAY_TRANSPORT_IF, VTEP.guestIp, mac, 'reachable');
}

/** A VM tap carries the VXLAN transport VLAN only (tagged: the guest has 8021q). */
export async function vtepTrunk(tap: string): Promise<void> {
  await hostNet().ovs.setPort(tap, ['vlan_mode=trunk', `trunks=${VTEP.vlan}`]);
}

/** A host stack's port: an access port of the transport VLAN (the host kernel has no 8021q). */
export async function vtepAccess(port: string): Promise<void> {
  await hostNet().ovs.setPort(port, [`tag=${VTEP.vlan}`]);
}
