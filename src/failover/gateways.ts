// The hypervisor side of a failover lab: plain learning bridges, the bridge devices (VXLAN
// gateways) configured for the site each hypervisor serves, and the host stacks of traditional
// customer hypervisors. Set up once, undone at teardown; never on the restoration path.
import { FabricError } from '../errors/fabric-error.js';
import { hostNet } from '../hostnet/index.js';
import { netnsName } from '../names/index.js';
import { computePlan } from '../tagging/index.js';
import { VTEP, vniOf } from '../topology/hypervisors.js';
import type { LabModel } from '../topology/model.js';
import { hostStackOf } from './carrier.js';
import { gatewayBatch, gatewayUndoBatch, type Segment } from './guest.js';
import { setupHostStack, teardownHostStack } from './host-stack.js';
import { layoutOf, siteSystems } from './layout.js';
import { vtepAccess } from './vtep.js';

export async function normalFlow(bridge: string): Promise<void> {
  // A physical hypervisor bridge is a plain learning switch (the netns runtime makes bridges
  // fail_mode=secure with no flows): tenant separation is the DC switch's job.
  await hostNet().ovs.replaceFlows(bridge, ['priority=0,actions=NORMAL'], { version: 'OpenFlow13' });
}

/** The VXLAN segments of a hosted site: one per own VLAN, VNI from its Tag1 (`vniOf`). */
export function segmentsOf(model: LabModel, site: string): Segment[] {
  const [tenant, name] = site.split('/');
  const sp = computePlan(model).sites.find((x) => x.tenant === tenant && x.site === name);
  if (!sp) throw new FabricError('E_FAILOVER_MODEL', `site ${site} is not in the tag plan`);
  return [...new Set(siteSystems(model, site).map((s) => s.vlan))].map((vlan) => ({
    vlan,
    vni: vniOf(sp.hostTag, vlan),
  }));
}

/** The hypervisor-side ports of a hypervisor's links: uplink, and the bridge device's in gw ifname order. */
function hypervisorPorts(model: LabModel, hv: string, gw: string): { uplink: string | undefined; gateway: string[] } {
  const end = (l: LabModel['links'][number], node: string) => l.endpoints.find((e) => e.node === node);
  const uplink = model.links.find(
    (l) => end(l, hv) && l.endpoints.some((e) => model.nodes.find((n) => n.name === e.node)?.role === 'dc-switch'),
  );
  const gateway = model.links
    .filter((l) => end(l, hv) && end(l, gw))
    .sort((a, b) => end(a, gw)!.ifname.localeCompare(end(b, gw)!.ifname, 'en', { numeric: true }))
    .map((l) => end(l, hv)!.ifname);
  return { uplink: uplink && end(uplink, hv)!.ifname, gateway };
}

/**
 * Configures (or, with undo, clears) every hypervisor's bridge device for the site it serves,
 * and the port VLANs of its bridge: transport access port 4000 to the bridge device, own-VLAN
 * access ports back from it, the uplink a trunk of the own VLANs only (VTEP traffic never
 * reaches the fabric), VM taps trunks of 4000 (vtepTrunk).
 */
export async function configureGateways(model: LabModel, undo: boolean): Promise<void> {
  for (const h of layoutOf(model).hypervisors) {
    if (!h.gateway || !h.serves) continue;
    const ns = netnsName(model.name, h.gateway);
    const segs = segmentsOf(model, h.serves);
    const vlans = segs.map((g) => g.vlan).sort((a, b) => a - b);
    const ports = hypervisorPorts(model, h.name, h.gateway);
    // -force: undo goes on past devices that are not there; a fresh setup starts clean.
    await hostNet().ip.batch(gatewayUndoBatch(segs), { netns: ns, force: true });
    const vsctl: string[] = [];
    for (const p of [ports.uplink, ...ports.gateway]) if (p) vsctl.push('--', 'clear', 'Port', p, 'tag', 'trunks');
    if (!undo) {
      if (ports.uplink) vsctl.push('--', 'set', 'Port', ports.uplink, `trunks=${vlans.join(',')}`);
      ports.gateway.forEach((p, k) => vsctl.push('--', 'set', 'Port', p, `tag=${k === 0 ? VTEP.vlan : vlans[k - 1]}`));
    }
    await hostNet().ovs.transaction(vsctl.slice(1), { bridge: h.bridge });
    if (!undo) await hostNet().ip.batch(gatewayBatch(segs), { netns: ns });
  }
}

/** Builds (or, with undo, removes) the host stacks of traditional customer hypervisors. */
export async function configureHostStacks(model: LabModel, undo: boolean): Promise<void> {
  for (const v of layoutOf(model).vms.filter((x) => x.kind === 'host')) {
    if (!v.site) continue;
    const h = hostStackOf(model.name, v);
    if (undo) {
      await teardownHostStack(h, segmentsOf(model, v.site), siteSystems(model, v.site));
      await hostNet().ovs.clearPort(v.tap, 'tag');
      continue;
    }
    await vtepAccess(v.tap);
    await setupHostStack(h, segmentsOf(model, v.site), siteSystems(model, v.site));
  }
}
