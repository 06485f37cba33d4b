// The impairment suite judges records only: green when the measured trains match the declared
// impairment, red when the impairment is missing (an unimpaired link) or wrong (other values).
import { expect } from 'chai';
import { measureTrain, type TrainFrame } from '../../../src/capture/index.js';
import type { ImpairRecord } from '../../../src/conformance/impair-probe.js';
import type { Judgement } from '../../../src/conformance/judge.js';
import { SkipCheck } from '../../../src/conformance/judge.js';
import { selectChecks } from '../../../src/conformance/runner.js';
import { impairment } from '../../../src/conformance/suites/impairment.js';
import { parseImpair, type ImpairSpec } from '../../../src/topology/index.js';

const declared = parseImpair({ delay: '20ms', jitter: '2ms', loss: '1%', rate: '10mbit' }).spec;

/** A deterministic "link": delay ± jitter (uniform over a fixed pattern), every k-th frame lost. */
function link(delayMs: number, jitterMs: number, lossEvery: number, rateBps: number | null): ImpairRecord['links'][0] {
  const n = 2000;
  const near: TrainFrame[] = Array.from({ length: n }, (_, i) => ({ seq: i, t: i / 1000, len: 128 }));
  const far = near
    .filter((f) => !lossEvery || f.seq % lossEvery !== lossEvery - 1)
    .map((f) => ({ ...f, t: f.t + (delayMs + (((f.seq * 37) % 101) / 50 - 1) * jitterMs + 0.3) / 1000 }));
  const m = measureTrain(near, far);
  const rateNear: TrainFrame[] = Array.from({ length: 500 }, (_, i) => ({ seq: i, t: i / 1339, len: 1400 }));
  const gap = rateBps ? (1400 * 8) / rateBps : 1 / 1339;
  const rateFar = rateNear.map((f) => ({ ...f, t: 0.02 + f.seq * gap }));
  return {
    link: 'a:p1--b:p1',
    declared,
    trains: [
      { kind: 'frames', from: 'a:p1', to: 'b:p1', pps: 1000, size: 128, measure: m },
      { kind: 'frames', from: 'b:p1', to: 'a:p1', pps: 1000, size: 128, measure: m },
      { kind: 'rate', from: 'a:p1', to: 'b:p1', pps: 1339, size: 1400, measure: measureTrain(rateNear, rateFar) },
    ],
  };
}

async function verdicts(rec: ImpairRecord): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const c of impairment) {
    const j = { records: { impairment: rec }, stats: {} } as unknown as Judgement;
    try {
      await c.judge(j);
      out.set(c.id, 'pass');
    } catch (e) {
      out.set(c.id, e instanceof SkipCheck ? 'skip' : `fail: ${(e as Error).message}`);
    }
  }
  return out;
}

const decl = (s: ImpairSpec): ImpairRecord['links'][0]['declared'] => s;

describe('impairment suite', () => {
  it('is green when the link did what was declared', async () => {
    const v = await verdicts({ links: [link(20, 2, 100, 10e6)] });
    expect(
      [...v.values()].every((x) => x === 'pass'),
      [...v].join('\n'),
    ).to.equal(true);
  });

  it('is red when the impairment is missing (a plain link)', async () => {
    const v = await verdicts({ links: [link(0, 0, 0, null)] });
    expect(v.get('impairment/delay')).to.match(/^fail: .*p50 0\.30 ms outside 19\.50\.\.22\.00 ms/);
    expect(v.get('impairment/loss')).to.match(/^fail: .*loss declared 1\.00 %, measured 0\.00 %/);
    expect(v.get('impairment/rate')).to.match(/^fail: .*achieved 15\.00 Mbit\/s, declared 10\.00 Mbit\/s/);
  });

  it('is red when the impairment is wrong (other delay, loss and rate)', async () => {
    const wrong = link(50, 0, 20, 20e6);
    const v = await verdicts({ links: [wrong] });
    expect(v.get('impairment/delay')).to.match(/^fail: .*p50 50\.\d+ ms/);
    expect(v.get('impairment/loss')).to.match(/^fail: .*measured 5\.00 %/);
    expect(v.get('impairment/rate')).to.match(/^fail: .*achieved 20\.00 Mbit\/s/);
    // Declared jitter without measured spread is red too.
    const flat = { ...link(20, 0, 100, 10e6), declared: decl(declared) };
    expect((await verdicts({ links: [flat] })).get('impairment/delay')).to.match(/no jitter of ±2\.00 ms/);
  });

  it('skips on labs without impairment, and is a default suite only where a link is impaired', async () => {
    const v = await verdicts({ links: [] });
    expect(v.get('impairment/delay')).to.equal('skip');
    expect(selectChecks(undefined).some((c) => c.suite === 'impairment')).to.equal(false);
    expect(selectChecks(undefined, { impaired: true }).some((c) => c.suite === 'impairment')).to.equal(true);
  });
});
