import { expect } from 'chai';
import fc from 'fast-check';
import {
  accessSwitchName,
  bridgeName,
  captureStem,
  checkIfName,
  checkLabName,
  checkMac,
  checkNetns,
  checkNodeName,
  dcSwitchName,
  endpointName,
  interconnectName,
  isIfName,
  isLabName,
  isMac,
  isNetns,
  isNodeName,
  labAlias,
  LAB_NAME_MAX,
  macFor,
  netnsName,
  peName,
  portName,
  PROVIDER_A,
  PROVIDER_B,
  RootNames,
  SAFE_IFNAME,
  SAFE_NAME,
  tapName,
} from '../../../src/names/index.js';
import { derivedMac } from '../../../src/topology/resolve.js';
import { gatewayMac } from '../../../src/tagging/modules/dc.js';

// Names as the lab format lets a user declare them (SAFE_NAME; labs at most 20 characters).
const lab = fc.stringMatching(new RegExp(`^[a-z][a-z0-9-]{0,${LAB_NAME_MAX - 1}}$`));
const part = fc.stringMatching(/^[a-z][a-z0-9-]{0,9}$/);
const index = fc.integer({ min: 1, max: 9999 });

describe('names: every name fabric generates passes the checks that guard command lines', () => {
  it('lab names the format accepts are lab names', () => {
    fc.assert(fc.property(lab, (l) => SAFE_NAME.test(l) && isLabName(l) && checkLabName(l) === l));
  });

  it('node names (switches, PEs, providers, endpoints) are node names and make valid namespaces', () => {
    fc.assert(
      fc.property(lab, part, part, part, (l, t, s, x) => {
        const nodes = [
          dcSwitchName(s),
          interconnectName(s),
          peName(s),
          PROVIDER_A,
          PROVIDER_B,
          accessSwitchName(t, s),
          endpointName(t, s, x),
        ];
        for (const n of nodes) {
          expect(isNodeName(n), n).to.equal(true);
          expect(checkNodeName(n)).to.equal(n);
          expect(isNetns(netnsName(l, n)), netnsName(l, n)).to.equal(true);
          expect(checkNetns(netnsName(l, n))).to.equal(netnsName(l, n));
        }
      }),
    );
  });

  it('bridge, port and tap names are interface names (≤ 15 characters, no option, no path)', () => {
    fc.assert(
      fc.property(
        lab,
        part,
        index,
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 25 }),
        (l, n, i, nic, gen) => {
          for (const ifname of [bridgeName(l, n), portName(l, n, i), tapName('fvt', `${l}-${n}`, nic, gen)]) {
            expect(isIfName(ifname), ifname).to.equal(true);
            expect(checkIfName(ifname)).to.equal(ifname);
          }
          expect(SAFE_IFNAME.test(bridgeName(l, n))).to.equal(true);
        },
      ),
    );
  });

  it('a lab of generated switches gets readable, distinct, valid root-namespace names', () => {
    fc.assert(
      fc.property(
        lab,
        fc.uniqueArray(part, { minLength: 1, maxLength: 4 }),
        fc.uniqueArray(part, { minLength: 1, maxLength: 4 }),
        (l, tenants, sites) => {
          const names = new RootNames(l);
          const nodes = [
            ...sites.flatMap((s) => [dcSwitchName(s), interconnectName(s), peName(s)]),
            ...tenants.flatMap((t) => sites.map((s) => accessSwitchName(t, s))),
          ];
          const seen = new Set<string>();
          for (const n of new Set(nodes)) {
            for (const ifname of [names.bridge(n), names.port(n, 1), names.port(n, 12)]) {
              expect(checkIfName(ifname)).to.equal(ifname);
              expect(seen.has(ifname), ifname).to.equal(false);
              seen.add(ifname);
              // Readable: no hash, the lab part and at least the node's first letter.
              expect(ifname.startsWith(`${l.replace(/-/g, '').slice(0, 1)}`), ifname).to.equal(true);
              expect(ifname.split('-').slice(1).join('-')[0], ifname).to.equal(n[0]);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('generated MACs are valid, lower case, locally administered unicast', () => {
    fc.assert(
      fc.property(
        lab,
        part,
        part,
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 3 }),
        (l, a, b, i, salt) => {
          for (const mac of [macFor(`${a}-${b}`, i), derivedMac(a, b, salt), gatewayMac(l, a)]) {
            expect(isMac(mac), mac).to.equal(true);
            expect(checkMac(mac)).to.equal(mac);
            const first = parseInt(mac.slice(0, 2), 16);
            expect(first & 1, `${mac} unicast`).to.equal(0);
            expect(first & 2, `${mac} locally administered`).to.equal(2);
          }
        },
      ),
    );
  });

  it('markers and capture file stems stay inside their alphabets', () => {
    fc.assert(
      fc.property(lab, part, part, (l, n, i) => {
        expect(labAlias(l)).to.equal(`fabric-lab=${l}`);
        expect(captureStem(n, i)).to.match(/^[A-Za-z0-9_@][A-Za-z0-9_.@-]*--[A-Za-z0-9_@][A-Za-z0-9_.@-]*$/);
      }),
    );
  });

  it('the checks refuse what could become an option, a path or a second command', () => {
    for (const v of ['-x', 'a/b', 'a b', 'a;b', '$(id)', '', '.', 'x'.repeat(16)])
      expect(isIfName(v), v).to.equal(false);
    for (const v of ['-x', 'a/b', 'a b', '..', '']) expect(isNetns(v), v).to.equal(false);
    for (const v of ['Mtdc', '1lab', 'a_b', 'x'.repeat(21)]) expect(isLabName(v), v).to.equal(false);
    expect(isMac('02:00:00:00:00')).to.equal(false);
  });
});
