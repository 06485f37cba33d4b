import { expect } from 'chai';
import fc from 'fast-check';
import {
  abbreviate,
  bridgeName,
  IFNAMSIZ,
  labPart,
  netnsName,
  portName,
  RootNames,
  SAFE_IFNAME,
} from '../../../src/names/index.js';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,19}$/);

describe('topology names: root-namespace bridge and port names', () => {
  it('keeps the full name when it fits', () => {
    expect(bridgeName('mtdc', 'dc1-sw')).to.equal('mtdc-dc1-sw');
    expect(portName('mtdc', 'dc1-sw', 7)).to.equal('mtdc-dc1-sw_7');
    expect(bridgeName('mtdc', 'red-c1-sw')).to.equal('mtdc-red-c1-sw');
    expect(netnsName('mtdc', 'red-c1-h1')).to.equal('clab-mtdc-red-c1-h1');
  });

  it('abbreviates long names readably instead of hashing them', () => {
    expect(bridgeName('mtdc', 'green-k1-sw')).to.equal('mtdc-grn-k1-sw');
    expect(portName('mtdc', 'green-k1-sw', 3)).to.equal('mtdc-gr-k1-sw_3');
    expect(portName('mtdc', 'red-c1-sw', 12)).to.equal('mtdc-rdc1sw_12');
    expect(bridgeName('failover', 'green-c0-sw')).to.equal('flvr-grn-c0-sw');
    expect(labPart('failover-partial')).to.equal('flvprt');
    expect(bridgeName('my-lab', 'sw')).to.equal('mylab-sw');
    expect(abbreviate('tenant-site-switch', 12)).to.equal('tnnt-st-swtc');
    expect(abbreviate('green', 3)).to.equal('grn');
    expect(abbreviate('a-b-c-d-e-f-g-h', 5)).to.equal('abcde');
  });

  it('never exceeds 15 characters and stays a safe interface name', () => {
    fc.assert(
      fc.property(name, name, fc.integer({ min: 1, max: 9999 }), (lab, node, i) => {
        for (const n of [bridgeName(lab, node), portName(lab, node, i)]) {
          expect(n.length, n).to.be.at.most(IFNAMSIZ);
          expect(SAFE_IFNAME.test(n), n).to.equal(true);
        }
        expect(labPart(lab)).to.not.include('-');
      }),
    );
  });

  it('is collision-free inside a lab: every bridge and port of every node gets its own name', () => {
    fc.assert(
      fc.property(
        name,
        fc.uniqueArray(name, { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 9999 }), { minLength: 1, maxLength: 12 }),
        (lab, nodes, ports) => {
          const names = new RootNames(lab);
          const seen = new Map<string, string>();
          const add = (n: string, what: string) => {
            expect(seen.has(n), `${n}: ${what} and ${seen.get(n)}`).to.equal(false);
            expect(n.length).to.be.at.most(IFNAMSIZ);
            seen.set(n, what);
          };
          for (const node of nodes) {
            add(names.bridge(node), `bridge ${node}`);
            for (const i of new Set(ports)) add(names.port(node, i), `port ${node}:${i}`);
          }
          // Asking again gives the same port name, never a new one.
          for (const node of nodes) expect(seen.get(names.port(node, ports[0]!))).to.equal(`port ${node}:${ports[0]}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives coinciding abbreviations their own variant (green-c1-sw next to grn-c1-sw)', () => {
    const names = new RootNames('mtdc');
    expect(names.bridge('grn-c1-sw')).to.equal('mtdc-grn-c1-sw');
    expect(names.bridge('green-c1-sw')).to.equal('mtdc-grn-c1-sw2');
    expect(names.port('grn-c1-sw', 1)).to.equal('mtdc-gr-c1-sw_1');
    expect(names.port('green-c1-sw', 1)).to.equal('mtdc-grc1sw2_1');
  });

  it('names thousands of nodes that share one abbreviation (a lab at the node limit: t1000-s0-sw to t1999-s0-sw)', () => {
    const r = new RootNames('bigger');
    const nodes = Array.from({ length: 4000 }, (_, i) => `t${i}-s0-sw`);
    const names = nodes.flatMap((n) => [r.bridge(n), r.port(n, 1), r.port(n, 12)]);
    expect(new Set(names).size).to.equal(names.length);
    for (const n of names) expect(n, n).to.match(SAFE_IFNAME).and.have.length.at.most(IFNAMSIZ);
    // The same intent gives the same names.
    const again = new RootNames('bigger');
    expect(nodes.flatMap((n) => [again.bridge(n), again.port(n, 1), again.port(n, 12)])).to.deep.equal(names);
  });

  it('keeps labs with different lab parts apart (different (lab, node) never share a name)', () => {
    fc.assert(
      fc.property(name, name, name, name, fc.integer({ min: 1, max: 9999 }), (l1, n1, l2, n2, i) => {
        fc.pre(labPart(l1) !== labPart(l2));
        expect(bridgeName(l1, n1)).to.not.equal(bridgeName(l2, n2));
        expect(portName(l1, n1, i)).to.not.equal(portName(l2, n2, i));
        expect(portName(l1, n1, i)).to.not.equal(bridgeName(l2, n2));
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects port indexes outside 1..9999', () => {
    expect(() => portName('l', 'n', 0)).to.throw(RangeError);
    expect(() => portName('l', 'n', 10000)).to.throw(RangeError);
  });
});
