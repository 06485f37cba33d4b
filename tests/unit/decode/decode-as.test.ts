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
