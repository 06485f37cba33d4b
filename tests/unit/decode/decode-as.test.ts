import { expect } from 'chai';
import { build, decodeAsFromHints, dissect, parseDecodeAs, type LayerSpec } from '../../../src/decode/index.js';
import { FabricError } from '../../../src/errors/fabric-error.js';

describe('decode/decode-as', () => {
  it('parses global and per-label items, with aliases and tshark syntax', () => {
    expect(parseDecodeAs(['1001=pw-eth-nocw', 'pw-eth-cw'])).to.deep.equal({
      default: 'pw-eth-cw',
      labels: { 1001: 'pw-eth-nocw' },
    });
    expect(parseDecodeAs(['7=pwethcw', '8=PWETHNOCW', '9=ip', '10=ipv6', '11=data'])).to.deep.equal({
      labels: { 7: 'pw-eth-cw', 8: 'pw-eth-nocw', 9: 'ipv4', 10: 'ipv6', 11: 'raw' },
    });
    expect(parseDecodeAs(['mpls.label==1001,pwethnocw'])).to.deep.equal({ labels: { 1001: 'pw-eth-nocw' } });
    expect(parseDecodeAs([' 12 = raw '])).to.deep.equal({ labels: { 12: 'raw' } });
    expect(parseDecodeAs([])).to.deep.equal({});
  });

  it('rejects bad syntax with E_DECODE_AS and a hint', () => {
    for (const bad of [
      '',
      'eth',
      '1001=',
      '=pw-eth-cw',
      'x=pw-eth-cw',
      '1048576=raw',
      '1=2=raw',
      '-1=raw',
      'mpls.label==a,raw',
    ]) {
      let err: unknown;
      try {
        parseDecodeAs([bad]);
      } catch (e) {
        err = e;
      }
      expect(err, bad).to.be.instanceOf(FabricError);
      expect((err as FabricError).code).to.equal('E_DECODE_AS');
      expect((err as FabricError).message).to.contain(JSON.stringify(bad));
      expect((err as FabricError).hint).to.contain('pw-eth-nocw');
    }
  });

  it('reads the tag plan hints', () => {
    expect(decodeAsFromHints({ 1001: 'pw-eth-nocw', 2002: 'pwethcw' }, { default: 'ipv4' })).to.deep.equal({
      default: 'ipv4',
      labels: { 1001: 'pw-eth-nocw', 2002: 'pw-eth-cw' },
    });
    expect(() => decodeAsFromHints({ x: 'raw' })).to.throw(FabricError);
  });

  const outer = (label: number): LayerSpec[] => [{ name: 'eth' }, { name: 'mpls', label: 5 }, { name: 'mpls', label }];
  const inner: LayerSpec[] = [
    { name: 'eth', src: '02:00:00:00:00:0a', dst: '02:00:00:00:00:0b' },
    { name: 'ipv4' },
    { name: 'icmp' },
  ];

  it('wins over the heuristic, per bottom label', () => {
    const cw = build([...outer(1001), { name: 'pw', cw: true }, ...inner]);
    expect(dissect(cw)[3]).to.deep.equal({ name: 'pw', cw: true, seq: 0 });
    // Forced to no-cw, the control word is read as the start of the inner MAC.
    const forced = dissect(cw, { decodeAs: parseDecodeAs(['1001=pw-eth-nocw']) });
    expect(forced[3]).to.deep.equal({ name: 'pw', cw: false });
    expect(forced[4]).to.include({ name: 'eth', dst: '00:00:00:00:02:00' });
    // Another label is untouched.
    expect(dissect(cw, { decodeAs: parseDecodeAs(['1002=pw-eth-nocw']) })[3]).to.deep.equal({
      name: 'pw',
      cw: true,
      seq: 0,
    });
  });

  it('global default, per-label precedence, ipv4/ipv6/raw kinds', () => {
    const ip = build([...outer(77), { name: 'ipv4' }, { name: 'udp' }, { name: 'raw', len: 6 }]);
    expect(dissect(ip, { decodeAs: { default: 'raw' } }).slice(3)).to.deep.equal([
      { name: 'raw', len: 34, reason: 'payload' },
    ]);
    expect(dissect(ip, { decodeAs: { default: 'raw', labels: { 77: 'ipv4' } } })[3]!.name).to.equal('ipv4');
    expect(dissect(ip, { decodeAs: { default: 'ipv6' } }).at(-1)).to.include({ reason: 'truncated' }); // 34 bytes < an IPv6 header
    const eth = build([...outer(77), { name: 'pw' }, ...inner]);
    expect(dissect(eth, { decodeAs: { default: 'pw-eth-cw' } })[3]).to.deep.equal({ name: 'pw', cw: true, seq: 0 });
  });
});

