// A lab split over hosts: a stitched link's hops start with the tunnel's outer eth/ipv4/udp/vxlan
// (from the sending end's host to the receiving end's), every other hop is as on one machine.
import { expect } from 'chai';
import { stitchedLinks } from '../../../src/conformance/context.js';
import { patternText } from '../../../src/report/index.js';
import { planLab } from '../../../src/runtime/netns/plan.js';
import { splitPlan } from '../../../src/runtime/netns/split.js';
import { Expectations, type FlowSpec } from '../../../src/tagging/expected.js';
import { computePlan } from '../../../src/tagging/index.js';
import { ANY } from '../../../src/tagging/patterns.js';
import { loadLab } from '../../../src/topology/index.js';
import type { LabModel } from '../../../src/topology/model.js';
import { golden } from '../../helpers/golden.js';
import { MTDC_NETWORK } from '../scaleout/labs.js';

describe('expectations on a lab split over two hosts', () => {
  let model: LabModel;
  let one: Expectations;
  let split: Expectations;
  let stitchedIds: string[];
  const cross: FlowSpec = { tenant: 'red', src: { site: 'c1', system: 'h1' }, dst: { flood: 'broadcast' } };

  before(async () => {
    model = await loadLab(MTDC_NETWORK);
    const plan = computePlan(model);
    const { record } = splitPlan(model, planLab(model), 2);
    stitchedIds = record.stitched.map((s) => s.id);
    one = new Expectations(model, plan);
    split = new Expectations(model, plan, { stitched: stitchedLinks(record) });
  });

  it('prefixes each stitched hop with the tunnel between the hosts, in its direction', () => {
    const ts = split.traversals(cross);
    const hops = ts.filter((t) => stitchedIds.includes(t.link.id));
    expect(hops.map((t) => t.link.id).sort()).to.deep.equal([...stitchedIds].sort());
    const ic = hops.find((t) => t.link.id === 'dc1-ic:p2--dc2-ic:p2')!;
    expect([ic.from, ic.to]).to.deep.equal(['dc1-ic', 'dc2-ic']);
    expect(ic.layers.slice(0, 4)).to.deep.equal([
      { name: 'eth', src: ANY, dst: ANY, type: 0x0800 },
      { name: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2', proto: 17, ttl: ANY, id: ANY },
      { name: 'udp', sport: ANY, dport: 14789 },
      { name: 'vxlan', vni: 10000 },
    ]);
    const lh = hops.find((t) => t.link.id === 'dc1-pe:p2--p1:p2')!;
    expect(lh.layers[3]).to.deep.equal({ name: 'vxlan', vni: 10001 });
    // The other way round (dc3 to dc1 over the long haul): from h2's address to h1's.
    const back = split
      .traversals({ tenant: 'red', src: { site: 'k3', system: 'v1' }, dst: { flood: 'broadcast' } })
      .find((t) => t.link.id === 'dc1-pe:p2--p1:p2')!;
    expect([back.from, back.to]).to.deep.equal(['p1', 'dc1-pe']);
    expect(back.layers[1]).to.include({ src: '192.0.2.2', dst: '192.0.2.1' });
  });

  it('keeps the inner stack of every hop and leaves every other hop as on one machine', () => {
    const a = one.traversals(cross);
    const b = split.traversals(cross);
    expect(b.map((t) => t.link.id)).to.deep.equal(a.map((t) => t.link.id));
    b.forEach((t, i) => {
      const n = stitchedIds.includes(t.link.id) ? 4 : 0;
      expect(t.layers.slice(n), t.link.id).to.deep.equal(a[i]!.layers);
    });
  });

  it('matches the golden hop list of a cross-DC flood', () => {
    const text = split
      .traversals(cross)
      .map((t) => `${t.link.id} ${t.from} -> ${t.to}\n  ${patternText(t.layers)}`)
      .join('\n');
    golden('tests/golden/tagging/mtdc-network.split2.hops.txt', text + '\n');
  });

  it('refuses a stitched link without an end on the node a hop starts from', () => {
    const plan = computePlan(model);
    const bad = new Expectations(model, plan, {
      stitched: new Map([['dc1-ic:p2--dc2-ic:p2', { vni: 10000, dstPort: 14789, hostAddress: new Map() }]]),
    });
    expect(() => bad.traversals(cross)).to.throw(/stitched link dc1-ic:p2--dc2-ic:p2 has no end on/);
  });
});
