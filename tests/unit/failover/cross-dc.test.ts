// Failover across datacenters: an HA hypervisor of another DC takes a site. The plan attaches the
// site in the HA hypervisor's DC (Tag1 unchanged), every DC switch delivers the site's frames there,
// the change is a per-bridge delta, and every DC switch whose learned location of the site's MACs
// could now be wrong flushes the moved domain. Checked on labs/failover (dedicated line), labs/mtdc
// with hypervisors (long haul) and labs/ring4 (transit).
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { loadLab, loadLabText } from '../../../src/topology/index.js';
import { computePlan, programDeltas, renderPrograms, type BridgeProgram } from '../../../src/tagging/index.js';
import { strictMatch } from '../../../src/tagging/apply.js';
import { parentIn } from '../../../src/tagging/dc-routes.js';
import type { TagPlan } from '../../../src/tagging/types.js';
import { chooseTarget, layoutOf, moveSite, setVmState } from '../../../src/failover/layout.js';
import type { LabModel } from '../../../src/topology/model.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

function withHypervisors(lab: string, hvs: string): LabModel {
  const file = `${ROOT}labs/${lab}/fabric.yml`;
  const text = readFileSync(file, 'utf8').replace(/^hypervisors:[\s\S]*$/m, '');
  return loadLabText(`${text.trimEnd()}\n\nhypervisors:\n${hvs}`, file);
}

function replay(before: string[], lines: string[]): string[] {
  let flows = [...before];
  for (const l of lines) {
    if (l.startsWith('flow delete_strict '))
      flows = flows.filter((f) => strictMatch(f) !== l.slice('flow delete_strict '.length));
    else if (l.startsWith('flow add ')) flows.push(l.slice('flow add '.length));
  }
  return flows.sort();
}

/**
 * Where each DC switch learns the MACs of a site (the port its frames come in on): the site's port
 * in its own DC, the gateway toward the parent of the domain's tree elsewhere (undefined: the
 * switch never sees them).
 */
function learnedPorts(plan: TagPlan, siteKey: string): Map<string, string | undefined> {
  const s = plan.sites.find((x) => `${x.tenant}/${x.site}` === siteKey)!;
  const d = plan.domains.find((x) => x.tenant === s.tenant && x.ownVlan === s.vlans[0])!;
  const out = new Map<string, string | undefined>();
  for (const dc of plan.dcs) {
    if (dc.name === s.dc) out.set(dc.name, s.dcPort);
    else {
      const parent = parentIn(plan, d, s.dc, dc.name);
      out.set(dc.name, dc.gateways.find((g) => g.remoteDc === parent)?.dcSwitchPort);
    }
  }
  return out;
}

interface Move {
  before: BridgeProgram[];
  after: BridgeProgram[];
  planBefore: TagPlan;
  planAfter: TagPlan;
  domain: number;
}

function move(model: LabModel, site: string, from: string, to: string): Move {
  const planBefore = computePlan(model);
  const before = renderPrograms(model, planBefore);
  moveSite(model, site, from, to);
  const planAfter = computePlan(model);
  const s = planAfter.sites.find((x) => `${x.tenant}/${x.site}` === site)!;
  const domain = planAfter.domains.find((x) => x.tenant === s.tenant && x.ownVlan === s.vlans[0])!.id;
  return { before, after: renderPrograms(model, planAfter), planBefore, planAfter, domain };
}

/** Every bridge's delta turns its old flows into its new ones; stale MAC locations are flushed. */
function checkDeltas(m: Move, site: string): string[] {
  const deltas = programDeltas(m.before, m.after)!;
  expect(deltas, 'a site move is a delta (no full push)').to.not.equal(null);
  for (const d of deltas) {
    const b = m.before.find((p) => p.node === d.node)!;
    const a = m.after.find((p) => p.node === d.node)!;
    expect(replay(b.flows, d.lines), d.node).to.deep.equal([...a.flows].sort());
  }
  const was = learnedPorts(m.planBefore, site);
  const now = learnedPorts(m.planAfter, site);
  const sw = (dc: string) => m.after.find((p) => p.node === `${dc}-sw`)!.node;
  for (const [dc, port] of now) {
    if (port === was.get(dc)) continue;
    // The switch would keep sending the site's frames where it learned them: it must flush.
    const d = deltas.find((x) => x.node === sw(dc));
    expect(d?.flushed, `${dc}-sw learned ${site} on ${was.get(dc)}, now ${port}`).to.include(m.domain);
    expect(d!.lines).to.include(`flow delete cookie=0xfe/-1,reg0=${m.domain}`);
  }
  // Flushes only where the program changed, and only of the moved domain.
  for (const d of deltas) for (const f of d.flushed) expect(f).to.equal(m.domain);
  return deltas.map((d) => d.node);
}

