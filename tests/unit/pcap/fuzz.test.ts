// A short fixed-seed run of the capture fuzz target (tests/fuzz/capture-fuzz.ts); `make fuzz` runs 1M cases.
import { expect } from 'chai';
import { fuzzCaptures } from '../../fuzz/capture-fuzz.js';

describe('pcap/fuzz: random and mutated capture files, decoded', function () {
  this.timeout(120_000);
  it('5,000 fixed-seed cases keep every invariant', () => {
    const s = fuzzCaptures(20261204, 5_000);
    expect(s.cases).to.equal(5_000);
    // The sample really reaches records, refusals and warnings.
    expect(s.records).to.be.greaterThan(5_000);
    expect(s.refused).to.be.greaterThan(25);
    expect(s.warnings).to.be.greaterThan(250);
  });
});
