import { expect } from 'chai';
import { pickProbe } from '../../../src/runtime/smoke.js';
import { loadLab } from '../../../src/topology/index.js';
import { smallLab } from '../../fixtures/runtime-labs.js';

describe('runtime smoke probe choice', () => {
  it('picks two endpoints of one tenant in one subnet', () => {
    expect(pickProbe(smallLab('rtp'))).to.deep.equal({ from: 'h1', to: 'h2', toIp: '10.20.30.2' });
  });

  it('prefers endpoints in different datacenters in the reference lab', async () => {
    const m = await loadLab(new URL('../../../labs/mtdc/fabric.yml', import.meta.url).pathname);
    const p = pickProbe(m)!;
    const a = m.nodes.find((n) => n.name === p.from)!;
    const b = m.nodes.find((n) => n.name === p.to)!;
    expect(a.tenant).to.equal(b.tenant);
    expect(a.dc).to.not.equal(b.dc);
    expect(b.interfaces[0]!.addresses[0]!.startsWith(`${p.toIp}/`)).to.equal(true);
  });

  it('returns null when no pair exists', () => {
    const m = smallLab('rtp');
    m.nodes = m.nodes.filter((n) => n.name !== 'h2' && n.name !== 'h4' && n.name !== 'h5');
    expect(pickProbe(m)).to.equal(null);
  });
});
