import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { DiagnosticsError } from '../../../src/errors/diagnostics.js';
import { isFabricError } from '../../../src/errors/fabric-error.js';
import { IFNAMSIZ, linkMtu, loadLab, loadLabText, type LabModel, type NodeModel } from '../../../src/topology/index.js';
import { VXLAN_OVERHEAD } from '../../../src/topology/encoding.js';
import { vtepLink } from './vtep-link.js';

const MTDC = new URL('../../../labs/mtdc/fabric.yml', import.meta.url).pathname;

function node(m: LabModel, name: string): NodeModel {
  const n = m.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node ${name}`);
  return n;
}

function linked(m: LabModel, a: string, b: string): string[] {
  return m.links
    .filter((l) => {
      const ns = l.endpoints.map((e) => e.node);
      return ns.includes(a) && ns.includes(b);
    })
    .map((l) => l.class);
}

describe('topology resolve: reference lab mtdc', () => {
  let m: LabModel;
  before(async () => {
    m = await loadLab(MTDC);
  });

  it('names nodes by role', () => {
    const roles = (r: string) =>
      m.nodes
        .filter((n) => n.role === r)
        .map((n) => n.name)
        .sort();
    expect(roles('dc-switch')).to.deep.equal(['dc1-sw', 'dc2-sw', 'dc3-sw']);
    expect(roles('interconnect')).to.deep.equal(['dc1-ic', 'dc2-ic']);
    expect(roles('pe')).to.deep.equal(['dc1-pe', 'dc2-pe', 'dc3-pe']);
    expect(roles('p')).to.deep.equal(['p1', 'p2']);
    expect(roles('provider')).to.deep.equal(['prov-a', 'prov-b']);
    // blue's k2 and k3 are hosted on hypervisors: customer VMs, no access switch, no endpoints.
    expect(roles('access-switch')).to.have.length(14);
    expect(roles('endpoint')).to.have.length(20);
    expect(roles('hypervisor')).to.deep.equal(['ha2', 'ha3', 'hv2', 'hv3']);
    expect(roles('vm')).to.deep.equal(['ha2-p1', 'ha2-p2', 'ha3-p1', 'ha3-p2', 'hv2-host', 'hv3-v1']);
    expect(node(m, 'green-k1-v2')).to.include({ kind: 'linux', tenant: 'green', dc: 'dc1' });
  });

  it('wires the dedicated line and the long-haul chain as the seed draws them', () => {
    expect(linked(m, 'dc1-sw', 'dc1-ic')).to.deep.equal(['dc-fabric']);
    expect(linked(m, 'dc1-ic', 'dc2-ic')).to.deep.equal(['dc-interconnect']);
    expect(linked(m, 'dc1-sw', 'dc1-pe')).to.deep.equal(['dc-fabric']);
    expect(linked(m, 'dc1-pe', 'p1')).to.deep.equal(['long-haul']);
    expect(linked(m, 'dc2-pe', 'p1')).to.deep.equal(['long-haul']);
    expect(linked(m, 'p1', 'p2')).to.deep.equal(['long-haul']);
    expect(linked(m, 'p2', 'prov-a')).to.deep.equal(['long-haul']);
    expect(linked(m, 'prov-a', 'prov-b')).to.deep.equal(['provider']);
    expect(linked(m, 'dc3-pe', 'prov-b')).to.deep.equal(['long-haul']);
    expect(linked(m, 'dc3-pe', 'p1')).to.deep.equal([]);
    expect(linked(m, 'dc3-sw', 'dc3-ic')).to.deep.equal([]);
  });

  it('builds the provider segment inside the provider namespaces only', () => {
    const a = node(m, 'prov-a');
    const b = node(m, 'prov-b');
    const vx = (n: NodeModel) => n.netdevs?.find((d) => d.type === 'vxlan');
    expect(vx(a)).to.include({ dstport: 4789, local: '198.51.100.1', remote: '198.51.100.2', dev: 'eth2' });
    expect(vx(b)).to.include({ dstport: 4789, local: '198.51.100.2', remote: '198.51.100.1', dev: 'eth1' });
    const br = (n: NodeModel) => n.netdevs?.find((d) => d.type === 'bridge');
    expect(br(a)).to.deep.include({ ports: ['eth1', 'vx0'] });
    expect(br(b)).to.deep.include({ ports: ['eth2', 'vx0'] });
    const withAddr = m.nodes.filter((n) => n.interfaces.some((f) => f.addresses.length)).map((n) => n.role);
    expect([...new Set(withAddr)].sort()).to.deep.equal(['endpoint', 'provider']);
  });

  it('puts endpoints in their own VLAN and trunks the site VLANs upstream', () => {
    const sw = node(m, 'red-c1-sw');
    const toH2 = m.links.find((l) => l.endpoints[0].node === 'red-c1-h2');
    expect(toH2?.class).to.equal('client-access');
    const port = sw.interfaces.find((f) => f.name === toH2?.endpoints[1].ifname);
    expect(port?.accessVlan).to.equal(200);
    const up = m.links.find((l) => l.class === 'tenant-lan' && l.endpoints[0].node === 'red-c1-sw');
    expect(up?.endpoints[1].node).to.equal('dc1-sw');
    expect(sw.interfaces.find((f) => f.name === up?.endpoints[0].ifname)?.trunks).to.deep.equal([100, 200]);
    const h1 = node(m, 'blue-c1-h1').interfaces[0];
    expect(h1).to.deep.include({ name: 'eth1', mac: '02:00:00:00:00:10', addresses: ['10.20.30.10/24'] });
  });

  it('keeps identical addresses and MACs across tenants', () => {
    const ips = ['red', 'green', 'blue'].map((t) => node(m, `${t}-c1-h1`).interfaces[0]);
    expect(new Set(ips.map((f) => f.addresses[0])).size).to.equal(1);
    expect(new Set(ips.map((f) => f.mac)).size).to.equal(1);
  });

  it('is consistent: unique ids and names, every endpoint names an existing interface, root names fit', () => {
    expect(new Set(m.links.map((l) => l.id)).size).to.equal(m.links.length);
    expect(new Set(m.nodes.map((n) => n.name)).size).to.equal(m.nodes.length);
    for (const l of m.links) {
      for (const e of l.endpoints) {
        const f = node(m, e.node).interfaces.find((x) => x.name === e.ifname);
        expect(f, `${l.id} ${e.node}:${e.ifname}`).to.not.equal(undefined);
        expect(f?.mtu).to.equal(l.mtu);
      }
    }
    const root = m.nodes
      .filter((n) => n.kind === 'ovs-bridge')
      .flatMap((n) => [n.bridge as string, ...n.interfaces.map((f) => f.name)]);
    expect(new Set(root).size).to.equal(root.length);
    for (const r of root) expect(r.length).to.be.at.most(IFNAMSIZ);
    for (const n of m.nodes) expect(n.labels['fabric.role']).to.equal(n.role);
  });

  it('is deterministic', async () => {
    const again = await loadLab(MTDC);
    expect(JSON.stringify(again)).to.equal(JSON.stringify(m));
  });

  it('takes every link MTU from linkMtu(class), tenant-facing links at the tenant MTU', () => {
    // A VTEP link (bridge device transport, virtual hypervisor tap) carries whole tagged frames in VXLAN.
    for (const l of m.links) expect(l.mtu, l.id).to.equal(linkMtu(l.class) + (vtepLink(m, l) ? VXLAN_OVERHEAD : 0));
    expect(m.links.filter((l) => vtepLink(m, l))).to.have.length(10); // 4 bridge devices, 6 VMs
    expect(m.links.filter((l) => l.class === 'client-access').every((l) => l.mtu === 1500)).to.equal(true);
  });
});

describe('topology load: errors', () => {
  it('reports a missing file with a stable code', async () => {
    try {
      await loadLab('/nonexistent/fabric.yml');
      expect.fail('should throw');
    } catch (e) {
      expect(isFabricError(e) && e.code).to.equal('E_LAB_NOT_FOUND');
    }
  });

  it('collects every problem of a file (not only the first)', () => {
    const text = readFileSync(new URL('../../golden/topology/bad/several-problems.yml', import.meta.url), 'utf8');
    try {
      loadLabText(text, 'x.yml');
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(DiagnosticsError);
      const codes = (e as DiagnosticsError).diagnostics.map((d) => d.code);
      expect(codes).to.include.members([
        'E_BAD_NAME',
        'E_VLAN_RANGE',
        'E_UNKNOWN_DC',
        'E_DUP_IP',
        'E_BAD_IP',
        'E_UNKNOWN_KIND',
        'E_LINK_UNKNOWN_NODE',
      ]);
      expect(codes.length).to.be.at.least(10);
    }
  });

  it('derives stable unicast MACs for systems without one, distinct inside a tenant', () => {
    const m = loadLabText(
      'name: t\ndatacenters: {d: {}}\ntenants:\n  a:\n    sites: [{name: s, type: client, dc: d, systems: [{name: x, vlan: 1, ip: 10.0.0.1/24}, {name: y, vlan: 1, ip: 10.0.0.2/24}]}]\n',
      't.yml',
    );
    const macs = m.nodes.filter((n) => n.role === 'endpoint').map((n) => n.interfaces[0].mac as string);
    expect(new Set(macs).size).to.equal(2);
    for (const mac of macs) expect(parseInt(mac.slice(0, 2), 16) & 3).to.equal(2); // local, unicast
  });
});
