// OpenFlow listeners of a multi-host lab: one per bridge, bound to its host's management address
// and nothing else; the placement record says where each switch is reached.
import { expect } from 'chai';
import { MTDC_NETWORK } from './labs.js';
import { isFabricError } from '../../../src/errors/fabric-error.js';
import { loadLab } from '../../../src/topology/index.js';
import { listenerFor, parseHosts, place, placementRecord, switchReach } from '../../../src/scaleout/index.js';

describe('OpenFlow listeners at a distance', () => {
  it('binds ptcp to the management address and connects tcp to it', () => {
    expect(listenerFor('10.99.0.1', '192.0.2.10', 6653)).to.deep.equal({
      listen: 'ptcp:6653:10.99.0.1',
      connect: 'tcp:10.99.0.1:6653',
    });
  });

  it('with tls: binds pssl to the management address and connects ssl to it', () => {
    expect(listenerFor('10.99.0.1', '192.0.2.10', 6653, true)).to.deep.equal({
      listen: 'pssl:6653:10.99.0.1',
      connect: 'ssl:10.99.0.1:6653',
    });
  });

  it('with tls: the record names each host its SSL table files and the controller its own, one lab CA', async () => {
    const lab = await loadLab(MTDC_NETWORK);
    const hf = parseHosts(
      'hosts:\n  - { name: a, address: 192.0.2.10, mgmt: 10.99.0.1 }\n  - { name: b, address: 192.0.2.11 }\n',
      'hosts.yml',
    );
    const rec = placementRecord(lab, hf, place(lab, hf), true) as {
      hosts: { name: string; ssl?: object }[];
      switches: { listen: string; connect: string; host: string }[];
      controller: object;
    };
    expect(rec.hosts.find((h) => h.name === 'a')!.ssl).to.deep.equal({
      privateKey: 'mtdc.pki/a-privkey.pem',
      certificate: 'mtdc.pki/a-cert.pem',
      caCert: 'mtdc.pki/cacert.pem',
    });
    expect(rec.hosts.find((h) => h.name === 'b')!.ssl, 'no listener, no certificate').to.equal(undefined);
    expect(rec.controller).to.deep.equal({
      privateKey: 'mtdc.pki/controller-privkey.pem',
      certificate: 'mtdc.pki/controller-cert.pem',
      caCert: 'mtdc.pki/cacert.pem',
    });
    expect(rec.switches.length).to.be.greaterThan(0);
    for (const s of rec.switches) {
      expect(s.host).to.equal('a');
      expect(s.listen).to.match(/^pssl:\d+:10\.99\.0\.1$/);
      expect(s.connect).to.match(/^ssl:10\.99\.0\.1:\d+$/);
    }
    const plain = placementRecord(lab, hf, place(lab, hf)) as { hosts: { ssl?: object }[]; controller?: object };
    expect(plain.controller).to.equal(undefined);
    expect(plain.hosts.every((h) => h.ssl === undefined)).to.equal(true);
  });

  for (const tls of [false, true])
    for (const [mgmt, why] of [
      ['0.0.0.0', 'every address'],
      ['192.0.2.10', 'the host address'],
    ])
      it(`refuses a ${tls ? 'pssl' : 'ptcp'} listener on ${mgmt} (${why})`, () => {
        let err: unknown;
        try {
          listenerFor(mgmt, '192.0.2.10', 6653, tls);
        } catch (e) {
          err = e;
        }
        expect(isFabricError(err) && err.code).to.equal('E_HOST_ADDRESS');
      });

  for (const [mgmt, why] of [
    ['0.0.0.0', 'every address'],
    ['192.0.2.10', 'the host address'],
    ['224.0.0.5', 'multicast'],
    ['', 'empty'],
  ])
    it(`refuses a listener on ${mgmt || '(empty)'} (${why})`, () => {
      let err: unknown;
      try {
        listenerFor(mgmt, '192.0.2.10', 6653);
      } catch (e) {
        err = e;
      }
      expect(isFabricError(err) && err.code).to.equal('E_HOST_ADDRESS');
    });

  it('the placement record lists every switch with a listener on its host management address only', async () => {
    const lab = await loadLab(MTDC_NETWORK);
    const hf = parseHosts(
      'hosts:\n  - { name: a, address: 192.0.2.10, mgmt: 10.99.0.1 }\n  - { name: b, address: 192.0.2.11, mgmt: 10.99.0.2 }\n',
      'hosts.yml',
    );
    const p = place(lab, hf);
    const reach = switchReach(lab, hf, p);
    const bridges = lab.nodes.filter((n) => n.kind === 'ovs-bridge');
    expect(reach.map((r) => r.node).sort()).to.deep.equal(bridges.map((n) => n.name).sort());
    for (const r of reach) {
      const mgmt = r.host === 'a' ? '10.99.0.1' : '10.99.0.2';
      expect(r.host).to.equal(p.hostOf.get(r.node));
      expect(r.listen).to.match(new RegExp(`^ptcp:\\d+:${mgmt.replace(/\./g, '\\.')}$`));
      expect(r.listen).to.not.include('0.0.0.0');
    }
    // One port per bridge and host.
    const keys = reach.map((r) => r.connect);
    expect(new Set(keys).size).to.equal(keys.length);
    expect((placementRecord(lab, hf, p) as { switches: unknown[] }).switches).to.have.length(bridges.length);
  });

  it('a host without a management address gets no listener', async () => {
    const lab = await loadLab(MTDC_NETWORK);
    const hf = parseHosts('hosts:\n  - { name: a, address: 192.0.2.10 }\n', 'hosts.yml');
    expect(switchReach(lab, hf, place(lab, hf))).to.deep.equal([]);
  });
});
