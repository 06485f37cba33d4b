import { expect } from 'chai';
import { compareLinkEnds, frameKey, type EndFrames, type FrameDigest } from '../../../src/capture/compare.js';

const d = (n: number, ts: number, k: string): FrameDigest => ({ n, ts, key: k });
const end = (id: string, ds: FrameDigest[], w: [number, number] = [100, 200]): EndFrames => ({
  id,
  digests: ds,
  window: w,
});

describe('capture/compare (one-direction detection)', () => {
  const req = (i: number) => `req${i}`;
  const rep = (i: number) => `rep${i}`;

  it('is ok when both ends hold the same frames (both directions)', () => {
    const a = [d(1, 110, req(1)), d(2, 110.1, rep(1)), d(3, 111, req(2)), d(4, 111.1, rep(2))];
    const b = [d(1, 110, req(1)), d(2, 110.1, rep(1)), d(3, 111, req(2)), d(4, 111.1, rep(2))];
    const r = compareLinkEnds('l', end('A', a), end('B', b));
    expect(r.verdict).to.equal('ok');
    expect(r.matched).to.equal(4);
    expect(r.ends.map((e) => e.verdict)).to.deep.equal(['ok', 'ok']);
  });

  it('flags the end that lacks the frames of one direction, with peer frame numbers as evidence', () => {
    const a = [d(1, 110.1, rep(1)), d(2, 111.1, rep(2))]; // A lost its transmitted requests
    const b = [d(1, 110, req(1)), d(2, 110.1, rep(1)), d(3, 111, req(2)), d(4, 111.1, rep(2))];
    const r = compareLinkEnds('l', end('A', a), end('B', b));
    expect(r.verdict).to.equal('flagged');
    expect(r.ends[0]).to.deep.include({ id: 'A', verdict: 'one-direction', missingHere: 2, missingExamples: [1, 3] });
    expect(r.ends[1]).to.deep.include({ id: 'B', verdict: 'ok', missingHere: 0 });
    expect(r.reason).to.match(/A lacks 2 frame/);
  });

  it('flags both ends when each saw only what it received (-Q in on both)', () => {
    const a = [d(1, 110.1, rep(1))];
    const b = [d(1, 110, req(1))];
    const r = compareLinkEnds('l', end('A', a), end('B', b));
    expect(r.ends.map((e) => e.verdict)).to.deep.equal(['one-direction', 'one-direction']);
    expect(r.matched).to.equal(0);
  });

  it('says no-frames for an end that saw nothing while its peer saw traffic, idle when neither did', () => {
    expect(compareLinkEnds('l', end('A', []), end('B', [d(1, 150, 'x')])).ends[0]!.verdict).to.equal('no-frames');
    const idle = compareLinkEnds('l', end('A', []), end('B', []));
    expect(idle.verdict).to.equal('idle');
  });

  it('compares only inside the common listening window (minus a margin)', () => {
    // B started later: A's early frame is not held against B.
    const a = [d(1, 101, 'early'), d(2, 150, 'x')];
    const b = [d(1, 150, 'x')];
    const r = compareLinkEnds('l', end('A', a, [100, 200]), end('B', b, [120, 200]));
    expect(r.verdict).to.equal('ok');
    expect(r.window![0]).to.be.closeTo(120.02, 1e-9);
    expect(compareLinkEnds('l', end('A', a, [100, 110]), end('B', b, [120, 200])).verdict).to.equal('unchecked');
  });

  it('matches multisets (a frame seen twice at one end and once at the other is one missing)', () => {
    const r = compareLinkEnds('l', end('A', [d(1, 150, 'x')]), end('B', [d(1, 150, 'x'), d(2, 151, 'x')]));
    expect(r.ends[0]).to.deep.include({ missingHere: 1, verdict: 'one-direction' });
    expect(
      compareLinkEnds('l', end('A', [d(1, 150, 'x')]), end('B', [d(1, 150, 'x'), d(2, 151, 'x')]), { tolerance: 1 })
        .verdict,
    ).to.equal('ok');
  });

  it('keys frames on their exact bytes and original length', () => {
    const f = new Uint8Array([1, 2, 3]);
    expect(frameKey(f)).to.equal(frameKey(new Uint8Array([1, 2, 3])));
    expect(frameKey(f)).to.not.equal(frameKey(new Uint8Array([1, 2, 4])));
    expect(frameKey(f, 3)).to.not.equal(frameKey(f, 100));
  });
});

describe('capture/compare (drops)', () => {
  it('explains a gap by the reported drops as capture-loss, not one-direction', () => {
    const a: EndFrames = { id: 'A', digests: [d(1, 150, 'x')], window: [100, 200], dropped: 3 };
    const b: EndFrames = { id: 'B', digests: [d(1, 150, 'x'), d(2, 151, 'y'), d(3, 152, 'z')], window: [100, 200] };
    const r = compareLinkEnds('l', a, b);
    expect(r.ends[0]!.verdict).to.equal('capture-loss');
    expect(r.verdict).to.equal('flagged');
    expect(compareLinkEnds('l', { ...a, dropped: 1 }, b).ends[0]!.verdict).to.equal('one-direction');
  });
});