describe('decode/decode-as: label ranges and VXLAN ports (tshark forms)', () => {
  const pwFrame = (label: number): Uint8Array =>
    build([
      { name: 'eth' },
      { name: 'mpls', label },
      { name: 'eth', src: '46:00:00:00:00:01', dst: '46:00:00:00:00:02' },
      { name: 'ipv4' },
      { name: 'icmp' },
    ]);

  it('parses mpls.label==FROM-TO,KIND and FROM-TO=KIND; a later item wins', () => {
    expect(parseDecodeAs(['mpls.label==1000-1010,pwethnocw'])).to.deep.equal({
      ranges: [{ from: 1000, to: 1010, kind: 'pw-eth-nocw' }],
    });
    expect(parseDecodeAs(['1005=raw', '1000-1010=pw-eth-cw', '1007=ipv4'])).to.deep.equal({
      labels: { 1007: 'ipv4' },
      ranges: [{ from: 1000, to: 1010, kind: 'pw-eth-cw' }],
    });
    for (const bad of ['mpls.label==1010-1000,raw', '5-x=raw', '1-1048576=raw', 'mpls.label==1-,raw']) {
      expect(() => parseDecodeAs([bad]), bad)
        .to.throw(FabricError)
        .with.property('code', 'E_DECODE_AS');
    }
  });

  it('applies ranges: inside decodes as given, outside falls back to the heuristic', () => {
    const da = parseDecodeAs(['mpls.label==1000-1010,pwethnocw', '1005=raw']);
    expect(dissect(pwFrame(1000), { decodeAs: da }).map((l) => l.name)).to.deep.equal([
      'eth',
      'mpls',
      'pw',
      'eth',
      'ipv4',
      'icmp',
    ]);
    expect(dissect(pwFrame(1005), { decodeAs: da }).at(-1)).to.include({ name: 'raw', reason: 'payload' });
    const later = parseDecodeAs(['1000-1010=raw', '1003-1004=pw-eth-nocw']);
    expect(dissect(pwFrame(1003), { decodeAs: later })[2]).to.deep.equal({ name: 'pw', cw: false });
    expect(dissect(pwFrame(1002), { decodeAs: later }).at(-1)).to.include({ name: 'raw', reason: 'payload' });
  });

  it('decodes VXLAN on another UDP port (either side) with udp.port==N,vxlan', () => {
    expect(parseDecodeAs(['udp.port==8472,vxlan', 'udp.port == 8472, VXLAN'])).to.deep.equal({ vxlanPorts: [8472] });
    for (const bad of ['udp.port==8472,mpls', 'udp.port==70000,vxlan', 'udp.port==x,vxlan']) {
      expect(() => parseDecodeAs([bad]), bad)
        .to.throw(FabricError)
        .with.property('code', 'E_DECODE_AS');
    }
    const specs = (sport: number, dport: number): LayerSpec[] => [
      { name: 'eth' },
      { name: 'ipv4' },
      { name: 'udp', sport, dport },
      { name: 'vxlan', vni: 77 },
      { name: 'eth' },
      { name: 'arp' },
    ];
    const da = parseDecodeAs(['udp.port==8472,vxlan']);
    expect(dissect(build(specs(40000, 8472)), { decodeAs: da })[3]).to.deep.equal({ name: 'vxlan', vni: 77 });
    expect(dissect(build(specs(8472, 40000)), { decodeAs: da })[3]).to.deep.equal({ name: 'vxlan', vni: 77 });
    expect(dissect(build(specs(40000, 8472)))[3]).to.include({ name: 'raw', reason: 'payload' });
    expect(dissect(build(specs(40000, 4789)), { decodeAs: da })[3]).to.deep.equal({ name: 'vxlan', vni: 77 });
  });
});
