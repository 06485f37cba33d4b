// The restoration path's flow push: the change of a site move as deltas (strict deletes, adds,
// a flush of the moved domain's learned MACs), checked against the full programs on both sides.
import { expect } from 'chai';
import { loadLab } from '../../../src/topology/index.js';
import { computePlan, programDeltas, renderPrograms } from '../../../src/tagging/index.js';
import { strictMatch } from '../../../src/tagging/apply.js';
import { moveSite } from '../../../src/failover/layout.js';
import { planRetag } from '../../../src/failover/retag.js';
import type { BridgeProgram } from '../../../src/tagging/index.js';

const LAB = new URL('../../../labs/failover/fabric.yml', import.meta.url).pathname;

/** Applies delta lines to a program's flow list the way the switch would (flows only). */
function replay(before: string[], lines: string[]): string[] {
  let flows = [...before];
  for (const l of lines) {
    if (l.startsWith('flow delete_strict '))
      flows = flows.filter((f) => strictMatch(f) !== l.slice('flow delete_strict '.length));
    else if (l.startsWith('flow add ')) flows.push(l.slice('flow add '.length));
  }
  return flows.sort();
}

describe('retag deltas', () => {
  it('strictMatch keeps table, priority and match; drops cookie and actions', () => {
    expect(
      strictMatch(
        'cookie=0x1,table=0,priority=100,in_port={{ofport:p3}},dl_vlan=100,actions=set_field:1->reg0,goto_table:2',
      ),
    ).to.equal('table=0,priority=100,in_port={{ofport:p3}},dl_vlan=100');
  });

  it('a site move is a small delta on the DC switch that turns the old program into the new one', async () => {
    const model = await loadLab(LAB);
    const before = renderPrograms(model, computePlan(model));
    moveSite(model, 'red/vm', 'hvc', 'c1');
    const after = renderPrograms(model, computePlan(model));
    const deltas = programDeltas(before, after)!;
    expect(deltas.map((d) => d.node)).to.deep.equal(['dc1-sw']);
    const d = deltas[0]!;
    expect(d.removed).to.be.greaterThan(0).and.equal(d.added);
    const b = before.find((p) => p.node === 'dc1-sw')!;
    const a = after.find((p) => p.node === 'dc1-sw')!;
    expect(replay(b.flows, d.lines)).to.deep.equal([...a.flows].sort());
    // The moved domain's learned MAC entries are flushed, and nothing else.
    const flush = d.lines.filter((l) => l.startsWith('flow delete cookie='));
    expect(flush).to.have.length(1);
    expect(flush[0]).to.match(/^flow delete cookie=0xfe\/-1,reg0=\d+$/);
    // Group changes ride in the same bundle, before the flows.
    const g = a.groups.filter((x) => !b.groups.includes(x));
    for (const x of g)
      expect(d.lines.indexOf(`group modify ${x}`)).to.be.within(
        0,
        d.lines.findIndex((l) => l.startsWith('flow ')),
      );
  });

  it('no change is no delta; a meter change or a new bridge needs a full apply', async () => {
    const model = await loadLab(LAB);
    const p = renderPrograms(model, computePlan(model));
    expect(programDeltas(p, p)).to.deep.equal([]);
    const meters: BridgeProgram[] = p.map((x) =>
      x.meters.length ? { ...x, meters: x.meters.map((m) => m.replace(/rate=\d+/, 'rate=7')) } : x,
    );
    expect(programDeltas(p, meters)).to.equal(null);
    expect(programDeltas(p.slice(1), p)).to.equal(null);
  });
  it('the deltas planned before the trigger equal those of the edited model, and leave the armed model as it was', async () => {
    const model = await loadLab(LAB);
    const before = renderPrograms(model, computePlan(model));
    const frozen = JSON.stringify(model);
    const planned = planRetag(model, before, (m) => moveSite(m, 'red/vm', 'hvc', 'c1'));
    expect(JSON.stringify(model)).to.equal(frozen);
    moveSite(model, 'red/vm', 'hvc', 'c1');
    const now = programDeltas(before, renderPrograms(model, computePlan(model)));
    expect(planned).to.deep.equal(now);
    expect(planned?.map((d) => d.node)).to.deep.equal(['dc1-sw']);
  });
});
