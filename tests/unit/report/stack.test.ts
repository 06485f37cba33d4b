import { expect } from 'chai';
import { build, decodeAsFromHints, dissect, type LayerSpec } from '../../../src/decode/index.js';
import { layersText } from '../../../src/inspect/index.js';
import { parseStack, patternText } from '../../../src/report/index.js';
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

  it('names every block after its role in the fabric', () => {
    const line =
      '02:a0:00:00:00:01 > 02:a0:00:00:00:02 | IPv4 198.51.100.1 > 198.51.100.2 UDP 51234 > 4789 | VXLAN 4242 | ' +
      '02:fb:00:00:00:01 > 02:fb:00:00:00:02 | MPLS 2003 ttl 62 | MPLS 1003 ttl 64 [S] | PW nocw | ' +
      '02:00:00:00:00:10 > 02:00:00:00:00:52 802.1ad 106 | 802.1Q 203 | IPv4 10.20.30.10 > 10.20.30.52 ICMP echo request id 7 seq 1';
    expect(parseStack(line).map((b) => `${b.kind}=${b.value}`)).to.deep.equal([
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
    expect(
      parseStack('02:00:00:00:00:10 > ff:ff:ff:ff:ff:ff 802.1Q 100 | ARP who-has 10.20.30.52 tell 10.20.30.10').map(
        (b) => b.kind,
      ),
    ).to.deep.equal(['eth-client', 'own-vlan', 'payload']);
    expect(parseStack('* > * ethertype 0x88cc').map((b) => b.kind)).to.deep.equal(['eth-client']);
    expect(parseStack('02:00:00:00:00:10 > 02:00:00:00:00:52 | raw 12 (truncated)').map((b) => b.kind)).to.deep.equal([
      'eth-client',
      'raw',
    ]);
    expect(parseStack('')).to.deep.equal([]);
  });

  it('reads the key=value pattern form as well (same blocks as the inspect form)', () => {
    const kv =
      'eth src=02:00:00:00:00:10 dst=02:00:00:00:00:52 type=34984 | vlan tpid=34984 vid=101 type=33024 | vlan tpid=33024 vid=201';
    expect(parseStack(kv)).to.deep.equal(parseStack('02:00:00:00:00:10 > 02:00:00:00:00:52 802.1ad 101 | 802.1Q 201'));
    const lh =
      'eth src=* dst=* type=2048 | ipv4 src=198.51.100.1 dst=198.51.100.2 proto=17 ttl=* id=* | udp sport=* dport=4789 | vxlan vni=4242 | mpls label=2003 s=false ttl=62 | mpls label=1003 s=true ttl=64 | pw cw=false';
    expect(parseStack(lh).map((b) => `${b.kind}=${b.value}`)).to.deep.equal([
      'eth-client=* > *',
      'ip-outer=IPv4 198.51.100.1 > 198.51.100.2 UDP * > 4789',
      'vxlan=4242',
      'tag4=2003 ttl 62',
      'tag3=1003 ttl 64',
      'pw=nocw',
    ]);
  });
});
