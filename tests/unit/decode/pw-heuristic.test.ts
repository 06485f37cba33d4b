// The pseudowire heuristic's tricky cases: MACs whose first nibble looks like a control word
// (0), IPv4 (4) or IPv6 (6), IP directly over MPLS, and payloads it must refuse to guess.
import { expect } from 'chai';
import { build, dissect, type Layer, type LayerSpec } from '../../../src/decode/index.js';
import { hex } from './helpers.js';

const OUTER: LayerSpec[] = [
  { name: 'eth', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
  { name: 'vlan', tpid: 0x88a8, vid: 100 },
  { name: 'mpls', label: 1001 },
];

function inner(dst: string, src = '02:00:00:00:00:0a'): LayerSpec[] {
  return [
    { name: 'eth', src, dst },
    { name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.50' },
    { name: 'icmp', id: 1, seq: 1 },
    { name: 'raw', len: 32 },
  ];
}

function after(layers: Layer[]): string[] {
  const i = layers.findIndex((l) => l.name === 'mpls' && l.s);
  return layers
    .slice(i + 1)
    .map((l) => (l.name === 'pw' ? (l.cw ? 'pw+cw' : 'pw') : l.name === 'raw' ? `raw:${l.reason}` : l.name));
}

describe('decode/pw heuristic', () => {
  const macs = [
    '02:00:00:00:00:32',
    '46:00:00:00:00:32',
    '45:00:00:1c:00:00',
    '6e:00:00:00:00:32',
    '60:00:00:00:00:0c',
    '00:00:5e:00:01:01',
    '00:00:00:00:00:00',
    '00:1b:21:3a:4f:10',
    'ff:ff:ff:ff:ff:ff',
    '01:00:5e:00:00:01',
  ];

  for (const dst of macs) {
    it(`Ethernet without control word, dst ${dst}`, () => {
      const f = build([...OUTER, { name: 'pw', cw: false }, ...inner(dst)]);
      expect(after(dissect(f))).to.deep.equal(['pw', 'eth', 'ipv4', 'icmp', 'raw:payload']);
      expect(dissect(f)[4]).to.include({ name: 'eth', dst });
    });
    it(`Ethernet with control word, dst ${dst}`, () => {
      const f = build([...OUTER, { name: 'pw', cw: true, seq: 9 }, ...inner(dst)]);
      expect(after(dissect(f))).to.deep.equal(['pw+cw', 'eth', 'ipv4', 'icmp', 'raw:payload']);
      expect(dissect(f)[4]).to.include({ name: 'eth', dst });
    });
  }

  it('source MACs starting 0x4_/0x6_ and inner VLAN tags without cw', () => {
    const f = build([
      ...OUTER,
      { name: 'pw' },
      { name: 'eth', src: '6e:11:22:33:44:55', dst: '46:11:22:33:44:55' },
      { name: 'vlan', vid: 10 },
      { name: 'vlan', vid: 20 },
      { name: 'arp' },
    ]);
    expect(after(dissect(f))).to.deep.equal(['pw', 'eth', 'vlan', 'vlan', 'arp']);
  });

  it('a minimum-size padded frame without cw', () => {
    const f = build(
      [...OUTER, { name: 'pw' }, { name: 'eth', src: '02:00:00:00:00:0a', dst: '46:00:00:00:00:32' }, { name: 'arp' }],
      { minSize: 60 },
    );
    expect(after(dissect(f))).to.deep.equal(['pw', 'eth', 'arp']);
  });

  it('a zero dst MAC without cw in a padded minimum frame (the 802.3-length reading must not win)', () => {
    const f = build(
      [...OUTER, { name: 'pw' }, { name: 'eth', src: '02:00:00:00:00:0a', dst: '00:00:00:00:00:00' }, { name: 'arp' }],
      { minSize: 60 },
    );
    expect(after(dissect(f))).to.deep.equal(['pw', 'eth', 'arp']);
  });

  it('LLDP behind a control word', () => {
    const f = build([
      ...OUTER,
      { name: 'pw', cw: true },
      { name: 'eth', src: '02:00:00:00:00:01', dst: '01:80:c2:00:00:0e', type: 0x88cc },
      { name: 'raw', len: 30 },
    ]);
    expect(after(dissect(f))).to.deep.equal(['pw+cw', 'eth', 'raw:unknown-ethertype']);
  });

  it('IPv4 directly over MPLS (no pw layer)', () => {
    const f = build([
      ...OUTER,
      { name: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' },
      { name: 'udp', sport: 1, dport: 2 },
      { name: 'raw', len: 3 },
    ]);
    expect(after(dissect(f))).to.deep.equal(['ipv4', 'udp', 'raw:payload']);
  });

  it('IPv4 directly over MPLS in a padded minimum frame', () => {
    const f = build([...OUTER, { name: 'ipv4' }, { name: 'icmp' }], { minSize: 60 });
    expect(after(dissect(f))).to.deep.equal(['ipv4', 'icmp']);
  });

  it('IPv6 directly over MPLS', () => {
    const f = build([
      ...OUTER,
      { name: 'ipv6', src: '2001:db8::1', dst: '2001:db8::2' },
      { name: 'icmp' },
      { name: 'raw', len: 8 },
    ]);
    expect(after(dissect(f))).to.deep.equal(['ipv6', 'icmp', 'raw:payload']);
  });

  it('an IPv4 header with a bad checksum is not taken for IPv4', () => {
    const f = build([...OUTER, { name: 'ipv4', chksum: 0x1234 }, { name: 'icmp' }]);
    expect(after(dissect(f))).to.deep.equal(['raw:pw-undecided']);
  });

  it('a MAC that looks like an IPv6 header with a consistent length still decodes as Ethernet when IPv6 does not fit', () => {
    // dst 60:00:00:00:00:0c reads as IPv6 version 6 with payload length 12: the frame is longer, so not IPv6.
    const f = build([...OUTER, { name: 'pw' }, ...inner('60:00:00:00:00:0c')]);
    expect(after(dissect(f))).to.deep.equal(['pw', 'eth', 'ipv4', 'icmp', 'raw:payload']);
  });

  it('garbage after the bottom label is pw-undecided, with its length', () => {
    const f = build([...OUTER, { name: 'raw', data: hex('deadbeefdeadbeefdeadbeefdeadbeefdeadbeef') }]);
    expect(dissect(f).at(-1)).to.deep.equal({ name: 'raw', len: 20, reason: 'pw-undecided' });
    expect(dissect(build([...OUTER])).at(-1)).to.deep.equal({ name: 'raw', len: 0, reason: 'truncated' });
  });

  it('a multicast source MAC is not plausible Ethernet', () => {
    const f = build([
      ...OUTER,
      { name: 'pw' },
      { name: 'eth', src: '03:00:00:00:00:01', dst: '02:00:00:00:00:02' },
      { name: 'arp' },
    ]);
    expect(after(dissect(f))).to.deep.equal(['raw:pw-undecided']);
  });

  it('an inner ethertype the heuristic recognises but we do not dissect (LLDP)', () => {
    const f = build([
      ...OUTER,
      { name: 'pw' },
      { name: 'eth', src: '02:00:00:00:00:01', dst: '01:80:c2:00:00:0e', type: 0x88cc },
      { name: 'raw', len: 30 },
    ]);
    expect(after(dissect(f))).to.deep.equal(['pw', 'eth', 'raw:unknown-ethertype']);
  });
});
