// Failover host actions against the fake host-networking adapter: the bridge devices' port VLANs,
// the VTEP neighbour a switchover re-points, tap placement checks, and the observation the
// failover suite judges.
import { expect } from 'chai';
import { configureGateways, normalFlow } from '../../../src/failover/gateways.js';
import { layoutOf, siteSystems } from '../../../src/failover/layout.js';
import { observeFailover } from '../../../src/failover/observe.js';
import { pointVtep, vtepTrunk } from '../../../src/failover/vtep.js';
import { FakeHostNet } from '../../../src/hostnet/fake.js';
import { useHostNet } from '../../../src/hostnet/index.js';
import { netnsName } from '../../../src/names/index.js';
import { VTEP } from '../../../src/topology/hypervisors.js';
import { loadLab } from '../../../src/topology/index.js';
import type { LabModel } from '../../../src/topology/model.js';

const LAB = new URL('../../../labs/failover/fabric.yml', import.meta.url).pathname;

describe('failover: host actions through the host-networking adapter (fake)', () => {
  let h: FakeHostNet;
  let restore: () => void;
  let model: LabModel;
  beforeEach(async () => {
    h = new FakeHostNet();
    restore = useHostNet(h);
    model = await loadLab(LAB);
  });
  afterEach(() => restore());

  it('a hypervisor bridge becomes a plain learning switch', async () => {
    h.addBridge('br-x');
    await normalFlow('br-x');
    expect(h.bridgeTable.get('br-x')!.flows).to.deep.equal(['priority=0,actions=NORMAL']);
  });

  it('configures every serving bridge device: undo batch first, port VLANs in one transaction, then the VXLAN batch', async () => {
    await configureGateways(model, false);
    const serving = layoutOf(model).hypervisors.filter((x) => x.gateway && x.serves);
    expect(serving.length).to.be.greaterThan(0);
    const batches = h.callsOf('ip.batch');
    expect(batches).to.have.length(2 * serving.length);
    expect((batches[0]![1] as { force?: boolean }).force).to.equal(true);
    expect((batches[1]![1] as { netns?: string }).netns).to.equal(netnsName(model.name, serving[0]!.gateway));
    const tx = h.callsOf('ovs.transaction').map((c) => (c[0] as string[]).join(' '));
    expect(tx).to.have.length(serving.length);
    expect(tx[0]).to.include(`tag=${VTEP.vlan}`);
    expect(tx[0]).to.match(/trunks=\d+/);
    h.calls.length = 0;
    await configureGateways(model, true);
    expect(h.callsOf('ip.batch')).to.have.length(serving.length);
    expect(h.callsOf('ovs.transaction').map((c) => (c[0] as string[]).join(' '))[0]).to.not.include('set');
  });

  it('re-points the VTEP neighbour of the target hypervisor and trunks a tap of the transport VLAN', async () => {
    const hv = layoutOf(model).hypervisors.find((x) => x.gateway)!;
    await pointVtep(model, hv.name, '02:00:00:00:00:aa');
    expect(h.callsOf('ip.replaceNeighbour')).to.deep.equal([
      [netnsName(model.name, hv.gateway), 'eth1', VTEP.guestIp, '02:00:00:00:00:aa', 'reachable'],
    ]);
    h.addBridge('br-x');
    await h.ovs.addPort('br-x', 'tap1');
    await vtepTrunk('tap1');
    expect(h.bridgeTable.get('br-x')!.ports.get('tap1')).to.deep.equal(['vlan_mode=trunk', `trunks=${VTEP.vlan}`]);
  });

  it('observes tap bridges and customer VM answers for the failover suite', async () => {
    const l = layoutOf(model);
    const v = l.vms[0]!;
    h.addBridge('br-x');
    await h.ovs.addPort('br-x', v.tap);
    h.execResult = (_n, argv) => ({
      command: argv.join(' '),
      exitCode: 0,
      stdout: '3 packets transmitted, 3 received, 0% packet loss',
      stderr: '',
    });
    const site = l.hypervisors.find((x) => x.site)!.site!;
    const [tenant] = site.split('/');
    const vlan = siteSystems(model, site)[0]!.vlan;
    const client = { tenant: tenant!, dc: 'dc1', vlan, node: 'c', netns: 'ns-c', ifname: 'eth1' };
    const o = await observeFailover(model, [client]);
    expect(o.asks.length).to.be.greaterThan(0);
    expect(o.taps[v.name]).to.equal('br-x');
    expect(Object.keys(o.taps)).to.have.length(l.vms.length);
    for (const a of o.asks) {
      expect(a.answered).to.equal(true);
      expect(a.mac).to.equal(null);
    }
  });
});
