// Per-layer build, dissect and round trip, plus reference frames whose checksums tshark reported
// as good (tshark -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE).
import { expect } from 'chai';
import { build, dissect, inetChecksum, stackSignature, type Layer, type LayerSpec } from '../../../src/decode/index.js';
import { FabricError } from '../../../src/errors/fabric-error.js';
import { hex, text, toHex } from './helpers.js';

const ETH = { name: 'eth', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' } as const;

function names(layers: Layer[]): string[] {
  return layers.map((l) => (l.name === 'raw' ? `raw:${l.reason}` : l.name));
}

describe('decode/layers: reference frames', () => {
  it('builds a simple ICMP echo request byte for byte', () => {
    const f = build([
      ETH,
      { name: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', id: 1 },
      { name: 'icmp', type: 8, id: 1, seq: 1 },
    ]);
    // IPv4 checksum 0x66de and ICMP checksum 0xf7fd computed by hand (RFC 1071) and confirmed by tshark.
    expect(toHex(f)).to.equal('02000000000202000000000108004500001c00010000400166de0a0000010a0000020800f7fd00010001');
  });

  it('dissects a known-good QinQ UDP frame', () => {
    const f = hex(
      'ffffffffffff02000000000188a80064810000c80800450000210007000040112a620a141e0a0a141e3204d2162e000d629e4861707079',
    );
    expect(dissect(f)).to.deep.equal([
      { name: 'eth', src: '02:00:00:00:00:01', dst: 'ff:ff:ff:ff:ff:ff', type: 0x88a8 },
      { name: 'vlan', tpid: 0x88a8, pcp: 0, dei: 0, vid: 100, type: 0x8100 },
      { name: 'vlan', tpid: 0x8100, pcp: 0, dei: 0, vid: 200, type: 0x0800 },
      { name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.50', proto: 17, ttl: 64, id: 7 },
      { name: 'udp', sport: 1234, dport: 5678 },
      { name: 'raw', len: 5, reason: 'payload' },
    ]);
    const withData = dissect(f, { keepPayload: true }).at(-1);
    expect(withData).to.deep.include({ name: 'raw', len: 5, reason: 'payload' });
    expect(Buffer.from((withData as { data: Uint8Array }).data).toString()).to.equal('Happy');
  });

  it('dissects a known-good QinQ + MPLS + pseudowire (cw) frame', () => {
    const f = hex(
      'ffffffffffff02000000000188a800648847003e9040007d210a0000000302000000003202000000000a8100006408004500001c0000000040012a7e0a141e0a0a141e320800f7ff00000000',
    );
    expect(dissect(f)).to.deep.equal([
      { name: 'eth', src: '02:00:00:00:00:01', dst: 'ff:ff:ff:ff:ff:ff', type: 0x88a8 },
      { name: 'vlan', tpid: 0x88a8, pcp: 0, dei: 0, vid: 100, type: 0x8847 },
      { name: 'mpls', label: 1001, tc: 0, s: false, ttl: 64 },
      { name: 'mpls', label: 2002, tc: 0, s: true, ttl: 10 },
      { name: 'pw', cw: true, seq: 3 },
      { name: 'eth', src: '02:00:00:00:00:0a', dst: '02:00:00:00:00:32', type: 0x8100 },
      { name: 'vlan', tpid: 0x8100, pcp: 0, dei: 0, vid: 100, type: 0x0800 },
      { name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.50', proto: 1, ttl: 64, id: 0 },
      { name: 'icmp', type: 8, code: 0, id: 0, seq: 0 },
    ]);
    expect(stackSignature(f)).to.equal('eth/vlan(88a8)/mpls/mpls/pw+cw/eth/vlan(8100)/ipv4/icmp');
  });

  it('dissects a known-good VXLAN frame with a TCP SYN inside', () => {
    const f = hex(
      'ffffffffffff02000000000108004500005e000000004011f68bc0000201c0000202c00012b5004a23af0800000000138900ffffffffffff02000000000108004500002c00000000400664c80a0101010a010102c000005000000000000000006002ffffc1d10000020405b4',
    );
    expect(names(dissect(f))).to.deep.equal(['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'tcp']);
    expect(dissect(f)[3]).to.deep.equal({ name: 'vxlan', vni: 5001 });
    expect(dissect(f)[6]).to.deep.equal({ name: 'tcp', sport: 49152, dport: 80, flags: 2 });
  });

  it('dissects known-good IPv6 TCP and ICMPv6 frames', () => {
    const tcp = hex(
      'ffffffffffff02000000000186dd6000000000260640fd000000000000000000000000000001fd0000000000000000000000000000029c400050000003e8000007d05018ffff2ece0000474554202f20485454502f312e300d0a0d0a',
    );
    expect(dissect(tcp).slice(1)).to.deep.equal([
      { name: 'ipv6', src: 'fd00::1', dst: 'fd00::2', next: 6 },
      { name: 'tcp', sport: 40000, dport: 80, flags: 0x18 },
      { name: 'raw', len: 18, reason: 'payload' },
    ]);
    const icmp6 = hex(
      'ffffffffffff02000000000186dd60000000000c3a40fd000000000000000000000000000001fd0000000000000000000000000000028000a6d80005000670696e67',
    );
    expect(dissect(icmp6).slice(2)).to.deep.equal([
      { name: 'icmp', type: 128, code: 0, id: 5, seq: 6 },
      { name: 'raw', len: 4, reason: 'payload' },
    ]);
  });

  it('builds the same bytes as the reference frames', () => {
    expect(
      toHex(
        build([
          { name: 'eth' },
          { name: 'ipv6', src: 'fd00::1', dst: 'fd00::2' },
          { name: 'icmp', id: 5, seq: 6 },
          { name: 'raw', data: text('ping') },
        ]),
      ),
    ).to.equal(
      'ffffffffffff02000000000186dd60000000000c3a40fd000000000000000000000000000001fd0000000000000000000000000000028000a6d80005000670696e67',
    );
    expect(
      toHex(
        build([{ name: 'eth' }, { name: 'arp', op: 1, sha: '02:00:00:00:00:01', spa: '10.0.0.1', tpa: '10.0.0.2' }], {
          minSize: 60,
        }),
      ),
    ).to.equal(
      'ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002000000000000000000000000000000000000',
    );
  });
});

describe('decode/layers: per layer', () => {
  it('eth: type from the bind table, raw after an unknown ethertype', () => {
    const f = build([ETH, { name: 'raw', data: text('abc') }]);
    expect(toHex(f.subarray(12, 14))).to.equal('88b5');
    expect(dissect(f)).to.deep.equal([
      { ...ETH, type: 0x88b5 },
      { name: 'raw', len: 3, reason: 'unknown-ethertype' },
    ]);
    expect(dissect(build([{ ...ETH, type: 0x0600 }]))).to.deep.equal([
      { ...ETH, type: 0x0600 },
      { name: 'raw', len: 0, reason: 'unknown-ethertype' },
    ]);
  });

  it('vlan: TCI packing, tpid from the previous type field, 0x9100 accepted', () => {
    const f = build([
      ETH,
      { name: 'vlan', tpid: 0x9100, pcp: 5, dei: 1, vid: 0xabc },
      { name: 'vlan', pcp: 7, vid: 4095 },
      { name: 'arp' },
    ]);
    expect(toHex(f.subarray(12, 22))).to.equal('9100' + 'babc' + '8100' + 'efff' + '0806');
    const l = dissect(f);
    expect(l[1]).to.deep.equal({ name: 'vlan', tpid: 0x9100, pcp: 5, dei: 1, vid: 0xabc, type: 0x8100 });
    expect(l[2]).to.deep.equal({ name: 'vlan', tpid: 0x8100, pcp: 7, dei: 0, vid: 4095, type: 0x0806 });
    expect(l[3]!.name).to.equal('arp');
  });

  it('vlan: an explicit eth.type is the tpid on the wire', () => {
    const f = build([
      { ...ETH, type: 0x88a8 },
      { name: 'vlan', vid: 3 },
      { name: 'raw', len: 2 },
    ]);
    expect(dissect(f)[1]).to.include({ tpid: 0x88a8, vid: 3, type: 0x88b5 });
  });

  it('mpls: label/tc/s/ttl packing and S from position', () => {
    const f = build([
      ETH,
      { name: 'mpls', label: 0xfffff, tc: 5, ttl: 1 },
      { name: 'mpls', label: 1001, ttl: 255 },
      { name: 'ipv4' },
    ]);
    expect(toHex(f.subarray(12, 22))).to.equal('8847' + 'fffffa01' + '003e91ff');
    const l = dissect(f);
    expect(l[1]).to.deep.equal({ name: 'mpls', label: 0xfffff, tc: 5, s: false, ttl: 1 });
    expect(l[2]).to.deep.equal({ name: 'mpls', label: 1001, tc: 0, s: true, ttl: 255 });
    expect(l[3]!.name).to.equal('ipv4');
    expect(toHex(build([ETH, { name: 'mpls', label: 1 }, { name: 'mpls', label: 2, s: false }]).subarray(14))).to.equal(
      '00001040' + '00002040',
    );
  });

  it('pw: control word with sequence number, and without cw', () => {
    const inner = [{ name: 'eth', src: '02:00:00:00:00:0a', dst: '02:00:00:00:00:0b' }, { name: 'arp' }] as const;
    const cw = build([ETH, { name: 'mpls', label: 1001 }, { name: 'pw', cw: true, seq: 0x1234 }, ...inner]);
    expect(toHex(cw.subarray(18, 22))).to.equal('00001234');
    expect(dissect(cw)[2]).to.deep.equal({ name: 'pw', cw: true, seq: 0x1234 });
    const nocw = build([ETH, { name: 'mpls', label: 1001 }, { name: 'pw' }, ...inner]);
    expect(nocw.length).to.equal(cw.length - 4);
    expect(dissect(nocw)[2]).to.deep.equal({ name: 'pw', cw: false });
    expect(names(dissect(nocw))).to.deep.equal(['eth', 'mpls', 'pw', 'eth', 'arp']);
  });

  it('vxlan: UDP 4789 from the bind table, flags 0x08, 24-bit VNI', () => {
    const f = build([
      ETH,
      { name: 'ipv4' },
      { name: 'udp' },
      { name: 'vxlan', vni: 0xfedcba },
      { name: 'eth' },
      { name: 'arp' },
    ]);
    expect(toHex(f.subarray(36, 38))).to.equal('12b5');
    expect(toHex(f.subarray(42, 50))).to.equal('08000000fedcba00');
    expect(dissect(f)[3]).to.deep.equal({ name: 'vxlan', vni: 0xfedcba });
  });

  it('ipv4: total length, IHL with options, checksum, padding trimmed', () => {
    const f = build(
      [
        ETH,
        { name: 'ipv4', ttl: 3, id: 0xbeef, options: Uint8Array.from([1, 1, 1]) },
        { name: 'udp' },
        { name: 'raw', len: 4 },
      ],
      { minSize: 80 },
    );
    expect(f.length).to.equal(80);
    expect(f[14]).to.equal(0x46);
    expect((f[16]! << 8) | f[17]!).to.equal(24 + 8 + 4);
    expect(inetChecksum(f, 14, 38)).to.equal(0);
    const l = dissect(f);
    expect(l[1]).to.deep.equal({ name: 'ipv4', src: '10.0.0.1', dst: '10.0.0.2', proto: 17, ttl: 3, id: 0xbeef });
    expect(l.at(-1)).to.deep.equal({ name: 'raw', len: 4, reason: 'payload' }); // not the 38 padding bytes
  });

  it('ipv4: non-first fragments are payload; bad IHL and version are malformed', () => {
    const frag = build([ETH, { name: 'ipv4', frag: 100 }, { name: 'udp' }]);
    expect(names(dissect(frag))).to.deep.equal(['eth', 'ipv4', 'raw:payload']);
    const f = build([ETH, { name: 'ipv4' }, { name: 'udp' }]);
    f[14] = 0x44;
    expect(dissect(f).at(-1)).to.deep.equal({ name: 'raw', len: 28, reason: 'malformed' });
    f[14] = 0x55;
    expect(dissect(f).at(-1)).to.deep.equal({ name: 'raw', len: 28, reason: 'malformed' });
    expect(names(dissect(build([ETH, { name: 'ipv4', proto: 99 }, { name: 'raw', len: 3 }])))).to.deep.equal([
      'eth',
      'ipv4',
      'raw:unknown-protocol',
    ]);
  });

  it('ipv6: payload length and next header from the bind table', () => {
    const f = build([
      ETH,
      { name: 'ipv6', src: '2001:db8::1', dst: 'ff02::1', hlim: 1 },
      { name: 'udp', sport: 1, dport: 2 },
      { name: 'raw', len: 10 },
    ]);
    expect((f[18]! << 8) | f[19]!).to.equal(18);
    expect(f[20]).to.equal(17);
    expect(f[21]).to.equal(1);
    expect(dissect(f)[1]).to.deep.equal({ name: 'ipv6', src: '2001:db8::1', dst: 'ff02::1', next: 17 });
    expect(names(dissect(build([ETH, { name: 'ipv6' }])))).to.deep.equal(['eth', 'ipv6', 'raw:unknown-protocol']);
  });

  it('arp: fields round trip; a non-Ethernet/IPv4 ARP is malformed', () => {
    const spec = {
      name: 'arp',
      op: 2,
      sha: '02:00:00:00:00:01',
      spa: '10.20.30.10',
      tha: '02:00:00:00:00:02',
      tpa: '10.20.30.50',
    } as const;
    expect(dissect(build([ETH, spec]))[1]).to.deep.equal(spec);
    expect(names(dissect(build([ETH, { ...spec, htype: 6 }])))).to.deep.equal(['eth', 'raw:malformed']);
  });

  it('icmp: checksum over the payload, id/seq always reported', () => {
    const f = build([
      ETH,
      { name: 'ipv4' },
      { name: 'icmp', type: 3, code: 1 },
      { name: 'raw', data: text('original header') },
    ]);
    expect(inetChecksum(f, 34, f.length)).to.equal(0);
    expect(dissect(f)[2]).to.deep.equal({ name: 'icmp', type: 3, code: 1, id: 0, seq: 0 });
  });

  it('udp/tcp: lengths, pseudo-header checksums, 12-bit flags, data offset', () => {
    const u = build([
      ETH,
      { name: 'ipv4' },
      { name: 'udp', sport: 53, dport: 5353 },
      { name: 'raw', data: text('hello') },
    ]);
    expect((u[38]! << 8) | u[39]!).to.equal(13);
    expect(dissect(u)[2]).to.deep.equal({ name: 'udp', sport: 53, dport: 5353 });
    const t = build([
      ETH,
      { name: 'ipv4' },
      { name: 'tcp', flags: 0x1ff, options: Uint8Array.from([2, 4, 5, 0xb4]) },
      { name: 'raw', len: 2 },
    ]);
    expect(t[46]! >> 4).to.equal(6);
    expect(dissect(t)[2]).to.deep.equal({ name: 'tcp', sport: 49152, dport: 80, flags: 0x1ff });
    expect(dissect(t).at(-1)).to.deep.equal({ name: 'raw', len: 2, reason: 'payload' });
    // Pseudo-header checksum: summing pseudo-header + segment gives 0xffff.
    let sum = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + (t.length - 34);
    for (let i = 34; i < t.length; i += 2) sum += (t[i]! << 8) | (t[i + 1] ?? 0);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).to.equal(0xffff);
  });

  it('raw: truncated headers report the bytes left', () => {
    const f = build([ETH, { name: 'vlan', vid: 5 }, { name: 'ipv4' }, { name: 'tcp' }]);
    expect(dissect(f.subarray(0, 10))).to.deep.equal([{ name: 'raw', len: 10, reason: 'truncated' }]);
    expect(dissect(new Uint8Array(0))).to.deep.equal([{ name: 'raw', len: 0, reason: 'truncated' }]);
    expect(dissect(f.subarray(0, 30)).at(-1)).to.deep.equal({ name: 'raw', len: 12, reason: 'truncated' });
    expect(dissect(f.subarray(0, 50)).at(-1)).to.deep.equal({ name: 'raw', len: 12, reason: 'truncated' });
  });

  it('build: rejects unknown layers, out-of-range values, misplaced vlan', () => {
    const bad: LayerSpec[][] = [
      [ETH, { name: 'vlan', vid: 4096 }],
      [{ name: 'vlan', vid: 1 }],
      [ETH, { name: 'mpls', label: 0x100000 }],
      [{ name: 'nope' } as unknown as LayerSpec],
      [{ ...ETH, src: 'zz' }],
    ];
    for (const specs of bad)
      expect(() => build(specs), JSON.stringify(specs))
        .to.throw(FabricError)
        .with.property('code')
        .that.matches(/^E_(BUILD|BAD_ADDRESS)$/);
  });

  it('build(dissect(frame)) gives the frame back', () => {
    const specs: LayerSpec[] = [
      ETH,
      { name: 'vlan', tpid: 0x88a8, vid: 100 },
      { name: 'vlan', vid: 200 },
      { name: 'mpls', label: 1001 },
      { name: 'pw', cw: false },
      { name: 'eth', src: '6e:00:00:00:00:01', dst: '46:00:00:00:00:02' },
      { name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.50' },
      { name: 'udp', sport: 1000, dport: 2000 },
      { name: 'raw', data: text('Happy') },
    ];
    const f = build(specs);
    expect(toHex(build(dissect(f, { keepPayload: true })))).to.equal(toHex(f));
  });
});
