import { expect } from 'chai';
import fc from 'fast-check';
import { bridgeName, IFNAMSIZ, netnsName, portName } from '../../../src/names/index.js';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,19}$/);

describe('topology names: root-namespace bridge and port names', () => {
  it('keeps the readable form when it fits and the lab has no dash', () => {
    expect(bridgeName('mtdc', 'dc1-sw')).to.equal('mtdc-dc1-sw');
    expect(portName('mtdc', 'dc1-sw', 7)).to.equal('mtdc-dc1-sw_7');
    expect(netnsName('mtdc', 'red-c1-h1')).to.equal('clab-mtdc-red-c1-h1');
  });

  it('hashes long names and names of labs with a dash', () => {
    expect(bridgeName('mtdc', 'green-k1-sw')).to.match(/^fb[0-9a-f]{13}$/);
    expect(bridgeName('my-lab', 'sw')).to.match(/^fb[0-9a-f]{13}$/);
    expect(portName('mtdc', 'green-k1-sw', 12)).to.match(/^fp[0-9a-f]{9}12$/);
  });

  it('never exceeds 15 characters', () => {
    fc.assert(
      fc.property(name, name, fc.integer({ min: 1, max: 9999 }), (lab, node, i) => {
        expect(bridgeName(lab, node).length).to.be.at.most(IFNAMSIZ);
        expect(portName(lab, node, i).length).to.be.at.most(IFNAMSIZ);
      }),
    );
  });

  it('is injective across labs: different (lab, node) never share a bridge or port name', () => {
    fc.assert(
      fc.property(
        name,
        name,
        name,
        name,
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 9999 }),
        (l1, n1, l2, n2, i, j) => {
          const same = l1 === l2 && n1 === n2;
          if (!same) expect(bridgeName(l1, n1)).to.not.equal(bridgeName(l2, n2));
          if (!same || i !== j) expect(portName(l1, n1, i)).to.not.equal(portName(l2, n2, j));
          expect(portName(l1, n1, i)).to.not.equal(bridgeName(l2, n2));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('separates lab from node even when dashes could shift (a-b/c vs a/b-c)', () => {
    expect(bridgeName('a-b', 'c')).to.not.equal(bridgeName('a', 'b-c'));
    expect(portName('a-b', 'c', 1)).to.not.equal(portName('a', 'b-c', 1));
  });

  it('rejects port indexes outside 1..9999', () => {
    expect(() => portName('l', 'n', 0)).to.throw(RangeError);
    expect(() => portName('l', 'n', 10000)).to.throw(RangeError);
  });
});
