// The partially virtualized arrangement (seed 000 FIG. 1-2): a traditional customer hypervisor's
// host stack in the lab model, built and torn down through the host-networking adapter (fake), and
// the stacks the plan predicts on its link.
import { expect } from 'chai';
import {
  customerNetns,
  hostIsUp,
  hostNeighbours,
  hostNetns,
  inspectHostVms,
  restoreHostNeighbours,
  setHostUp,
  setupHostStack,
  teardownHostStack,
} from '../../../src/failover/host-stack.js';
import { FakeHostNet } from '../../../src/hostnet/fake.js';
import { useHostNet } from '../../../src/hostnet/index.js';
import { layoutOf } from '../../../src/failover/layout.js';
import { computePlan } from '../../../src/tagging/index.js';
import { Expectations } from '../../../src/tagging/expected.js';
import { loadLab } from '../../../src/topology/index.js';

const LAB = new URL('../../../labs/failover-partial/fabric.yml', import.meta.url).pathname;
const SYS = { name: 'v1', vlan: 100, ip: '10.20.30.50/24', mac: '02:00:00:00:00:50' };
const H = { lab: 'failover-partial', node: 'hvc-host', port: 'flvprt-hvc_4' };

describe('failover: traditional customer hypervisor (virtualization: partial)', () => {
  it('models the host stack as a namespace on the hypervisor bridge that carries the site, and no customer QEMU', async () => {
    const model = await loadLab(LAB);
    const l = layoutOf(model);
    expect(l.vms.map((v) => [v.name, v.kind, v.host, v.state, v.site])).to.deep.equal([
      ['hvc-host', 'host', 'hvc', 'active', 'red/vm'],
      ['c1-p1', 'qemu', 'c1', 'inactive', 'red/vm'],
      ['c1-p2', 'qemu', 'c1', 'inactive', 'red/vm'],
      ['c2-p1', 'qemu', 'c2', 'inactive', 'red/vm'],
      ['c2-p2', 'qemu', 'c2', 'inactive', 'red/vm'],
    ]);
    expect(model.nodes.find((n) => n.name === 'hvc-host')?.kind).to.equal('linux');
    expect(model.nodes.some((n) => n.name === 'hvc-v1')).to.equal(false);
  });

  describe('through the adapter (fake)', () => {
    let h: FakeHostNet;
    let restore: () => void;
    const HN = 'clab-failover-partial-hvc-host';
    const CN = 'clab-failover-partial-hvc-host-v1';
    beforeEach(() => {
      h = new FakeHostNet();
      restore = useHostNet(h);
      // What the runtime deployed: the host node's namespace with eth1, and its bridge port.
      h.addLink(HN, 'eth1');
      h.addLink(null, H.port);
    });
    afterEach(() => restore());

    it('builds the host vSwitch, VTEP and customer VMs', async () => {
      expect([hostNetns(H), customerNetns(H, 'v1')]).to.deep.equal([HN, CN]);
      await setupHostStack(H, [{ vlan: 100, vni: 421988 }], [SYS]);
      expect(h.addrs.get(`${HN}/eth1`)).to.deep.equal(['172.31.255.2/24']);
      expect(h.callsOf('ip.addVxlan')).to.deep.equal([
        [HN, 'vx100', { vni: 421988, local: '172.31.255.2', remote: '172.31.255.1', dstport: 4789, dev: 'eth1' }],
      ]);
      expect(h.links.get(`${HN}/vx100`)).to.include({ master: 'br100', up: true });
      expect(h.links.get(`${HN}/br100`)).to.include({ up: true });
      expect(h.netns.has(CN)).to.equal(true);
      expect(h.links.get(`${CN}/eth1`)).to.include({ mac: '02:00:00:00:00:50', up: true });
      expect(h.links.get(`${CN}/lo`)).to.include({ up: true });
      expect(h.addrs.get(`${CN}/eth1`)).to.deep.equal(['10.20.30.50/24']);
      expect(h.links.get(`${HN}/cv1`)).to.include({ master: 'br100', up: true });
      expect(h.callsOf('kernel.txOffloadOff')).to.deep.equal([[CN, ['eth1']]]);
      expect(h.callsOf('kernel.sysctl')[0]![0]).to.equal(CN);
      // Any earlier copy is removed first: the customer namespace is deleted before it is added.
      const ops = h.calls.map((c) => c.op);
      expect(ops.indexOf('ip.delNetns')).to.be.lessThan(ops.indexOf('ip.addNetns'));
      expect(await inspectHostVms(H, [SYS])).to.deep.equal([
        { name: 'v1', mac: '02:00:00:00:00:50', ip: '10.20.30.50/24', master: 'br100' },
      ]);
    });

    it('refuses a bad system or host port before touching the machine', async () => {
      await setupHostStack(H, [], [{ ...SYS, name: 'v1;x' }]).then(
        () => expect.fail('must throw'),
        (e: Error) => expect(e.message).to.match(/refused/),
      );
      await setupHostStack({ ...H, port: 'a b' }, [], [SYS]).then(
        () => expect.fail('must throw'),
        (e: Error) => expect(e.message).to.match(/bad host port/),
      );
      expect(h.calls).to.deep.equal([]);
    });

    it('simulates a host failure on its bridge port, and teardown brings the port back', async () => {
      await setupHostStack(H, [{ vlan: 100, vni: 421988 }], [SYS]);
      await setHostUp(H, false);
      expect(await hostIsUp(H)).to.equal(false);
      await teardownHostStack(H, [{ vlan: 100, vni: 421988 }], [SYS]);
      expect(await hostIsUp(H)).to.equal(true);
      expect(h.netns.has(CN)).to.equal(false);
      expect(h.links.has(`${HN}/br100`) || h.links.has(`${HN}/vx100`)).to.equal(false);
      expect(h.addrs.get(`${HN}/eth1`)).to.deep.equal([]);
      expect(h.links.has(`${HN}/eth1`)).to.equal(true);
    });

    it('carries neighbour entries: reads resolved ones, installs them STALE, refuses junk', async () => {
      h.neigh.set(`${CN}/eth1`, [
        { ip: '10.20.30.10', mac: '02:00:00:00:00:10', state: ['REACHABLE'] },
        { ip: '10.20.30.11', state: ['FAILED'] },
      ]);
      const carried = await hostNeighbours(H, [SYS]);
      expect(carried).to.deep.equal([{ vm: 'v1', ip: '10.20.30.10', mac: '02:00:00:00:00:10' }]);
      await restoreHostNeighbours(H, [SYS], carried);
      expect(h.callsOf('ip.replaceNeighbour')).to.deep.equal([
        [CN, 'eth1', '10.20.30.10', '02:00:00:00:00:10', 'stale'],
      ]);
      await restoreHostNeighbours(H, [SYS], [{ vm: 'v1', ip: '10.0.0.1;x', mac: '02:00:00:00:00:10' }]).then(
        () => expect.fail('must throw'),
        (e: Error) => expect(e.message).to.match(/refused/),
      );
    });
  });

  it("the plan expects VXLAN without the transport tag on the host stack's access port, with it on a guest tap", async () => {
    const model = await loadLab(LAB);
    const exp = new Expectations(model, computePlan(model));
    const ts = exp.traversals({ tenant: 'red', src: { site: 'c1', system: 'h1' }, dst: { flood: 'broadcast' } });
    const host = ts.find((t) => t.link.endpoints.some((e) => e.node === 'hvc-host'))!;
    expect(host.layers.map((x) => x.name)).to.deep.equal(['eth', 'ipv4', 'udp', 'vxlan', 'eth']);
    // Paused pool guests are not active: no copy is expected on their taps.
    expect(ts.some((t) => t.link.endpoints.some((e) => /^c[12]-p/.test(e.node)))).to.equal(false);
    const full = await loadLab(LAB.replace('failover-partial', 'failover'));
    const tf = new Expectations(full, computePlan(full)).traversals({
      tenant: 'red',
      src: { site: 'c1', system: 'h1' },
      dst: { flood: 'broadcast' },
    });
    const tap = tf.find((t) => t.link.endpoints.some((e) => e.node === 'hvc-v1'))!;
    expect(tap.layers.map((x) => x.name)).to.deep.equal(['eth', 'vlan', 'ipv4', 'udp', 'vxlan', 'eth']);
  });
});
