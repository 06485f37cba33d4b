import { expect } from 'chai';
import { dissect } from '../../../src/decode/index.js';
import {
  buildCanary,
  buildCanarySet,
  canaryText,
  findCanary,
  multicastMac,
  FLOOD_CLASSES,
  TENANT_MARKERS,
  UNKNOWN_UNICAST_MAC,
} from '../../../src/traffic/frames.js';

const base = { marker: 'Happy', srcMac: '02:00:00:00:00:01', srcIp: '10.20.30.1', dstIp: '10.20.30.2' };
const names = (f: Uint8Array) => dissect(f).map((l) => l.name);

describe('traffic/frames (canaries)', () => {
  it('builds one frame per flood class with the right destination and the marker in the payload', () => {
    const set = buildCanarySet({ ...base, dstMac: '02:00:00:00:00:02' });
    expect(set.map((c) => c.cls)).to.deep.equal([...FLOOD_CLASSES]);
    const dst = (f: Uint8Array) => (dissect(f)[0] as { dst: string }).dst;
    const by = Object.fromEntries(set.map((c) => [c.cls, c.frame]));
    expect(dst(by.broadcast!)).to.equal('ff:ff:ff:ff:ff:ff');
    expect(dst(by.arp!)).to.equal('ff:ff:ff:ff:ff:ff');
    expect(dst(by['unknown-unicast']!)).to.equal(UNKNOWN_UNICAST_MAC);
    expect(dst(by.multicast!)).to.equal('01:00:5e:01:01:01');
    expect(dst(by.unicast!)).to.equal('02:00:00:00:00:02');
    expect(names(by.arp!).slice(0, 2)).to.deep.equal(['eth', 'arp']);
    expect(names(by.unicast!).slice(0, 3)).to.deep.equal(['eth', 'ipv4', 'udp']);
    for (const c of set) {
      expect(c.frame.length).to.be.at.least(60);
      expect(findCanary(c.frame)).to.deep.equal({ marker: 'Happy', cls: c.cls, seq: 0, tag: '' });
    }
  });

  it('keeps a client VLAN tag when asked, and numbers repeated canaries', () => {
    const set = buildCanarySet({ ...base, vlan: 10, classes: ['broadcast'], perClass: 3, tag: 'run1' });
    expect(set).to.have.length(3);
    const l = dissect(set[2]!.frame);
    expect(l[1]).to.deep.include({ name: 'vlan', vid: 10 });
    expect(findCanary(set[2]!.frame)).to.deep.equal({ marker: 'Happy', cls: 'broadcast', seq: 2, tag: 'run1' });
  });

  it('carries every seed tenant marker', () => {
    for (const m of TENANT_MARKERS)
      expect(findCanary(buildCanary({ ...base, cls: 'multicast', marker: m }))?.marker).to.equal(m);
    expect(canaryText('Dopey', 'arp', 7)).to.equal('FABRIC-CANARY|Dopey|arp|7||');
  });

  it('maps multicast groups to 01:00:5e MACs (low 23 bits)', () => {
    expect(multicastMac('239.129.2.3')).to.equal('01:00:5e:01:02:03');
    expect(multicastMac('224.0.0.251')).to.equal('01:00:5e:00:00:fb');
    expect(() => multicastMac('10.0.0.1')).to.throw(/multicast/);
  });

  it('rejects bad inputs before building', () => {
    expect(() => buildCanary({ ...base, cls: 'unicast' })).to.throw(/dstMac/);
    expect(() => buildCanary({ ...base, cls: 'unicast', dstMac: '01:00:5e:00:00:01' })).to.throw(/unicast destination/);
    expect(() => buildCanary({ ...base, cls: 'broadcast', marker: 'bad marker' })).to.throw(/marker/);
    expect(() => buildCanary({ ...base, cls: 'broadcast', srcMac: 'zz' })).to.throw(/MAC/);
    expect(() => buildCanary({ ...base, cls: 'broadcast', vlan: 4095 })).to.throw(/VLAN/);
    expect(() => buildCanary({ ...base, cls: 'flood' as never })).to.throw(/unknown flood class/);
    expect(() => buildCanarySet({ ...base, perClass: 5000 })).to.throw(/perClass/);
    expect(findCanary(new Uint8Array(64))).to.equal(null);
  });
});
