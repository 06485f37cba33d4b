// The hypervisor reference lab split over emulated hosts: each hypervisor is placed with its
// bridge device and its guests, the state tells the host-networking adapter which host namespace
// every port of a bridge (guest taps included) lives in, and the host stack of the partial
// hypervisor fails and returns in that namespace, not in this machine's root namespace.
import { expect } from 'chai';
import { layoutOf } from '../../../src/failover/layout.js';
import { hostIsUp, setHostUp } from '../../../src/failover/host-stack.js';
import { FakeHostNet } from '../../../src/hostnet/fake.js';
import { bridgeNetns, dropOvsSites, portNetns, useHostNet, useOvsSites } from '../../../src/hostnet/index.js';
import { notePort, ovsSite } from '../../../src/hostnet/ovs-sites.js';
import { planLab } from '../../../src/runtime/netns/plan.js';
import { splitPlan, splitSites } from '../../../src/runtime/netns/split.js';
import { loadLab } from '../../../src/topology/index.js';
import type { LabModel } from '../../../src/topology/model.js';

const LAB = new URL('../../../labs/mtdc/fabric.yml', import.meta.url).pathname;

describe('failover on a split lab: guests, taps and host stacks on their emulated hosts', () => {
  let model: LabModel;
  let bridges: string[] = [];
  before(async () => {
    model = await loadLab(LAB);
  });
  afterEach(() => dropOvsSites(bridges));

  function register(): ReturnType<typeof splitPlan>['record'] {
    const { record } = splitPlan(model, planLab(model), 2);
    const sites = splitSites(record, model);
    bridges = sites.map((s) => s.bridge);
    useOvsSites(sites);
    return record;
  }

  it('places each hypervisor with its bridge device and its guests, and splits no hypervisor link', () => {
    const record = register();
    const hostOf = new Map(record.switches.map((s) => [s.node, s.host]));
    const layout = layoutOf(model);
    expect(layout.hypervisors.map((h) => h.name).sort()).to.deep.equal(['ha2', 'ha3', 'hv2', 'hv3']);
    const stitched = record.stitched.flatMap((s) => s.ends.map((e) => e.node));
    for (const h of layout.hypervisors) {
      expect(hostOf.get(h.name), h.name).to.be.oneOf(['h1', 'h2']);
      // The bridge device and the guests' links never cross hosts: only an uplink may.
      expect(
        stitched.filter((n) => n === h.gateway),
        h.gateway,
      ).to.deep.equal([]);
    }
    // The pair that fails over in `fabric test` sits on different hosts: the move crosses them.
    expect(hostOf.get('hv3')).to.not.equal(hostOf.get('ha3'));
  });

  it('tells the adapter the namespace of every guest tap and host-stack port: their hypervisor host', () => {
    const record = register();
    const nsOf = new Map(record.hosts.map((h) => [h.name, h.netns]));
    const hostOf = new Map(record.switches.map((s) => [s.node, s.host]));
    const layout = layoutOf(model);
    expect(layout.vms).to.have.length(6);
    for (const v of layout.vms) {
      const hv = layout.hypervisors.find((h) => h.name === v.host)!;
      const ns = nsOf.get(hostOf.get(v.host)!)!;
      expect(portNetns(v.tap), `${v.name} ${v.tap}`).to.equal(ns);
      expect(bridgeNetns(hv.bridge), hv.bridge).to.equal(ns);
    }
    // A port the model does not name yet (a migration target's tap) follows its bridge once added.
    const ha3 = layout.hypervisors.find((h) => h.name === 'ha3')!;
    expect(portNetns('mtdc-ha3_9')).to.equal(null);
    notePort(ha3.bridge, 'mtdc-ha3_9');
    expect(portNetns('mtdc-ha3_9')).to.equal(ovsSite(ha3.bridge)!.netns);
    // Another machine's bridge (single-host labs) stays in the root namespace.
    expect(bridgeNetns('mtdc-nowhere')).to.equal(null);
    dropOvsSites(bridges);
    expect(portNetns('mtdc-ha3_9')).to.equal(null);
    expect(portNetns(layout.vms[0]!.tap)).to.equal(null);
  });

  it("fails and returns the partial hypervisor's host stack at its port in the host namespace", async () => {
    register();
    const v = layoutOf(model).vms.find((x) => x.kind === 'host')!;
    const ns = portNetns(v.tap)!;
    expect(ns).to.match(/^fh-mtdc-h[12]$/);
    const fake = new FakeHostNet();
    fake.addLink(ns, v.tap);
    const restore = useHostNet(fake);
    try {
      const h = { lab: 'mtdc', node: v.name, port: v.tap };
      await setHostUp(h, false);
      expect(await hostIsUp(h)).to.equal(false);
      await setHostUp(h, true);
      expect(await hostIsUp(h)).to.equal(true);
      expect(fake.callsOf('ip.setLink').map((c) => c[0])).to.deep.equal([ns, ns]);
    } finally {
      restore();
    }
  });
});
