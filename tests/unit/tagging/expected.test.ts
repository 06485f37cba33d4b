// expectedStack: the per-hop stacks the judge holds captures to, derived from the plan alone.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { build, dissect } from '../../../src/decode/index.js';
import { computePlan } from '../../../src/tagging/index.js';
import { Expectations, matchLayers, type FlowSpec, type LayerPattern } from '../../../src/tagging/expected.js';
import { loadLabText } from '../../../src/topology/index.js';

const MTDC = new URL('../../../labs/mtdc/fabric.yml', import.meta.url).pathname;
const lab = loadLabText(readFileSync(MTDC, 'utf8'), 'labs/mtdc/fabric.yml');
const plan = computePlan(lab);
const exp = new Expectations(lab, plan);
const linkOf = (a: string, b: string) => {
  const l = lab.links.find((x) => x.endpoints.some((e) => e.node === a) && x.endpoints.some((e) => e.node === b));
  if (!l) throw new Error(`no link ${a}-${b}`);
  return l.id;
};

const c1ToK3: FlowSpec = { tenant: 'red', src: { site: 'c1', system: 'h1' }, dst: { site: 'k3', system: 'v1' } };

describe('expectedStack', () => {
  it('refuses unicast between two own VLANs: that is routing, not the tenant L2 domain', () => {
    const f: FlowSpec = { tenant: 'red', src: { site: 'c1', system: 'h1' }, dst: { site: 'k1', system: 'v2' } };
    expect(() => exp.traversals(f)).to.throw(/different own VLANs/);
  });

  it('keeps a same-DC frame off every fabric link', () => {
    const f: FlowSpec = { tenant: 'blue', src: { site: 'c1', system: 'h1' }, dst: { site: 'k1', system: 'v1' } };
    expect(exp.traversals(f).map((t) => t.class)).to.deep.equal([
      'client-access',
      'tenant-lan',
      'tenant-lan',
      'client-access',
    ]);
  });

  it('crosses the long haul with Tag4 swapped at each P hop, Tag3 of the destination DC, and QinQ inside', () => {
    const ts = exp.traversals(c1ToK3);
    expect(ts.map((t) => t.class)).to.deep.equal([
      'client-access',
      'tenant-lan',
      'dc-fabric',
      'long-haul',
      'long-haul',
      'long-haul',
      'provider',
      'long-haul',
      'dc-fabric',
      'tenant-lan',
      'client-access',
    ]);
    const lh = ts.filter((t) => t.class === 'long-haul').map((t) => t.layers.find((l) => l.name === 'mpls'));
    expect(lh.map((m) => m?.label)).to.deep.equal([2001, 2002, 2003, 2003]);
    expect(lh.map((m) => m?.ttl)).to.deep.equal([64, 63, 62, 62]);
    const pwLabel = ts[3].layers.filter((l) => l.name === 'mpls')[1];
    expect(pwLabel).to.include({ label: 1003, s: true });
    const fab = ts[2].layers;
    expect(fab[1]).to.include({ tpid: 0x88a8, vid: 101 });
    expect(fab[2]).to.include({ tpid: 0x8100, vid: 201 });
  });

  it('puts an outer IPv4/UDP 4789/VXLAN header on the provider segment only', () => {
    for (const t of exp.traversals(c1ToK3)) {
      const hasIp = t.layers[1]?.name === 'ipv4';
      expect(hasIp, t.class).to.equal(t.class === 'provider');
    }
    const prov = exp.traversals(c1ToK3).find((t) => t.class === 'provider') as { layers: LayerPattern[] };
    expect(prov.layers[2]).to.include({ name: 'udp', dport: 4789 });
  });

  it("says a flow must not appear on another tenant's links", () => {
    const end = { link: linkOf('green-k3-sw', 'green-k3-v1'), node: 'green-k3-v1' };
    expect(exp.expectedStack(c1ToK3, end)).to.deep.equal({ appears: false });
    const own = { link: linkOf('red-k3-sw', 'red-k3-v1'), node: 'red-k3-v1' };
    expect(exp.expectedStack(c1ToK3, own).appears).to.equal(true);
  });

  it('floods a broadcast to every site of the VLAN in every DC, once per DC, never back (split horizon)', () => {
    const ts = exp.traversals({ tenant: 'green', src: { site: 'c2', system: 'h1' }, dst: { flood: 'broadcast' } });
    const delivered = ts
      .filter((t) => t.class === 'client-access' && t.from.endsWith('-sw'))
      .map((t) => t.to)
      .sort();
    expect(delivered).to.deep.equal(['green-c1-h1', 'green-k1-v1', 'green-k2-v1', 'green-k3-v1']);
    expect(
      ts
        .filter((t) => t.to.endsWith('-sw') && t.class === 'dc-fabric')
        .map((t) => t.to)
        .sort(),
    ).to.deep.equal(['dc1-sw', 'dc3-sw']);
    // dc1 and dc3 never relay the copy to each other.
    expect(
      ts.some((t) => (t.from === 'dc1-sw' && t.to === 'dc1-pe') || (t.from === 'dc3-sw' && t.to === 'dc3-pe')),
    ).to.equal(false);
    // VLAN 200 systems hear nothing of a VLAN 100 broadcast.
    expect(delivered).to.not.include('green-c1-h2');
  });

  it('matches a real frame built with the fabric tags, and names the first wrong field', () => {
    const dcFab = exp.traversals(c1ToK3)[2].layers;
    const frame = build([
      { name: 'eth', src: '02:00:00:00:00:10', dst: '02:00:00:00:00:52' },
      { name: 'vlan', tpid: 0x88a8, vid: 101 },
      { name: 'vlan', tpid: 0x8100, vid: 201 },
      { name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.52' },
      { name: 'icmp', type: 8, code: 0 },
    ]);
    expect(matchLayers(dissect(frame), dcFab)).to.equal(null);
    const wrong = build([
      { name: 'eth', src: '02:00:00:00:00:10', dst: '02:00:00:00:00:52' },
      { name: 'vlan', tpid: 0x88a8, vid: 106 },
      { name: 'vlan', tpid: 0x8100, vid: 201 },
      { name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.52' },
    ]);
    expect(matchLayers(dissect(wrong), dcFab)).to.equal('layer 1 vlan.vid: expected 101, got 106');
  });
});
