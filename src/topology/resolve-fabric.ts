// Resolve: datacenter switches, their gateways (interconnect switches on dedicated lines, PEs on
// long-haul paths), P routers and the provider segment.
import { formatIp, parseCidr, pointToPointHosts } from './ip.js';
import type { LongHaulIntent } from './intent.js';
import type { DocPath } from './locate.js';
import { VXLAN_OVERHEAD } from './mtu.js';
import { dcSwitchName, interconnectName, peName, PROVIDER_A, PROVIDER_B } from '../names/index.js';
import type { ResolveContext } from './resolve-context.js';

export const PROVIDER_VNI = 4242;
export const VXLAN_PORT = 4789;
export const PROVIDER_VXLAN_DEV = 'vx0';
export const PROVIDER_BRIDGE_DEV = 'br0';

type AttachGateway = (dc: string, gateway: string, remoteDc: string) => void;

export function resolveFabric(ctx: ResolveContext): void {
  const { b, intent, mtu } = ctx;
  // Datacenter switches.
  for (const dc of Object.keys(intent.datacenters)) {
    b.addNode(dcSwitchName(dc), 'ovs-bridge', 'dc-switch', { dc, origin: ['datacenters', dc] });
  }

  // Gateways (interconnect switches, PEs) get one dc-fabric link from the DC switch per remote
  // DC they lead to: the DC switch learns which DC a MAC is behind from the port, as a VPLS
  // forwarder does per pseudowire (the tag plan relies on it).
  const attachedTo = new Set<string>();
  const attachGateway = (dc: string, gateway: string, remoteDc: string) => {
    const key = `${dc}>${remoteDc}`;
    if (attachedTo.has(key)) return;
    attachedTo.add(key);
    b.link('dc-fabric', dcSwitchName(dc), gateway, mtu('dc-fabric'));
    b.links[b.links.length - 1].remoteDc = remoteDc;
  };

  // Dedicated lines: one interconnect switch per DC.
  const ensureIc = (dc: string, origin: DocPath) => {
    const name = interconnectName(dc);
    if (b.nodes.has(name)) return name;
    b.addNode(name, 'ovs-bridge', 'interconnect', { dc, origin });
    return name;
  };
  (intent.interconnects ?? []).forEach((ic, i) => {
    const [x, y] = ic.between;
    const a = ensureIc(x, ['interconnects', i, 'between', 0]);
    const c = ensureIc(y, ['interconnects', i, 'between', 1]);
    attachGateway(x, a, y);
    attachGateway(y, c, x);
    b.link('dc-interconnect', a, c, mtu('dc-interconnect'));
  });

  if (intent.long_haul) resolveLongHaul(ctx, intent.long_haul, attachGateway);
}

// Long haul: p[0] → … → p[n-1] → prov-a ⇢(provider, VXLAN)⇢ prov-b. Outbound PEs attach to
// p[0], inbound PEs to prov-b.
function resolveLongHaul(ctx: ResolveContext, lh: LongHaulIntent, attachGateway: AttachGateway): void {
  const { b, mtu } = ctx;
  lh.p_routers.forEach((p, i) => b.addNode(p, 'ovs-bridge', 'p', { origin: ['long_haul', 'p_routers', i] }));
  const provOrigin: DocPath = ['long_haul', 'provider_segment'];
  b.addNode(PROVIDER_A, 'linux', 'provider', { origin: provOrigin });
  b.addNode(PROVIDER_B, 'linux', 'provider', { origin: provOrigin });
  const chain = [...lh.p_routers, PROVIDER_A];
  for (let i = 0; i + 1 < chain.length; i++) b.link('long-haul', chain[i], chain[i + 1], mtu('long-haul'));

  const cidr = parseCidr(lh.provider_segment.subnet);
  const hosts = cidr ? pointToPointHosts(cidr) : undefined;
  if (!cidr || !hosts) throw new Error('resolve: provider subnet was validated');
  const [ipA, ipB] = hosts.map(formatIp);
  const [provIfA, provIfB] = b.link(
    'provider',
    PROVIDER_A,
    PROVIDER_B,
    mtu('provider'),
    { addresses: [`${ipA}/${cidr.prefix}`] },
    { addresses: [`${ipB}/${cidr.prefix}`] },
  );

  const ensurePe = (dc: string, origin: DocPath) => {
    const name = peName(dc);
    if (b.nodes.has(name)) return name;
    b.addNode(name, 'ovs-bridge', 'pe', { dc, origin });
    return name;
  };
  const attached = new Set<string>();
  lh.paths.forEach((p, i) => {
    const [x, y] = p.between;
    const outPe = ensurePe(x, ['long_haul', 'paths', i, 'between', 0]);
    const inPe = ensurePe(y, ['long_haul', 'paths', i, 'between', 1]);
    attachGateway(x, outPe, y);
    attachGateway(y, inPe, x);
    if (!attached.has(outPe)) {
      attached.add(outPe);
      b.link('long-haul', outPe, lh.p_routers[0], mtu('long-haul'));
    }
    if (!attached.has(inPe)) {
      attached.add(inPe);
      b.link('long-haul', inPe, PROVIDER_B, mtu('long-haul'));
    }
  });

  // Provider routers: a kernel VXLAN device over the provider link, bridged with every
  // long-haul interface; the provider addresses exist only inside these two namespaces.
  const vni = lh.provider_segment.vni ?? PROVIDER_VNI;
  const vxMtu = mtu('provider') - VXLAN_OVERHEAD;
  for (const [name, provIf, local, remote] of [
    [PROVIDER_A, provIfA, ipA, ipB],
    [PROVIDER_B, provIfB, ipB, ipA],
  ] as const) {
    const node = b.node(name);
    const haul = node.interfaces.filter((f) => f !== provIf).map((f) => f.name);
    node.netdevs = [
      {
        type: 'vxlan',
        name: PROVIDER_VXLAN_DEV,
        vni,
        local,
        remote,
        dstport: VXLAN_PORT,
        dev: provIf.name,
        mtu: vxMtu,
      },
      { type: 'bridge', name: PROVIDER_BRIDGE_DEV, ports: [...haul, PROVIDER_VXLAN_DEV].sort() },
    ];
  }
}
