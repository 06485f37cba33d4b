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
