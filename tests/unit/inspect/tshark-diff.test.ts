// Differential test against tshark: random stacks (plain, 802.1Q, QinQ, MPLS pseudowires with and
// without control word, VXLAN; IPv4/IPv6/ARP/ICMP/UDP/TCP inside) are written to a pcap, decoded
// by us and by `tshark -T fields`, and every field both decode without ambiguity is compared.
// Pseudowires are the ambiguous part, so both sides get the same decode-as (one bottom label for
// control-word pseudowires, another for bare ones), as the conformance judge does from the plan.
import { expect } from 'chai';
import fc from 'fast-check';
import { execa } from 'execa';
import { build, Dissector, type Layer, type LayerSpec } from '../../../src/decode/index.js';
import { encodePcap, openCapture } from '../../../src/pcap/index.js';
import { tempDir } from '../pcap/helpers.js';
import { stackArb, type GenStack } from './stacks.js';

const LABEL_CW = 100001;
const LABEL_NOCW = 100002;

const FIELDS = [
  'frame.len',
  'eth.src',
  'eth.dst',
  'vlan.id',
  'ieee8021ad.id',
  'mpls.label',
  'mpls.ttl',
  'vxlan.vni',
  'ip.src',
  'ip.dst',
  'ip.proto',
  'ip.ttl',
  'ipv6.src',
  'ipv6.dst',
  'udp.srcport',
  'udp.dstport',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'icmp.type',
  'icmpv6.type',
  'arp.opcode',
  'arp.src.proto_ipv4',
  'arp.dst.proto_ipv4',
] as const;
type Field = (typeof FIELDS)[number];

/** Keeps tshark's port-based dissectors out of the way (no GTP/Geneve/DNS guesses on random ports) and fixes the pw labels. */
function tame(s: GenStack): LayerSpec[] {
  const layers = s.layers.map((l) => ({ ...l })) as LayerSpec[];
  let lastMpls = -1;
  layers.forEach((l, i) => {
    if (l.name === 'mpls') lastMpls = i;
    if ((l.name === 'udp' && l.dport !== 4789) || l.name === 'tcp') {
      l.sport = 40000 + ((l.sport ?? 0) % 1000);
      l.dport = 41000 + ((l.dport ?? 0) % 1000);
    }
    // VXLAN source ports are ephemeral on real VTEPs; tshark tries the lower port first, so a
    // random low source port (13 = daytime) would hide the VXLAN from it.
    if (l.name === 'udp' && l.dport === 4789) l.sport = 49152 + ((l.sport ?? 0) % 16000);
    if (l.name === 'raw') l.data = new TextEncoder().encode('fabric-payload');
  });
  if (lastMpls >= 0) (layers[lastMpls] as { label: number }).label = s.pwCw ? LABEL_CW : LABEL_NOCW;
  return layers;
}

function ours(layers: Layer[], len: number): Record<Field, string> {
  const f = Object.fromEntries(FIELDS.map((k) => [k, [] as string[]])) as unknown as Record<Field, string[]>;
  f['frame.len'].push(String(len));
  let prev: Layer | undefined;
  for (const l of layers) {
    switch (l.name) {
      case 'eth':
        f['eth.src'].push(l.src);
        f['eth.dst'].push(l.dst);
        break;
      case 'vlan':
        (l.tpid === 0x88a8 ? f['ieee8021ad.id'] : f['vlan.id']).push(String(l.vid));
        break;
      case 'mpls':
        f['mpls.label'].push(String(l.label));
        f['mpls.ttl'].push(String(l.ttl));
        break;
      case 'vxlan':
        f['vxlan.vni'].push(String(l.vni));
        break;
      case 'ipv4':
        f['ip.src'].push(l.src);
        f['ip.dst'].push(l.dst);
        f['ip.proto'].push(String(l.proto));
        f['ip.ttl'].push(String(l.ttl));
        break;
      case 'ipv6':
        f['ipv6.src'].push(l.src);
        f['ipv6.dst'].push(l.dst);
        break;
      case 'udp':
        f['udp.srcport'].push(String(l.sport));
        f['udp.dstport'].push(String(l.dport));
        break;
      case 'tcp':
        f['tcp.srcport'].push(String(l.sport));
        f['tcp.dstport'].push(String(l.dport));
        f['tcp.flags'].push('0x' + l.flags.toString(16).padStart(4, '0'));
        break;
      case 'icmp':
        (prev?.name === 'ipv6' ? f['icmpv6.type'] : f['icmp.type']).push(String(l.type));
        break;
      case 'arp':
        f['arp.opcode'].push(String(l.op));
        f['arp.src.proto_ipv4'].push(l.spa);
        f['arp.dst.proto_ipv4'].push(l.tpa);
        break;
      default:
        break;
    }
    prev = l;
  }
  return Object.fromEntries(FIELDS.map((k) => [k, f[k].join(',')])) as Record<Field, string>;
}

describe('inspect: differential against tshark', function () {
  this.timeout(120000);
  const t = tempDir();
  after(() => t.cleanup());

  it('400 random stacks: every unambiguous field agrees with tshark -T fields', async () => {
    const stacks = fc.sample(stackArb, { numRuns: 400, seed: 20261121 });
    const frames = stacks.map((s) => build(tame(s)));
    const file = t.file('diff.pcap', encodePcap(frames.map((data, i) => ({ data, ts: i / 1000 }))));

    const r = await execa('tshark', [
      '-r',
      file,
      '-n',
      '-d',
      `mpls.label==${LABEL_CW},pwethcw`,
      '-d',
      `mpls.label==${LABEL_NOCW},pwethnocw`,
      '-T',
      'fields',
      '-E',
      'aggregator=,',
      '-E',
      'occurrence=a',
      ...FIELDS.flatMap((f) => ['-e', f]),
    ]);
    const theirs = r.stdout
      .split('\n')
      .filter((l) => l.length > 0)
      .map((line) => {
        const cols = line.split('\t');
        return Object.fromEntries(FIELDS.map((k, i) => [k, cols[i] ?? ''])) as Record<Field, string>;
      });
    expect(theirs).to.have.length(frames.length);

    const d = new Dissector({ decodeAs: { labels: { [LABEL_CW]: 'pw-eth-cw', [LABEL_NOCW]: 'pw-eth-nocw' } } });
    const cap = await openCapture(file);
    const problems: string[] = [];
    const kinds = new Map<string, number>();
    for await (const fr of cap) {
      d.walk(fr.data);
      const mine = ours(d.layers(), fr.len);
      const s = stacks[fr.n - 1]!;
      kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + 1);
      for (const k of FIELDS) {
        if (mine[k] !== theirs[fr.n - 1]![k])
          problems.push(
            `frame ${fr.n} (${s.kind}) ${k}: ours ${JSON.stringify(mine[k])} tshark ${JSON.stringify(theirs[fr.n - 1]![k])}`,
          );
      }
    }
    expect(problems.slice(0, 20), problems.length + ' mismatches').to.deep.equal([]);
    // The sample really covers every kind of stack.
    for (const k of ['lan', 'pw', 'vxlan']) expect(kinds.get(k) ?? 0).to.be.greaterThan(50);
  });
});
