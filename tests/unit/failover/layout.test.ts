import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLab } from '../../../src/topology/index.js';
import { computePlan } from '../../../src/tagging/index.js';
import {
  chooseTarget,
  layoutOf,
  moveSite,
  moveVm,
  nextPort,
  setVmState,
  siteSystems,
} from '../../../src/failover/layout.js';
import type { LabModel } from '../../../src/topology/model.js';

const LAB = new URL('../../../labs/failover/fabric.yml', import.meta.url).pathname;

describe('failover layout and model edits', () => {
  let model: LabModel;
  beforeEach(async () => {
    model = await loadLab(LAB);
  });

  it('resolves physical hypervisors as OVS bridges with a hypervisor uplink, virtual ones as generic_vm on taps', () => {
    const l = layoutOf(model);
    expect(l.hypervisors.map((h) => [h.name, h.type, h.site])).to.deep.equal([
      ['hvc', 'customer', 'red/vm'],
      ['c1', 'ha', null],
      ['c2', 'ha', null],
    ]);
    expect(l.vms.map((v) => [v.name, v.host, v.state, v.site, v.pool])).to.deep.equal([
      ['hvc-v1', 'hvc', 'active', 'red/vm', null],
      ['c1-p1', 'c1', 'inactive', 'red/vm', 'c1'],
      ['c1-p2', 'c1', 'inactive', 'red/vm', 'c1'],
      ['c2-p1', 'c2', 'inactive', 'red/vm', 'c2'],
      ['c2-p2', 'c2', 'inactive', 'red/vm', 'c2'],
    ]);
    // The hosted site has no access switch and no endpoint namespace: its systems are customer VMs.
    expect(model.nodes.some((n) => n.name === 'red-vm-sw' || n.name === 'red-vm-v1')).to.equal(false);
    const up = model.links.find((x) => x.id.startsWith('hvc:p1--dc1-sw'));
    expect(up?.class).to.equal('hypervisor');
  });

  it('the tag plan attaches the hosted site where its hypervisor uplinks, and follows a moveSite', () => {
    const port = (hv: string) => model.links.find((x) => x.id.startsWith(`${hv}:p1--dc1-sw`))!.endpoints[1].ifname;
    expect(computePlan(model).sites.find((s) => s.site === 'vm')?.dcPort).to.equal(port('hvc'));
    const tagsBefore = computePlan(model).sites.map((s) => [s.tenant, s.site, s.hostTag]);
    moveSite(model, 'red/vm', 'hvc', 'c1');
    const after = computePlan(model);
    expect(after.sites.find((s) => s.site === 'vm')?.dcPort).to.equal(port('c1'));
    expect(after.sites.find((s) => s.site === 'vm')?.accessSwitch).to.equal('c1');
    // Same tags: only the attachment port changes.
    expect(after.sites.map((s) => [s.tenant, s.site, s.hostTag])).to.deep.equal(tagsBefore);
    expect(layoutOf(model).hypervisors.find((h) => h.name === 'hvc')?.site).to.equal(null);
  });

  it('chooses C1 with a pool VM and C2 as evacuation target; refuses unknown hosts and exhausted capacity', () => {
    const t = chooseTarget(layoutOf(model), 'hvc');
    expect([t.c1.name, t.activate.name, t.evacuate.map((v) => v.name), t.c2?.name]).to.deep.equal([
      'c1',
      'c1-p1',
      ['c1-p2'],
      'c2',
    ]);
    expect(() => chooseTarget(layoutOf(model), 'nope'))
      .to.throw(/unknown hypervisor/)
      .with.property('code', 'E_FAILOVER_HOST');
    expect(() => chooseTarget(layoutOf(model), 'c2'))
      .to.throw(/hosts no customer site/)
      .with.property('code', 'E_FAILOVER_HOST');
    setVmState(model, 'c1-p1', 'active');
    setVmState(model, 'c1-p2', 'active');
    // C1's pool used up: C2's own pool takes the site, and C1 becomes the evacuation target.
    const u = chooseTarget(layoutOf(model), 'hvc');
    expect([u.c1.name, u.activate.name, u.evacuate.map((v) => v.name), u.c2?.name]).to.deep.equal([
      'c2',
      'c2-p1',
      ['c2-p2'],
      'c1',
    ]);
    setVmState(model, 'c2-p1', 'active');
    setVmState(model, 'c2-p2', 'active');
    expect(() => chooseTarget(layoutOf(model), 'hvc'))
      .to.throw(/no HA capacity/)
      .with.property('code', 'E_FAILOVER_CAPACITY');
  });

  it('user keys that are Object.prototype names are no hypervisor, tenant or site (a coded error, no TypeError)', () => {
    const keys = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'];
    for (const k of keys) {
      expect(() => chooseTarget(layoutOf(model), k), k)
        .to.throw(/unknown hypervisor/)
        .with.property('code', 'E_FAILOVER_HOST');
      for (const site of [`${k}/vm`, `red/${k}`, k])
        expect(() => siteSystems(model, site), site)
          .to.throw(/no site/)
          .with.property('code', 'E_FAILOVER_MODEL');
    }
    expect(siteSystems(model, 'red/vm').map((s) => s.name)).to.deep.equal(['v1']);
  });

  it('mirrors keep their site after failover and evacuation: the HA host now carrying the site can fail over again', () => {
    const t = chooseTarget(layoutOf(model), 'hvc');
    moveSite(model, t.site, 'hvc', t.c1.name);
    setVmState(model, t.activate.name, 'active');
    setVmState(model, t.sourceVm.name, 'failed');
    for (const v of t.evacuate) moveVm(model, v.name, t.c2!.name, nextPort(model, t.c2!.name));
    const l = layoutOf(model);
    expect(l.vms.map((v) => [v.name, v.host, v.site])).to.deep.equal([
      ['hvc-v1', 'hvc', 'red/vm'],
      ['c1-p1', 'c1', 'red/vm'],
      ['c1-p2', 'c2', 'red/vm'],
      ['c2-p1', 'c2', 'red/vm'],
      ['c2-p2', 'c2', 'red/vm'],
    ]);
    expect(l.hypervisors.map((h) => [h.name, h.serves])).to.deep.equal([
      ['hvc', 'red/vm'],
      ['c1', 'red/vm'],
      ['c2', 'red/vm'],
    ]);
    const u = chooseTarget(l, 'c1');
    expect([
      u.source.name,
      u.sourceVm.name,
      u.c1.name,
      u.activate.name,
      u.evacuate.map((v) => v.name),
      u.c2,
    ]).to.deep.equal(['c1', 'c1-p1', 'c2', 'c1-p2', ['c2-p1', 'c2-p2'], null]);
  });

  it('two customer hypervisors in one DC: each failover goes to the HA hypervisor whose pool mirrors it', async () => {
    const m = await loadLab(new URL('../../golden/topology/ok/failover-mirrors/fabric.yml', import.meta.url).pathname);
    const l = layoutOf(m);
    expect(l.hypervisors.map((h) => [h.name, h.serves])).to.deep.equal([
      ['hvc', 'red/vm'],
      ['hvd', 'green/k1'],
      ['c1', 'red/vm'],
      ['c2', 'green/k1'],
    ]);
    const red = chooseTarget(l, 'hvc');
    expect([red.c1.name, red.activate.name, red.evacuate.map((v) => v.name), red.c2?.name]).to.deep.equal([
      'c1',
      'c1-p1',
      ['c1-p2'],
      'c2',
    ]);
    const green = chooseTarget(l, 'hvd');
    expect([green.c1.name, green.activate.name, green.evacuate.map((v) => v.name), green.c2?.name]).to.deep.equal([
      'c2',
      'c2-p1',
      [],
      'c1',
    ]);
    // green's only mirror used: c1's red mirrors never take green's site (c1 serves red's VLANs).
    setVmState(m, 'c2-p1', 'active');
    expect(() => chooseTarget(layoutOf(m), 'hvd'))
      .to.throw(/no HA capacity/)
      .with.property('code', 'E_FAILOVER_CAPACITY');
  });

  it('moveVm re-links a VM to a fresh port of another hypervisor (what status --json shows)', () => {
    const port = nextPort(model, 'c2');
    expect(port.label).to.equal('p6'); // p1 uplink, p2/p3 the bridge device, p4/p5 its own pool
    moveVm(model, 'c1-p2', 'c2', port);
    const l = layoutOf(model);
    expect(l.vms.find((v) => v.name === 'c1-p2')).to.include({ host: 'c2', tap: port.ifname });
    const link = model.links.find((x) => x.endpoints.some((e) => e.node === 'c1-p2'))!;
    expect(link.id).to.equal('c1-p2:eth1--c2:p6');
    // c1-p2's old tap (c1 p5) is gone from c1; c2's next free port is p7.
    const c1 = model.nodes.find((n) => n.name === 'c1')!.interfaces.map((f) => f.name);
    expect(c1).to.not.include('flvr-c1_5');
    expect(c1).to.include('flvr-c1_4');
    expect(nextPort(model, 'c2').label).to.equal('p7');
  });

  it('rejects a customer hypervisor without exactly one hosted site, and a site in another DC', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fo-'));
    try {
      const base = (hv: string) =>
        `name: x\ndatacenters: { dc1: {}, dc2: {} }\ntenants:\n  red:\n    sites:\n      - { name: vm, type: cloud, dc: dc2, systems: [ { name: v1, vlan: 100, ip: 10.0.0.5/24, mac: "02:00:00:00:00:05" } ] }\nhypervisors:\n${hv}\n`;
      writeFileSync(join(dir, 'a.yml'), base('  - { name: h, dc: dc1, type: customer }'));
      await loadLab(join(dir, 'a.yml')).then(
        () => expect.fail('accepted'),
        (e: Error) => expect(String(e.message) + JSON.stringify(e)).to.match(/E_HV_HOSTS/),
      );
      writeFileSync(join(dir, 'b.yml'), base('  - { name: h, dc: dc1, type: customer, hosts: [red/vm] }'));
      await loadLab(join(dir, 'b.yml')).then(
        () => expect.fail('accepted'),
        (e: Error) => expect(String(e.message) + JSON.stringify(e)).to.match(/E_HV_SITE/),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
