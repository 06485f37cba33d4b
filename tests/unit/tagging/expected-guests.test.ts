// What is expected follows what is deployed: without guests (`fabric up --no-guests`) a hosted
// site's flood ends at its hypervisor's uplink; with them it goes on through the bridge device
// and the VXLAN transport to the guest.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { computePlan } from '../../../src/tagging/index.js';
import { Expectations, type FlowSpec } from '../../../src/tagging/expected.js';
import { loadLabText } from '../../../src/topology/index.js';

const MTDC = new URL('../../../labs/mtdc/fabric.yml', import.meta.url).pathname;
const lab = loadLabText(readFileSync(MTDC, 'utf8'), 'labs/mtdc/fabric.yml');
const plan = computePlan(lab);
const flood: FlowSpec = { tenant: 'blue', src: { site: 'c1', system: 'h1' }, dst: { flood: 'broadcast' } };
const hosted = (exp: Expectations) =>
  exp
    .traversals(flood)
    .filter((t) => t.class === 'hypervisor')
    .map((t) => `${t.from} → ${t.to}`);

describe('expectations with and without guests', () => {
  it('with guests set up (the default), a flood crosses each hosting hypervisor into its guest', () => {
    const got = hosted(new Expectations(lab, plan));
    expect(got).to.include.members(['dc3-sw → hv3', 'hv3 → hv3-gw', 'hv3-gw → hv3', 'hv3 → hv3-v1']);
    expect(got).to.include.members(['dc2-sw → hv2', 'hv2 → hv2-gw', 'hv2-gw → hv2', 'hv2 → hv2-host']);
  });

  it('without guests, the flood is expected up to each hypervisor uplink and no further', () => {
    const exp = new Expectations(lab, plan, { guests: false });
    expect(exp.guests).to.equal(false);
    expect(hosted(exp).sort()).to.deep.equal(['dc2-sw → hv2', 'dc3-sw → hv3']);
    // Everything before the hypervisors is unchanged.
    const rest = (e: Expectations) =>
      e
        .traversals(flood)
        .filter((t) => t.class !== 'hypervisor')
        .map((t) => t.link.id);
    expect(rest(exp)).to.deep.equal(rest(new Expectations(lab, plan)));
  });
});
