import { expect } from 'chai';
import { build, decodeAsFromHints, dissect, type LayerSpec } from '../../../src/decode/index.js';
import { layersText } from '../../../src/inspect/index.js';
import { expectedBlocks, observedBlocks, patternText } from '../../../src/report/index.js';
import type { Layer } from '../../../src/decode/index.js';
import { computePlan } from '../../../src/tagging/index.js';
import { ANY, Expectations, type LayerPattern } from '../../../src/tagging/expected.js';
import { loadLab } from '../../../src/topology/index.js';

const LAB = new URL('../../../labs/mtdc/fabric.yml', import.meta.url).pathname;

/** Wildcards → concrete values, so the pattern can be built into a real frame. */
function concrete(ls: LayerPattern[]): LayerSpec[] {
  return ls.map((l) => {
    const o: Record<string, unknown> = { ...l };
    for (const [k, v] of Object.entries(o)) {
      if (v !== ANY) continue;
      o[k] =
        k === 'src'
          ? '02:a0:00:00:00:01'
          : k === 'dst'
            ? '02:a0:00:00:00:02'
            : k === 'sport'
              ? 40000
              : k === 'ttl'
                ? 64
                : 0;
    }
    return o as LayerSpec;
  });
}

describe('report/stack', () => {
  it('patternText writes expected stacks exactly as fabric inspect prints the real frames', async () => {
    const model = await loadLab(LAB);
    const plan = computePlan(model);
    const ex = new Expectations(model, plan);
    const decodeAs = decodeAsFromHints(plan.decodeHints);
    let n = 0;
    for (const t of ex.traversals({
      tenant: 'green',
      src: { site: 'c1', system: 'h1' },
      dst: { site: 'k3', system: 'v1' },
    })) {
      const layers = concrete(t.layers);
      const frame = build([
        ...layers,
        { name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.52', proto: 1 },
        { name: 'icmp', type: 8, code: 0, id: 1, seq: 1 },
      ]);
      const text = layersText(dissect(frame, { decodeAs }));
      expect(text).to.equal(
        `${patternText(layers as LayerPattern[])} | IPv4 10.20.30.10 > 10.20.30.52 ICMP echo request id 1 seq 1`,
        t.link.id,
      );
      n++;
    }
    expect(n).to.equal(11);
  });

  it('draws the same blocks from a decoded frame as from its expected layers', async () => {
    const model = await loadLab(LAB);
    const plan = computePlan(model);
    const ex = new Expectations(model, plan);
    const decodeAs = decodeAsFromHints(plan.decodeHints);
    const flow = { tenant: 'red', src: { site: 'c1', system: 'h1' }, dst: { site: 'k3', system: 'v1' } };
    for (const t of ex.traversals(flow)) {
      const layers = concrete(t.layers);
      const frame = build([
        ...layers,
        { name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.52', proto: 1 },
        { name: 'icmp', type: 8, code: 0, id: 1, seq: 1 },
      ]);
      const observed = observedBlocks(dissect(frame, { decodeAs }));
      expect(observed.at(-1)).to.deep.include({
        kind: 'payload',
        value: 'IPv4 10.20.30.10 > 10.20.30.52 ICMP echo request id 1 seq 1',
      });
      expect(observed.slice(0, -1)).to.deep.equal(expectedBlocks(layers as LayerPattern[]), t.link.id);
    }
  });

  it('names every block after its role in the fabric', () => {
    const L = (l: Record<string, unknown>) => l as unknown as Layer;
    const eth = (src: string, dst: string, type: number) => L({ name: 'eth', src, dst, type });
    const vlan = (tpid: number, vid: number, type: number) => L({ name: 'vlan', tpid, vid, pcp: 0, dei: 0, type });
    const frame: Layer[] = [
      eth('02:a0:00:00:00:01', '02:a0:00:00:00:02', 0x0800),
      L({ name: 'ipv4', src: '198.51.100.1', dst: '198.51.100.2', proto: 17 }),
      L({ name: 'udp', sport: 51234, dport: 4789 }),
      L({ name: 'vxlan', vni: 4242 }),
      eth('02:fb:00:00:00:01', '02:fb:00:00:00:02', 0x8847),
      L({ name: 'mpls', label: 2003, tc: 0, ttl: 62, s: false }),
      L({ name: 'mpls', label: 1003, tc: 0, ttl: 64, s: true }),
      L({ name: 'pw', cw: false }),
      eth('02:00:00:00:00:10', '02:00:00:00:00:52', 0x88a8),
      vlan(0x88a8, 106, 0x8100),
      vlan(0x8100, 203, 0x0800),
      L({ name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.52', proto: 1 }),
      L({ name: 'icmp', type: 8, code: 0, id: 7, seq: 1 }),
      L({ name: 'raw', len: 56, reason: 'payload' }),
    ];
    expect(observedBlocks(frame).map((b) => `${b.kind}=${b.value}`)).to.deep.equal([
      'eth-outer=02:a0:00:00:00:01 > 02:a0:00:00:00:02',
      'ip-outer=IPv4 198.51.100.1 > 198.51.100.2 UDP 51234 > 4789',
      'vxlan=4242',
      'eth-outer=02:fb:00:00:00:01 > 02:fb:00:00:00:02',
      'tag4=2003 ttl 62',
      'tag3=1003 ttl 64',
      'pw=nocw',
      'eth-client=02:00:00:00:00:10 > 02:00:00:00:00:52',
      'tag1=106',
      'tag2=203',
      'payload=IPv4 10.20.30.10 > 10.20.30.52 ICMP echo request id 7 seq 1',
    ]);
    const arp = [
      eth('02:00:00:00:00:10', 'ff:ff:ff:ff:ff:ff', 0x8100),
      vlan(0x8100, 100, 0x0806),
      L({ name: 'arp', op: 1, spa: '10.20.30.10', tpa: '10.20.30.52' }),
    ];
    expect(observedBlocks(arp).map((b) => b.kind)).to.deep.equal(['eth-client', 'own-vlan', 'payload']);
    expect(
      observedBlocks([
        eth('02:00:00:00:00:10', '02:00:00:00:00:52', 0x0800),
        L({ name: 'raw', len: 12, reason: 'truncated' }),
      ]).map((b) => `${b.kind}=${b.value}`),
    ).to.deep.equal(['eth-client=02:00:00:00:00:10 > 02:00:00:00:00:52', 'raw=raw 12 (truncated)']);
    expect(observedBlocks([])).to.deep.equal([]);
  });

  it('draws expected layers with wildcards, the outer IP header with its UDP header', () => {
    const lh = [
      { name: 'eth', src: ANY, dst: ANY, type: 2048 },
      { name: 'ipv4', src: '198.51.100.1', dst: '198.51.100.2', proto: 17, ttl: ANY, id: ANY },
      { name: 'udp', sport: ANY, dport: 4789 },
      { name: 'vxlan', vni: 4242 },
      { name: 'mpls', label: 2003, s: false, ttl: 62 },
      { name: 'mpls', label: 1003, s: true, ttl: 64 },
      { name: 'pw', cw: false },
    ] as LayerPattern[];
    expect(expectedBlocks(lh).map((b) => `${b.kind}=${b.value}`)).to.deep.equal([
      'eth-client=* > *',
      'ip-outer=IPv4 198.51.100.1 > 198.51.100.2 UDP * > 4789',
      'vxlan=4242',
      'tag4=2003 ttl 62',
      'tag3=1003 ttl 64',
      'pw=nocw',
    ]);
  });
});
