// A canary the injector could not send is an error of the probe, not a fabric verdict: it never
// entered the fabric, so "not delivered" would be false, and a resend would read as a duplicate.
import { expect } from 'chai';
import { checkAllSent } from '../../../src/conformance/probe.js';
import { FabricError } from '../../../src/errors/fabric-error.js';

describe('canaries: every frame must have left its sender', () => {
  it('passes when tcpreplay sent them all', () => {
    expect(() => checkAllSent('red-c1-h1', 4, { sent: 4, failed: 0, command: 'tcpreplay' })).to.not.throw();
  });

  it('refuses failed or missing sends with the count and the sender', () => {
    for (const r of [
      { sent: 3, failed: 1, command: 'tcpreplay' },
      { sent: 3, failed: 0, command: 'tcpreplay' },
      { sent: 0, failed: 0, command: 'tcpreplay' },
    ]) {
      const e = (() => {
        try {
          checkAllSent('red-c1-h1', 4, r);
        } catch (x) {
          return x;
        }
        return null;
      })();
      expect(e).to.be.instanceOf(FabricError);
      expect((e as FabricError).code).to.equal('E_INJECT_FAILED');
      expect((e as FabricError).message).to.match(/^[1-4] of 4 canaries from red-c1-h1 were not sent/);
    }
  });
});
