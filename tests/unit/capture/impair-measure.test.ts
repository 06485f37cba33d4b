// Matching a train across the two ends of a link: delay percentiles, loss with its interval,
// duplicates, reordering, achieved rate (hand-made frame lists, no capture files).
import { expect } from 'chai';
import { measureTrain, percentile, trainFrame, trainSeq, wilson, type TrainFrame } from '../../../src/capture/index.js';

const near = (n: number, gap = 0.001): TrainFrame[] =>
  Array.from({ length: n }, (_, i) => ({ seq: i, t: i * gap, len: 128 }));

describe('impairment measurement', () => {
  it('round-trips the train frame marker and ignores other nonces', () => {
    const f = trainFrame(7, 42, 128);
    expect(trainSeq(f, 7)).to.equal(42);
    expect(trainSeq(f, 8)).to.equal(null);
    expect(f.length).to.equal(128);
  });

  it('measures a constant delay, no loss', () => {
    const a = near(100);
    const m = measureTrain(
      a,
      a.map((f) => ({ ...f, t: f.t + 0.02 })),
    );
    expect(m.lost).to.equal(0);
    expect(m.delayMs!.p50).to.be.closeTo(20, 1e-9);
    expect(m.delayMs!.p99).to.be.closeTo(20, 1e-9);
    expect(m.lossCi[0]).to.equal(0);
  });

  it('counts loss, duplicates and reordering', () => {
    const a = near(1000);
    const far = a.filter((f) => f.seq % 100 !== 0).map((f) => ({ ...f, t: f.t + 0.005 }));
    far.push({ ...far[10]! }); // a duplicate
    // swap two frames: 500 arrives after 501
    const i = far.findIndex((f) => f.seq === 501);
    [far[i - 1], far[i]] = [far[i]!, far[i - 1]!];
    const m = measureTrain(a, far);
    expect(m.lost).to.equal(10);
    expect(m.lossRatio).to.equal(0.01);
    expect(m.lossCi[0]).to.be.below(0.01);
    expect(m.lossCi[1]).to.be.above(0.01);
    expect(m.duplicates).to.equal(1);
    expect(m.reordered).to.equal(1);
  });

  it('reports the achieved rate over the far end arrivals', () => {
    const a = near(101, 0.0001);
    const far = a.map((f) => ({ ...f, t: f.seq * 0.001 })); // shaped to 128 B per ms
    const m = measureTrain(a, far);
    expect(m.achievedBps).to.be.closeTo(128 * 8 * 1000, 1);
    expect(m.offeredBps).to.be.closeTo(128 * 8 * 10000, 1);
  });

  it('Wilson interval and percentiles', () => {
    const [lo, hi] = wilson(10, 1000);
    expect(lo).to.be.closeTo(0.00543, 1e-4);
    expect(hi).to.be.closeTo(0.0183, 1e-4);
    expect(wilson(0, 1000)[0]).to.equal(0);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).to.equal(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).to.equal(10);
  });
});
