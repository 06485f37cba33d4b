// Stage 3 of load → validate → resolve: intent → LabModel. Every node, interface and link of the
// lab is decided here, deterministically (same intent, same model), so the containerlab file,
// the runtimes and the tag planner all read one truth. Node naming is in names.ts.
import { createHash } from 'node:crypto';
import { DiagnosticBag } from '../errors/diagnostics.js';
import { COMMON_ATTRIBUTES } from './kinds/base/index.js';
import { kindOf } from './kinds/index.js';
import type { FabricIntent } from './intent.js';
import { formatIp, parseCidr, pointToPointHosts } from './ip.js';
import { sortDiagnostics, type LoadedIntent } from './load.js';
import { SourceMap, type DocPath } from './locate.js';
import { LabBuilder } from './builder.js';
import type { InterfaceModel, LabModel, LinkClass, NodeRole } from './model.js';
import { linkMtu, VXLAN_OVERHEAD } from './mtu.js';
import { hostedSites, resolveHypervisors } from './hypervisors.js';
import {
  accessSwitchName,
  dcSwitchName,
  endpointName,
  interconnectName,
  peName,
  PROVIDER_A,
  PROVIDER_B,
} from './names.js';
import { DiagnosticsError } from '../errors/diagnostics.js';

export const PROVIDER_VNI = 4242;
export const VXLAN_PORT = 4789;
export const PROVIDER_VXLAN_DEV = 'vx0';
export const PROVIDER_BRIDGE_DEV = 'br0';

