// A lab split over emulated hosts: the split plan (bridge ports in their hosts' namespaces, the
// stitched links out of the veth list and into containerlab-style VXLAN devices, listeners on
// management addresses only), where captures go, and the adapter's resolver sending ovs-ofctl
// to a switch's listener from the management namespace and ovs-vsctl to its host's database.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeHostNet } from '../../../src/hostnet/fake.js';
import { dropOvsSites, ovsSite, useHostNet } from '../../../src/hostnet/index.js';
import { ofctlArgv } from '../../../src/hostnet/ovs-sites.js';
import { NetnsRuntime } from '../../../src/runtime/netns/index.js';
import { planLab } from '../../../src/runtime/netns/plan.js';
import { checkHostCount, splitPlan, splitSites, splitStatus } from '../../../src/runtime/netns/split.js';
import { hostJobs, hostWiringLines, vxlanLines } from '../../../src/runtime/netns/split-deploy.js';
import { buildStatus } from '../../../src/runtime/status.js';
import { readState } from '../../../src/runtime/state.js';
import { loadLab } from '../../../src/topology/index.js';
import type { LabModel } from '../../../src/topology/model.js';
import { MTDC_NETWORK } from '../scaleout/labs.js';

describe('fabric up --hosts: a lab split over emulated hosts', () => {
  let model: LabModel;
  before(async () => {
    model = await loadLab(MTDC_NETWORK);
  });

  it('refuses a host count outside 2..8', () => {
    for (const n of [1, 0, 9, 2.5, Number.NaN]) expect(() => checkHostCount(n), String(n)).to.throw(/--hosts/);
    expect(checkHostCount(2)).to.equal(2);
  });

  it('moves every bridge port into its host namespace and leaves nothing in the root namespace', () => {
    const { plan, record } = splitPlan(model, planLab(model), 2);
    expect(plan.rootEnds).to.deep.equal([]);
    expect(plan.objects.rootIfs).to.deep.equal([]);
    expect(plan.objects.netns).to.include.members(['fh-mtdc-h1', 'fh-mtdc-h2', 'fh-mtdc-ul', 'fh-mtdc-mg']);
    const hostNs = new Set(record.hosts.map((h) => h.netns));
    const bridgeNodes = new Set(plan.ovsBridges.map((b) => b.node));
    for (const l of plan.links)
      for (const e of [l.a, l.b]) {
        if (bridgeNodes.has(e.node)) expect(hostNs.has(e.netns ?? ''), `${l.id} ${e.node}`).to.equal(true);
        else expect(e.netns).to.match(/^clab-mtdc-/);
      }
    const ports = Object.values(record.ports).flat();
    expect(ports.length).to.equal(plan.links.flatMap((l) => [l.a, l.b]).filter((e) => bridgeNodes.has(e.node)).length);
  });

  it('takes the stitched links out of the veths; each end builds a VXLAN towards the other host', () => {
    const single = planLab(model);
    const { plan, record } = splitPlan(model, planLab(model), 2);
    expect(record.stitched.map((s) => s.id)).to.deep.equal(['dc1-ic:p2--dc2-ic:p2', 'dc1-pe:p2--p1:p2']);
    expect(plan.links.length).to.equal(single.links.length - 2);
    for (const s of record.stitched) {
      expect(plan.links.some((l) => l.id === s.id)).to.equal(false);
      const [a, b] = s.ends;
      expect(a.host).to.not.equal(b.host);
      expect(a.remote).to.equal(record.hosts.find((h) => h.name === b.host)!.address);
    }
    expect(record.underlayMtu).to.be.at.least(1580);
    const h1 = vxlanLines(record, 'h1');
    expect(h1).to.include(
      'link add name vx10000 mtu 1526 type vxlan id 10000 remote 192.0.2.2 dev ul dstport 14789 learning',
    );
    expect(h1).to.include(`link set dev vx10000 name ${record.stitched[0]!.ends[0].ifname}`);
    // A bridge's end stays in the host, up, for its bridge; a namespace node's end moves into the node.
    const e0 = record.stitched[0]!.ends[0];
    expect(h1).to.include(`link set dev ${e0.ifname} up`);
    const moved = { ...record, stitched: [{ ...record.stitched[0]!, ends: [{ ...e0, nodeNetns: 'clab-x-n' }, e0] }] };
    expect(vxlanLines(moved as typeof record, 'h1')).to.include(`link set dev ${e0.ifname} netns clab-x-n`);
    expect(vxlanLines(record, 'h2').filter((l) => l.startsWith('link add')).length).to.equal(2);
  });

  it('binds every listener to its host management address, one port per bridge', () => {
    const { record } = splitPlan(model, planLab(model), 2);
    expect(record.switches.length).to.equal(model.nodes.filter((n) => n.kind === 'ovs-bridge').length);
    for (const s of record.switches) {
      const mgmt = record.hosts.find((h) => h.name === s.host)!.mgmt;
      expect(s.listen).to.match(new RegExp(`^ptcp:\\d+:${mgmt.replace(/\./g, '\\.')}$`));
      expect(s.connect).to.equal(`tcp:${mgmt}:${s.listen.split(':')[1]}`);
    }
    const wiring = hostWiringLines(record);
    expect(wiring).to.have.length(4);
    const mg = hostJobs(record).find((j) => j.netns === record.mgmt);
    expect(mg && mg.kind === 'ip-batch' ? mg.lines : []).to.include('addr add 10.99.0.254/24 dev br');
  });

  it('captures bridge ends in their host namespace, stitched ends on its underlay in their tunnel', () => {
    const { record } = splitPlan(model, planLab(model), 2);
    const doc = splitStatus(buildStatus(model, 'netns'), record);
    const hostNs = new Map(record.hosts.map((h) => [h.name, h.netns]));
    let stitched = 0;
    for (const l of doc.links)
      for (const e of l.endpoints) {
        expect(e.netns, `${l.id} ${e.node}`).to.be.a('string');
        expect(e.hostIf).to.equal(null);
        const s = record.stitched.find((x) => x.id === l.id);
        if (!s) {
          expect(e.via, `${l.id} ${e.node}`).to.equal(undefined);
          continue;
        }
        stitched++;
        const end = s.ends.find((x) => x.node === e.node)!;
        expect(e.netns).to.equal(hostNs.get(end.host));
        expect(e.via).to.deep.equal({
          netns: hostNs.get(end.host),
          ifname: 'ul',
          vxlan: { vni: s.vni, dstPort: 14789 },
        });
      }
    expect(stitched).to.equal(4);
  });

  it('sends ovs-ofctl to the listener from the management namespace once the state names the bridge', () => {
    const { record } = splitPlan(model, planLab(model), 2);
    const sites = splitSites(record);
    const br = sites[0]!.bridge;
    expect(ofctlArgv(br, (t) => ['dump-flows', t])).to.deep.equal({ file: 'ovs-ofctl', args: ['dump-flows', br] });
    const work = mkdtempSync(join(tmpdir(), 'fabric-split-'));
    const state = join(work, 'state');
    const saved = process.env.FABRIC_STATE_DIR;
    process.env.FABRIC_STATE_DIR = state;
    const fake = new FakeHostNet();
    // The fake does not read ovs-vsctl transactions: the bridges are there already.
    for (const s of sites) fake.addBridge(s.bridge);
    const restore = useHostNet(fake);
    return new NetnsRuntime()
      .deploy(model, { hosts: 2 })
      .then(() => {
        expect(readState('mtdc')?.split?.hosts.map((h) => h.name)).to.deep.equal(['h1', 'h2']);
        expect(ovsSite(br)?.db).to.equal(
          `unix:/run/fabric/hosts/mtdc/${sites[0]!.netns.endsWith('h1') ? 'h1' : 'h2'}/db.sock`,
        );
        expect(ofctlArgv(br, (t) => ['dump-flows', t])).to.deep.equal({
          file: 'ip',
          args: ['netns', 'exec', 'fh-mtdc-mg', 'ovs-ofctl', 'dump-flows', sites[0]!.connect],
        });
        const calls = fake.calls.filter((c) => c.op === 'daemon.startAt');
        expect(calls.map((c) => c.args[0])).to.deep.equal(['fh-mtdc-h1', 'fh-mtdc-h2']);
        const tx = fake.calls.filter((c) => c.op === 'ovs.transaction');
        expect(tx.length).to.be.greaterThan(0);
        for (const c of tx)
          expect(JSON.stringify(c.args[1])).to.match(/--db=unix:\/run\/fabric\/hosts\/mtdc\/h[12]\/db.sock/);
      })
      .finally(() => {
        restore();
        dropOvsSites(sites.map((s) => s.bridge));
        if (saved === undefined) delete process.env.FABRIC_STATE_DIR;
        else process.env.FABRIC_STATE_DIR = saved;
        rmSync(work, { recursive: true, force: true });
      });
  });
});
