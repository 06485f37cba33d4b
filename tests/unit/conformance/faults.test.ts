// The faults suite's declarations (no root): opt-in registration, the declared steps, step
// selection, and the meter dump → add-meter conversion used to restore other labs' bridges.
import { expect } from 'chai';
import { meterArgs } from '../../../src/faults/index.js';
import { selectChecks } from '../../../src/conformance/runner.js';
import { FAULT_STEPS, selectFaultSteps } from '../../../src/conformance/suites/faults.js';
import { DEFAULT_SUITES, SUITES } from '../../../src/conformance/suites/index.js';

describe('conformance faults suite (declarations)', () => {
  it('is registered but kept out of the default suites', () => {
    expect(Object.keys(SUITES)).to.include('faults');
    expect(DEFAULT_SUITES).to.not.include('faults');
    expect(selectChecks(undefined).some((c) => c.suite === 'faults')).to.equal(false);
    expect(selectChecks(['faults']).map((c) => c.id)).to.deep.equal([
      'faults/each-fault-took-effect',
      'faults/isolation-in-every-window',
      'faults/recovered',
      'faults/delivery-after-recovery',
    ]);
  });

  it('declares a link flap, a daemon restart and a node kill, bounded', () => {
    expect(FAULT_STEPS.map((s) => s.kind)).to.deep.equal(['link-flap', 'vswitchd-restart', 'node-kill']);
    for (const s of FAULT_STEPS) {
      if (s.kind === 'link-flap') {
        expect(s.flaps).to.be.within(1, 10);
        expect(s.downMs + s.upMs).to.be.at.most(5000);
      }
      if (s.kind === 'node-kill') expect(s.downMs).to.be.at.most(10_000);
    }
  });

  it('selects steps by name and refuses unknown names', () => {
    expect(selectFaultSteps('')).to.equal(FAULT_STEPS);
    expect(selectFaultSteps(undefined)).to.equal(FAULT_STEPS);
    expect(selectFaultSteps('node-kill, link-flap').map((s) => s.name)).to.deep.equal(['link-flap', 'node-kill']);
    expect(() => selectFaultSteps('link-flap,typo')).to.throw(/unknown fault step typo/);
  });

  it('turns dump-meters output into add-meter arguments', () => {
    const dump =
      'OFPST_METER_CONFIG reply (OF1.5) (xid=0x2):\nmeter=4 pktps bands=\ntype=drop rate=10\n\nmeter=3 kbps burst stats bands=\ntype=drop rate=1000 burst_size=100\n';
    expect(meterArgs(dump)).to.deep.equal([
      'meter=4,pktps,band=type=drop,rate=10',
      'meter=3,kbps,burst,band=type=drop,rate=1000,burst_size=100',
    ]);
    expect(meterArgs('OFPST_METER_CONFIG reply (OF1.5) (xid=0x2):\n')).to.deep.equal([]);
  });
});
