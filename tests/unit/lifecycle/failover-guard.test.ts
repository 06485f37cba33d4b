// A converging up on a lab whose virtual hypervisors run where a failover moved them: refused with
// E_UP_FAILED_OVER naming what moved, before anything changes; differences elsewhere converge.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { moveSite, moveVm, nextPort, setVmState } from '../../../src/failover/layout.js';
import {
  diffLab,
  failoverConflict,
  failoverTouched,
  formatDiff,
  isEmpty,
  keepGuestPorts,
  movedByFailover,
} from '../../../src/lifecycle/index.js';
import { loadLabText, portName } from '../../../src/topology/index.js';
import type { LabModel } from '../../../src/topology/model.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const text = readFileSync(join(ROOT, 'labs/failover/fabric.yml'), 'utf8');
const intent = (t = text): LabModel => loadLabText(t, '/lab/fabric.yml');

/** The deployed model after a host failure of hvc: red/vm on c1 (c1-p1 active), c1-p2 evacuated to c2. */
function failedOver(): LabModel {
  const m = intent();
  moveSite(m, 'red/vm', 'hvc', 'c1');
  setVmState(m, 'c1-p1', 'active');
  setVmState(m, 'hvc-v1', 'failed');
  moveVm(m, 'c1-p2', 'c2', nextPort(m, 'c2'));
  return m;
}

describe('lifecycle: a converging up after a failover', () => {
  it('refuses, naming the site and the VMs that moved, with a fail-back hint', () => {
    const deployed = failedOver();
    const d = diffLab(deployed, intent());
    expect(failoverTouched(d)).to.not.deep.equal([]);
    expect(movedByFailover(deployed, intent())).to.deep.equal([
      'site red/vm is on c1 (the intent: hvc)',
      'virtual hypervisor hvc-v1 is failed (the intent: active)',
      'virtual hypervisor c1-p1 is active (the intent: inactive)',
      'virtual hypervisor c1-p2 is on c2 (the intent: c1)',
    ]);
    const err = failoverConflict(d, deployed, intent(), true);
    expect(err?.code).to.equal('E_UP_FAILED_OVER');
    expect(err?.message).to.contain('site red/vm is on c1 (the intent: hvc)');
    expect(err?.hint).to.contain('fabric failover failback failover');
  });

  it('keeps the ports of guests a fail-back returned: no difference, nothing to refuse', () => {
    const deployed = intent();
    // Back on another port than it left (a fail-back takes the first free one, which was taken).
    moveVm(deployed, 'c1-p2', 'c2', nextPort(deployed, 'c2'));
    moveVm(deployed, 'c1-p2', 'c1', { ifname: portName('failover', 'c1', 9), label: 'p9' });
    expect(isEmpty(diffLab(deployed, intent()))).to.equal(false);
    const kept = keepGuestPorts(intent(), deployed);
    const d = diffLab(deployed, kept);
    expect(formatDiff(d)).to.contain('no difference');
    expect(failoverConflict(d, deployed, kept, true)).to.equal(null);
  });

  it('refuses an intent that changes the hypervisors while their guests run, with a teardown hint', () => {
    const more = text.replace('{ name: c1, dc: dc1, type: ha, pool: 2 }', '{ name: c1, dc: dc1, type: ha, pool: 3 }');
    expect(more).to.not.equal(text);
    const d = diffLab(intent(), keepGuestPorts(intent(more), intent()));
    expect(failoverTouched(d)).to.include('node c1-p3');
    const err = failoverConflict(d, intent(), intent(more), true);
    expect(err?.code).to.equal('E_UP_FAILED_OVER');
    expect(err?.hint).to.contain('fabric failover teardown failover');
  });

  it('lets the up converge when no guest is set up, or when the difference leaves the hypervisors alone', () => {
    const deployed = failedOver();
    expect(failoverConflict(diffLab(deployed, intent()), deployed, intent(), false)).to.equal(null);
    const changed = text.replace(
      'ip: 10.20.30.11/24, mac: "02:00:00:00:00:11" } ] }',
      'ip: 10.20.30.12/24, mac: "02:00:00:00:00:11" } ] }',
    );
    expect(changed).to.not.equal(text);
    const d = diffLab(intent(), intent(changed));
    expect(d.nodes.changed.map((c) => c.name)).to.deep.equal(['red-c0-h1']);
    expect(failoverTouched(d)).to.deep.equal([]);
    expect(failoverConflict(d, intent(), intent(changed), true)).to.equal(null);
  });
});