/** Deterministic locally administered unicast MAC for a system without a declared one. */
export function derivedMac(site: string, system: string, salt = 0): string {
  const h = createHash('sha256')
    .update(`${site}/${system}${salt ? `#${salt}` : ''}`)
    .digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/** intent → LabModel. Throws DiagnosticsError for problems only visible after allocation. */
export function resolve(loaded: LoadedIntent, source: string): LabModel {
  const intent: FabricIntent = loaded.intent;
  const src: SourceMap = loaded.src;
  const bag = new DiagnosticBag();
  const b = new LabBuilder(intent.name);
  const tenantMtu = intent.mtu ?? 1500;
  const mtu = (cls: LinkClass) => linkMtu(cls, tenantMtu);

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

  // Long haul: p[0] → … → p[n-1] → prov-a ⇢(provider, VXLAN)⇢ prov-b. Outbound PEs attach to
  // p[0], inbound PEs to prov-b.
  const lh = intent.long_haul;
  if (lh) {
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

  // Tenants: one access switch per site (tenant-owned LAN switch), endpoints on access ports in
  // their own VLAN, the uplink trunking the site's VLANs to the DC switch.
  // Sites hosted on a customer hypervisor get neither access switch nor endpoints (hypervisors.ts).
  const hosted = hostedSites(intent);
  for (const [tenant, t] of Object.entries(intent.tenants)) {
    const macs = new Set(
      t.sites.flatMap((s) => s.systems.map((y) => y.mac?.toLowerCase()).filter((m): m is string => !!m)),
    );
    t.sites.forEach((site, i) => {
      if (hosted.has(`${tenant}/${site.name}`)) return;
      const sw = accessSwitchName(tenant, site.name);
      const siteFacts = { site: site.name, siteType: site.type };
      b.addNode(sw, 'ovs-bridge', 'access-switch', {
        dc: site.dc,
        tenant,
        facts: siteFacts,
        origin: ['tenants', tenant, 'sites', i],
      });
      const vlans = [...new Set(site.systems.map((y) => y.vlan))].sort((x, y) => x - y);
      b.link('tenant-lan', sw, dcSwitchName(site.dc), mtu('tenant-lan'), { trunks: vlans });
      site.systems.forEach((sys, j) => {
        const ep = endpointName(tenant, site.name, sys.name);
        b.addNode(ep, 'linux', 'endpoint', {
          dc: site.dc,
          tenant,
          facts: { ...siteFacts, system: sys.name, vlan: sys.vlan },
          origin: ['tenants', tenant, 'sites', i, 'systems', j],
        });
        let mac = sys.mac?.toLowerCase();
        if (!mac) {
          let salt = 0;
          do mac = derivedMac(site.name, sys.name, salt++);
          while (macs.has(mac));
          macs.add(mac);
        }
        b.link('client-access', ep, sw, mtu('client-access'), { mac, addresses: [sys.ip] }, { accessVlan: sys.vlan });
      });
    });
  }

  resolveHypervisors(b, intent, bag, src, mtu);

  // Extra nodes and links (containerlab style, validated by kind in validate.ts).
  const common = new Set<string>(COMMON_ATTRIBUTES);
  (intent.extra_nodes ?? []).forEach((raw, i) => {
    const kind = kindOf(raw.kind);
    const attributes: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(raw)) if (!common.has(k)) attributes[k] = v as string | number | boolean;
    const node = b.addNode(raw.name, kind.name, (raw.role as NodeRole | undefined) ?? kind.defaultRole, {
      dc: raw.dc ?? null,
      tenant: raw.tenant ?? null,
      labels: { ...(raw.labels ?? {}) },
      origin: ['extra_nodes', i],
      bridge: typeof attributes.bridge === 'string' ? attributes.bridge : undefined,
    });
    if (Object.keys(attributes).length) node.attributes = attributes;
  });
  (intent.extra_links ?? []).forEach((raw, i) => {
    const ends = (['a', 'b'] as const).map((side) => {
      const text = raw[side];
      const colon = text.indexOf(':');
      const nodeName = text.slice(0, colon);
      const ref = text.slice(colon + 1);
      const node = b.node(nodeName);
      const kind = kindOf(node.kind);
      const parsed = kind.parseInterface(ref);
      if (!parsed.ok) throw new Error('resolve: link endpoints were validated');
      let iface: InterfaceModel;
      let inUse = false;
      if (parsed.index !== undefined) {
        if (parsed.index <= b.allocated(nodeName)) {
          inUse = true;
          bag.add(
            src.diag(
              'E_IF_IN_USE',
              ['extra_links', i, side],
              `port p${parsed.index} of ${nodeName} is already used by a generated link`,
              `the generated links of ${nodeName} use p1..p${b.allocated(nodeName)}: use p${b.allocated(nodeName) + 1} or higher`,
            ),
          );
        }
        iface = { name: kind.interfaceName(intent.name, nodeName, parsed.index), addresses: [] };
      } else {
        const name = parsed.name as string;
        if (node.interfaces.some((f) => f.name === name)) {
          inUse = true;
          bag.add(
            src.diag(
              'E_IF_IN_USE',
              ['extra_links', i, side],
              `interface ${name} of ${nodeName} is already used by a generated link`,
              'pick an interface name the node does not use yet (generated endpoints use eth1)',
            ),
          );
        }
        iface = { name, addresses: [] };
      }
      if (!inUse) node.interfaces.push(iface);
      return { node: nodeName, iface, label: parsed.index !== undefined ? `p${parsed.index}` : iface.name };
    });
    const cls = (raw.class ?? 'dc-fabric') as LinkClass;
    b.connect(cls, ends[0], ends[1], raw.mtu ?? mtu(cls));
  });

  // Root-namespace names (bridges, their ports, host interfaces) must be unique: hash forms
  // could collide in principle, and `bridge:` / host interface names are user-chosen.
  const rootNames = new Map<string, string>();
  for (const node of b.nodes.values()) {
    const kind = kindOf(node.kind);
    const names: [string, string][] = [];
    if (node.bridge) names.push([node.bridge, `bridge of ${node.name}`]);
    if (kind.bridgePorts || node.kind === 'host')
      for (const f of node.interfaces) names.push([f.name, `interface ${f.name} of ${node.name}`]);
    for (const [n, what] of names) {
      const prev = rootNames.get(n);
      if (prev !== undefined) {
        bag.add(
          src.diag(
            'E_NAME_COLLISION',
            b.origin.get(node.name) ?? [],
            `root-namespace name '${n}' (${what}) is also the ${prev}`,
            'rename the node or its `bridge:` attribute; names in the root namespace must be unique across the lab',
          ),
        );
      } else rootNames.set(n, what);
    }
  }

  if (!bag.ok) throw new DiagnosticsError('resolve', sortDiagnostics(bag.items));
  return b.model(source, intent);
}