describe('failover across datacenters', () => {
  it('labs/failover: C2 sits in dc2 and mirrors hvc; a move to it attaches red/vm in dc2 with the same Tag1', async () => {
    const model = await loadLab(`${ROOT}labs/failover/fabric.yml`);
    const l = layoutOf(model);
    expect(l.hypervisors.map((h) => [h.name, h.dc, h.serves])).to.deep.equal([
      ['hvc', 'dc1', 'red/vm'],
      ['c1', 'dc1', 'red/vm'],
      ['c2', 'dc2', 'red/vm'],
    ]);
    const tag = computePlan(model).sites.find((s) => s.site === 'vm' && s.tenant === 'red')!.hostTag;
    moveSite(model, 'red/vm', 'hvc', 'c2');
    const plan = computePlan(model);
    const s = plan.sites.find((x) => x.site === 'vm' && x.tenant === 'red')!;
    expect([s.dc, s.accessSwitch, s.hostTag]).to.deep.equal(['dc2', 'c2', tag]);
    const up = model.links.find((x) => x.id.startsWith('c2:p1--dc2-sw'))!;
    expect(s.dcPort).to.equal(up.endpoints[1].ifname);
    // dc1-sw now receives red/vm's Tag1 from the dedicated line (dc2's gateway), no longer locally.
    const dc1 = renderPrograms(model, plan).find((p) => p.node === 'dc1-sw')!;
    const gw = plan.dcs.find((d) => d.name === 'dc1')!.gateways.find((g) => g.remoteDc === 'dc2')!;
    expect(
      dc1.flows.some((f) => f.includes(`in_port=${gw.dcSwitchPort},dl_vlan=${tag},actions=pop_vlan`)),
      'dc1-sw classifies the site arriving from dc2',
    ).to.equal(true);
    expect(dc1.flows.some((f) => f.includes(`set_field:0->reg2,set_field:${tag}->reg6`))).to.equal(false);
  });

  it('labs/failover: failure of C1 while it carries the site is a move to dc2: deltas on dc1-sw and dc2-sw, both flushed', async () => {
    const model = await loadLab(`${ROOT}labs/failover/fabric.yml`);
    moveSite(model, 'red/vm', 'hvc', 'c1');
    setVmState(model, 'hvc-v1', 'failed');
    setVmState(model, 'c1-p1', 'active');
    const t = chooseTarget(layoutOf(model), 'c1');
    expect([t.c1.name, t.c1.dc, t.activate.name]).to.deep.equal(['c2', 'dc2', 'c2-p1']);
    const m = move(model, 'red/vm', 'c1', 'c2');
    expect(checkDeltas(m, 'red/vm')).to.deep.equal(['dc1-sw', 'dc2-sw']);
    // The interconnect switches are stateless per port: nothing to change there.
    // Fail-back to hvc is the reverse move, again a delta with the same flushes.
    expect(checkDeltas(move(model, 'red/vm', 'c2', 'hvc'), 'red/vm')).to.deep.equal(['dc1-sw', 'dc2-sw']);
  });

  it('a local failover still touches only its DC switch', async () => {
    const model = await loadLab(`${ROOT}labs/failover/fabric.yml`);
    expect(checkDeltas(move(model, 'red/vm', 'hvc', 'c1'), 'red/vm')).to.deep.equal(['dc1-sw']);
  });

  it('labs/mtdc: the dc3 site fails over to dc1 over the long haul; dc1, dc2 and dc3 switches all follow', () => {
    const model = withHypervisors(
      'mtdc',
      [
        '  - { name: hv3, dc: dc3, type: customer, hosts: [red/k3] }',
        '  - { name: x1, dc: dc1, type: ha, pool: 2, mirrors: hv3 }',
      ].join('\n'),
    );
    const t = chooseTarget(layoutOf(model), 'hv3');
    expect([t.c1.name, t.c1.dc]).to.deep.equal(['x1', 'dc1']);
    const m = move(model, 'red/k3', 'hv3', 'x1');
    expect(m.planAfter.sites.find((s) => s.site === 'k3' && s.tenant === 'red')?.dc).to.equal('dc1');
    // dc2 learned k3 behind its long-haul PE toward dc3; now behind the dedicated line to dc1.
    expect(checkDeltas(m, 'red/k3')).to.deep.equal(['dc1-sw', 'dc2-sw', 'dc3-sw']);
    // Tag3 and the LSPs are per DC pair, not per site: the PEs, P routers and interconnects keep their flows.
    const same = (n: string) =>
      expect(m.after.find((p) => p.node === n)?.flows, n).to.deep.equal(m.before.find((p) => p.node === n)?.flows);
    for (const p of m.after.filter((x) => !x.node.endsWith('-sw'))) same(p.node);
  });

  it('labs/ring4: a move to a DC of another ring segment re-routes transit, and every switch on the old and new paths flushes', () => {
    for (const target of ['x2', 'x4']) {
      const model = withHypervisors(
        'ring4',
        [
          '  - { name: hv3, dc: dc3, type: customer, hosts: [green/k3] }',
          '  - { name: x2, dc: dc2, type: ha, pool: 1, mirrors: hv3 }',
          '  - { name: x4, dc: dc4, type: ha, pool: 1, mirrors: hv3 }',
        ].join('\n'),
      );
      const nodes = checkDeltas(move(model, 'green/k3', 'hv3', target), 'green/k3');
      expect(nodes, target).to.include('dc3-sw');
    }
  });

  it('pool choice: an HA hypervisor of the home DC first, one of another DC when none is left at home', () => {
    const model = withHypervisors(
      'mtdc',
      [
        '  - { name: hv3, dc: dc3, type: customer, hosts: [red/k3] }',
        '  - { name: x1, dc: dc1, type: ha, pool: 1, mirrors: hv3 }',
        '  - { name: x3, dc: dc3, type: ha, pool: 1 }',
      ].join('\n'),
    );
    const t = chooseTarget(layoutOf(model), 'hv3');
    expect([t.c1.name, t.activate.name, t.c2?.name]).to.deep.equal(['x3', 'x3-p1', 'x1']);
    setVmState(model, 'x3-p1', 'active');
    const u = chooseTarget(layoutOf(model), 'hv3');
    expect([u.c1.name, u.c1.dc, u.activate.name, u.c2?.name]).to.deep.equal(['x1', 'dc1', 'x1-p1', 'x3']);
    setVmState(model, 'x1-p1', 'active');
    expect(() => chooseTarget(layoutOf(model), 'hv3'))
      .to.throw(/no HA capacity/)
      .with.property('code', 'E_FAILOVER_CAPACITY');
  });
});
