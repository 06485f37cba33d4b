// The partially virtualized arrangement (seed 000 FIG. 1-2): a traditional customer hypervisor's
// host stack in the lab model, its argv commands, and the stacks the plan predicts on its link.
import { expect } from 'chai';
import { hostStackCommands } from '../../../src/failover/host-stack.js';
import { layoutOf } from '../../../src/failover/layout.js';
import { computePlan } from '../../../src/tagging/index.js';
import { Expectations } from '../../../src/tagging/expected.js';
import { loadLab } from '../../../src/topology/index.js';

const LAB = new URL('../../../labs/failover-partial/fabric.yml', import.meta.url).pathname;
const SYS = { name: 'v1', vlan: 100, ip: '10.20.30.50/24', mac: '02:00:00:00:00:50' };
const H = { lab: 'failover-partial', node: 'hvc-host', port: 'fp5895fe03d4' };

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

  it('builds the host vSwitch, VTEP and customer VMs with argv commands only', () => {
    const cmds = hostStackCommands(H, [{ vlan: 100, vni: 421988 }], [SYS]);
    expect(cmds.every((c) => c[0] === 'ip' && c.every((w) => !/[;&|`$<>]/.test(w)))).to.equal(true);
    const text = cmds.map((c) => c.join(' '));
    expect(text).to.include('ip -n clab-failover-partial-hvc-host addr replace 172.31.255.2/24 dev eth1');
    expect(text).to.include(
      'ip -n clab-failover-partial-hvc-host link add vx100 type vxlan id 421988 local 172.31.255.2 remote 172.31.255.1 dstport 4789 dev eth1',
    );
    expect(text).to.include('ip netns add clab-failover-partial-hvc-host-v1');
    expect(text).to.include('ip -n clab-failover-partial-hvc-host-v1 link set eth1 address 02:00:00:00:00:50');
    expect(text).to.include('ip -n clab-failover-partial-hvc-host link set cv1 master br100 up');
    expect(() => hostStackCommands(H, [], [{ ...SYS, name: 'v1;x' }])).to.throw(/refused/);
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
