import { expect } from 'chai';
import { formatIpv4, formatIpv6, formatMac, ipv4, ipv6, mac } from '../../../src/decode/index.js';
import { FabricError } from '../../../src/errors/fabric-error.js';

describe('decode/addr', () => {
  it('parses and formats MACs lowercase, colon-separated', () => {
    const m = mac('02:AB:cd:00:0:1');
    expect(Array.from(m)).to.deep.equal([2, 0xab, 0xcd, 0, 0, 1]);
    expect(formatMac(m, 0)).to.equal('02:ab:cd:00:00:01');
    expect(formatMac(Uint8Array.from([0, 0xff, 1, 2, 3, 4, 5, 6]), 2)).to.equal('01:02:03:04:05:06');
  });

  it('formats many distinct MACs and IPv4 addresses correctly (past the memo size)', () => {
    const b = new Uint8Array(6);
    for (let i = 0; i < 70000; i += 997) {
      b[3] = i >> 16;
      b[4] = (i >> 8) & 255;
      b[5] = i & 255;
      expect(formatMac(b, 0)).to.equal(Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':'));
      expect(formatIpv4(b, 2)).to.equal(Array.from(b.subarray(2, 6)).join('.'));
    }
  });

  it('parses and formats IPv4', () => {
    expect(Array.from(ipv4('10.20.30.255'))).to.deep.equal([10, 20, 30, 255]);
    expect(formatIpv4(ipv4('192.0.2.1'), 0)).to.equal('192.0.2.1');
  });

  it('formats IPv6 as RFC 5952 text', () => {
    const cases: Array<[string, string]> = [
      ['fd00::1', 'fd00::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['::', '::'],
      ['::1', '::1'],
      ['fe80::', 'fe80::'],
      ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
      ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
      ['FD00:0:0:1::', 'fd00:0:0:1::'],
    ];
    for (const [input, want] of cases) expect(formatIpv6(ipv6(input), 0), input).to.equal(want);
  });

  it('rejects bad addresses with E_BAD_ADDRESS', () => {
    for (const bad of ['02:00:00:00:00', '02:00:00:00:00:0g', '']) {
      expect(() => mac(bad))
        .to.throw(FabricError)
        .with.property('code', 'E_BAD_ADDRESS');
    }
    for (const bad of ['10.0.0', '10.0.0.256', '10.0.0.a']) {
      expect(() => ipv4(bad))
        .to.throw(FabricError)
        .with.property('code', 'E_BAD_ADDRESS');
    }
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', 'fd00::g', '1:2:3:4:5:6:7']) {
      expect(() => ipv6(bad))
        .to.throw(FabricError)
        .with.property('code', 'E_BAD_ADDRESS');
    }
  });
});

describe('decode/addr: memoised IPv6 formatting', () => {
  it('returns the right text for many distinct addresses (slot conflicts included)', () => {
    const b = new Uint8Array(16);
    b[0] = 0xfd;
    for (let i = 0; i < 5000; i++) {
      b[14] = i >> 8;
      b[15] = i & 255;
      b[7] = i % 3;
      const want = formatIpv6(ipv6(`fd00:0:0:${(i % 3).toString(16)}::${i.toString(16)}`), 0);
      expect(formatIpv6(b, 0)).to.equal(want);
      expect(formatIpv6(b, 0)).to.equal(want);
    }
  });
});
