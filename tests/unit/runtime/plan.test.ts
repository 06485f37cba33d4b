import { expect } from 'chai';
import { chainLab, smallLab } from '../../fixtures/runtime-labs.js';
import { accessFlowLines, nsBatch, nsSysctlArgs, ovsCommands, vethLine } from '../../../src/runtime/netns/commands.js';
import { planLab } from '../../../src/runtime/netns/plan.js';
import type { LabModel } from '../../../src/topology/model.js';

const clone = (m: LabModel): LabModel => JSON.parse(JSON.stringify(m)) as LabModel;

describe('runtime/netns plan', () => {
  const plan = planLab(smallLab('rtu'));

  it('lists every object the lab will own before anything is created', () => {
    expect(plan.objects.netns).to.have.members(['h1', 'h2', 'h3', 'h4', 'h5', 'pa', 'pb'].map((n) => `clab-rtu-${n}`));
    expect(plan.objects.bridges).to.deep.equal(['rtu-sw', 'rtu-dc']);
    expect(plan.objects.rootIfs).to.have.members(['rtu-sw_1', 'rtu-sw_2', 'rtu-sw_3', 'rtu-sw_4', 'rtu-dc_1']);
  });

  it('creates veth ends directly in their namespaces, with MAC and MTU', () => {
    const l = plan.links.find((x) => x.id.startsWith('h1:'))!;
    expect(vethLine(l)).to.equal(
      'link add name eth1 address 02:00:00:00:00:01 mtu 1500 netns clab-rtu-h1 type veth peer name rtu-sw_1 mtu 1500',
    );
    const pp = plan.links.find((x) => x.id === 'pa:eth2--pb:eth2')!;
    expect(vethLine(pp)).to.equal(
      'link add name eth2 mtu 1600 netns clab-rtu-pa type veth peer name eth2 mtu 1600 netns clab-rtu-pb',
    );
  });

  it('builds provider netdevs inside the namespace with an explicit VXLAN dstport', () => {
    const pa = plan.namespaces.find((n) => n.node === 'pa')!;
    const lines = nsBatch('rtu', pa);
    expect(lines[0]).to.equal('link set dev lo alias fabric-lab=rtu');
    expect(lines).to.include(
      'link add name vx0 type vxlan id 42 local 198.51.100.1 remote 198.51.100.2 dstport 4789 dev eth2',
    );
    expect(lines).to.include('link add name br0 type bridge');
    expect(lines).to.include('link set dev vx0 master br0');
    expect(lines).to.include('addr replace 198.51.100.1/30 dev eth2');
    expect(
      lines.indexOf('link add name vx0 type vxlan id 42 local 198.51.100.1 remote 198.51.100.2 dstport 4789 dev eth2'),
    ).to.be.lessThan(lines.indexOf('link set dev vx0 master br0'));
  });

  it('does not re-create netdevs that exist (idempotent up)', () => {
    const pa = plan.namespaces.find((n) => n.node === 'pa')!;
    const lines = nsBatch('rtu', pa, new Set(['vx0', 'br0']));
    expect(lines.some((l) => l.startsWith('link add'))).to.equal(false);
    expect(lines).to.include('link set dev eth1 master br0');
  });

  it('turns IPv6 off in namespaces, except per interface when the model has IPv6', () => {
    const h1 = plan.namespaces.find((n) => n.node === 'h1')!;
    expect(nsSysctlArgs(h1)).to.deep.equal([
      'sysctl',
      '-q',
      '-w',
      'net.ipv6.conf.all.disable_ipv6=1',
      'net.ipv6.conf.default.disable_ipv6=1',
    ]);
    const m = clone(smallLab('rtu'));
    m.nodes.find((n) => n.name === 'h1')!.interfaces[0]!.addresses.push('2001:db8::1/64');
    const h1v6 = planLab(m).namespaces.find((n) => n.node === 'h1')!;
    expect(h1v6.ipv6Ifs).to.deep.equal(['eth1']);
    expect(nsSysctlArgs(h1v6)).to.not.include('net.ipv6.conf.all.disable_ipv6=1');
  });

  it('makes secure netdev bridges speaking OpenFlow 1.0-1.5, every object marked with the lab', () => {
    const calls = ovsCommands('rtu', plan.ovsBridges);
    const all = calls.flat();
    expect(all).to.include.members([
      'datapath_type=netdev',
      'fail_mode=secure',
      'protocols=OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15',
    ]);
    const marks = all.filter((a) => a === 'external_ids:fabric-lab=rtu').length;
    // bridge + its internal port + interface (3 per bridge) and port + interface per port
    expect(marks).to.equal(2 * 3 + 5 * 2);
  });

  it('gives access-switch ports their VLAN (access) or trunk, and leaves other bridges to the tag programmer', () => {
    const all = ovsCommands('rtu', plan.ovsBridges).flat().join(' ');
    expect(all).to.contain(
      'add-port rtu-sw rtu-sw_1 -- set Port rtu-sw_1 external_ids:fabric-lab=rtu tag=100 vlan_mode=access',
    );
    expect(all).to.contain('set Port rtu-sw_4 external_ids:fabric-lab=rtu tag=[] vlan_mode=trunk trunks=100,200');
    expect(all).to.contain('set Port rtu-dc_1 external_ids:fabric-lab=rtu -- set Interface rtu-dc_1');
    expect(accessFlowLines(plan.ovsBridges)).to.deep.equal(['add-flow rtu-sw priority=0,actions=NORMAL']);
  });

  it('chunks large OVS transactions', () => {
    const big = planLab(chainLab('rtc', 1000));
    const calls = ovsCommands('rtc', big.ovsBridges, 80);
    expect(calls.length).to.be.greaterThan(10);
    for (const c of calls) expect(c.filter((a) => a === 'add-port').length).to.be.at.most(80);
    expect(calls.flat().filter((a) => a === 'add-port').length).to.equal(big.rootEnds.length);
  });

  it('rejects names that could inject into a command, before anything runs', () => {
    expect(() => planLab({ ...smallLab('rtu'), name: 'x;rm -rf' }))
      .to.throw()
      .with.property('code', 'E_BAD_NAME');
    const m = clone(smallLab('rtu'));
    m.nodes[0]!.name = '-n evil';
    expect(() => planLab(m))
      .to.throw()
      .with.property('code', 'E_BAD_NAME');
    const m2 = clone(smallLab('rtu'));
    m2.links[0]!.endpoints[1]!.ifname = 'a-very-long-interface-name';
    expect(() => planLab(m2))
      .to.throw()
      .with.property('code', 'E_BAD_NAME');
    const m3 = clone(smallLab('rtu'));
    m3.nodes[0]!.interfaces[0]!.mac = '02:00:00:00:00';
    expect(() => planLab(m3))
      .to.throw()
      .with.property('code', 'E_BAD_NAME');
    const m4 = clone(smallLab('rtu'));
    m4.nodes[0]!.interfaces[0]!.addresses = ['10.0.0.1/33'];
    expect(() => planLab(m4))
      .to.throw()
      .with.property('code', 'E_BAD_ADDRESS');
  });

  it('rejects a root-namespace name used twice and a link to a missing node', () => {
    const m = clone(smallLab('rtu'));
    m.links[1]!.endpoints[1]!.ifname = 'rtu-sw_1';
    expect(() => planLab(m))
      .to.throw()
      .with.property('code', 'E_MODEL');
    const m2 = clone(smallLab('rtu'));
    m2.links[0]!.endpoints[0]!.node = 'ghost';
    expect(() => planLab(m2))
      .to.throw()
      .with.property('code', 'E_MODEL');
  });

  it('leaves generic_vm nodes and their links to the VM runtime', () => {
    const m = clone(smallLab('rtu'));
    m.nodes.push({
      name: 'vm1',
      kind: 'generic_vm',
      role: 'vm',
      dc: 'dc1',
      tenant: 'red',
      interfaces: [{ name: 'eth1', addresses: [] }],
      labels: {},
    });
    m.links.push({
      id: 'vm1:eth1--pa:eth3',
      class: 'hypervisor',
      endpoints: [
        { node: 'vm1', ifname: 'eth1' },
        { node: 'pa', ifname: 'eth3' },
      ],
      mtu: 1500,
    });
    const p = planLab(m);
    expect(p.skipped).to.deep.equal(['vm1']);
    expect(p.links.map((l) => l.id)).to.not.include('vm1:eth1--pa:eth3');
  });
});
