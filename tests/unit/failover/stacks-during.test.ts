// Stacks during a watched move: each train frame against what its port should carry. Frames are
// built with the same library the decoder shares; each wrong stack must be reported.
import { expect } from 'chai';
import { build, type LayerSpec } from '../../../src/decode/index.js';
import { checkFrames, stackProblem } from '../../../src/failover/stacks-during.js';
import { dissect } from '../../../src/decode/index.js';

const PAT = Buffer.from('red-----').toString('hex');
const payload = { name: 'raw', data: new Uint8Array([...Buffer.from(PAT, 'hex'), 0, 0, 0, 0]) } as const;
const client: LayerSpec[] = [
  { name: 'eth', src: '02:00:00:00:00:10', dst: '02:00:00:00:00:50' },
  { name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.50' },
  { name: 'icmp', type: 8, id: 64001, seq: 7 },
  payload,
];
const vtep = (o: { tag?: number | null; src?: string; vni?: number; dport?: number } = {}): Uint8Array =>
  build([
    { name: 'eth', src: '02:fa:00:00:00:01', dst: '02:fa:00:00:00:02' },
    ...(o.tag === null ? [] : [{ name: 'vlan', vid: o.tag ?? 4000 } as LayerSpec]),
    { name: 'ipv4', src: o.src ?? '172.31.255.1', dst: '172.31.255.2' },
    { name: 'udp', sport: 40000, dport: o.dport ?? 4789 },
    { name: 'vxlan', vni: o.vni ?? 421988 },
    ...client,
  ]);
const TAP = { kind: 'vtep', tagged: true, vni: 421988 } as const;

describe('failover stacks during the move', () => {
  it('accepts the planned stacks: untagged client frames, VXLAN in 802.1Q 4000 on a guest tap, untagged VXLAN on a host-stack port', () => {
    expect(stackProblem(dissect(build(client)), { kind: 'client' })).to.equal(null);
    expect(stackProblem(dissect(vtep()), TAP)).to.equal(null);
    expect(stackProblem(dissect(vtep({ tag: null })), { ...TAP, tagged: false })).to.equal(null);
  });

  it('reports each wrong stack: another VNI, no transport tag, a foreign outer address, another UDP port, a tagged client frame', () => {
    expect(stackProblem(dissect(vtep({ vni: 421989 })), TAP)).to.match(/VNI 421989/);
    expect(stackProblem(dissect(vtep({ tag: null })), TAP)).to.match(/expected 802.1Q 4000/);
    expect(stackProblem(dissect(vtep({ tag: 100 })), TAP)).to.match(/expected 802.1Q 4000/);
    expect(stackProblem(dissect(vtep()), { ...TAP, tagged: false })).to.match(/a tag on an access port/);
    expect(stackProblem(dissect(vtep({ src: '10.0.0.1' })), TAP)).to.match(/VTEP pair/);
    expect(stackProblem(dissect(vtep({ dport: 8472 })), TAP)).to.match(/not UDP 4789|no VXLAN/);
    expect(
      stackProblem(dissect(build([client[0]!, { name: 'vlan', vid: 100 }, ...client.slice(1)])), { kind: 'client' }),
    ).to.match(/expected eth\/ipv4/);
  });

  it('checks only frames with the tenant pattern and counts what it checked', () => {
    const other = build([client[0]!, client[1]!, client[2]!, { name: 'raw', data: new Uint8Array(12) }]);
    const r = checkFrames([vtep(), vtep({ vni: 1 }), other], PAT, TAP, 'tap.pcap', {
      checked: 0,
      violations: 0,
      samples: [],
    });
    expect(r).to.deep.include({ checked: 2, violations: 1 });
    expect(r.samples[0]).to.match(/^tap.pcap #2: VXLAN VNI 1/);
  });
});
