// delivery/every-destination: a missing canary is red, and the message says how far it got, so a
// frame lost in the fabric and a frame never sent read differently.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { TestContext } from '../../../src/conformance/context.js';
import type { CapturedFrame, RunFrames } from '../../../src/conformance/frames.js';
import type { CheckDef, Judgement } from '../../../src/conformance/judge.js';
import type { ProbeRecord, SentCanary } from '../../../src/conformance/probe.js';
import { delivery } from '../../../src/conformance/suites/delivery.js';
import { loadLabText } from '../../../src/topology/index.js';

const FILE = 'tests/fixtures/labs/mtdc-network/fabric.yml';
const model = loadLabText(readFileSync(new URL(`../../../${FILE}`, import.meta.url).pathname, 'utf8'), FILE);
const check = delivery.find((c) => c.id === 'delivery/every-destination') as CheckDef;
const sender = model.nodes.find((n) => n.name === 'red-c1-h1')!;
const key = 'marker|arp|0|red.c1.h1.t';
const canary = { key, tenant: 'red', cls: 'arp', src: { node: sender } } as unknown as SentCanary;
const ctx = { lab: 'mtdc', model } as unknown as TestContext;

function message(frames: Partial<CapturedFrame>[]): string {
  const run = { files: [], frames: [], byCanary: new Map([[key, frames as CapturedFrame[]]]) } as RunFrames;
  const probe = { canaries: [canary] } as unknown as ProbeRecord;
  const j: Judgement = { ctx, probe, run, stats: {} };
  try {
    void check.judge(j);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('a canary seen nowhere was judged delivered');
}

describe('delivery/every-destination says how far a missing canary got', () => {
  it('seen nowhere: red, and it says the canary did not even leave its sender', () => {
    expect(message([])).to.match(/red arp canary from red-c1-h1 not delivered to red-c2-h1 \(seen on no link end/);
  });

  it('seen at its sender only: red, counting the link ends it reached', () => {
    const at = { node: 'red-c1-h1', linkId: 'l-sender' };
    expect(message([at])).to.match(/not delivered to red-c2-h1 \(seen on 1 link end\(s\)\)/);
  });
});
