// tag-stack/hosted-guests: red when a flood canary misses a hosted site's guest while the guests
// run; a skip naming the links left out (not a failure) when the guests are not set up.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { TestContext } from '../../../src/conformance/context.js';
import type { RunFrames } from '../../../src/conformance/frames.js';
import type { CheckDef, Judgement } from '../../../src/conformance/judge.js';
import { SkipCheck } from '../../../src/conformance/judge.js';
import type { ProbeRecord, SentCanary } from '../../../src/conformance/probe.js';
import { tagStack } from '../../../src/conformance/suites/tag-stack.js';
import { Expectations } from '../../../src/tagging/expected.js';
import { computePlan, planHash } from '../../../src/tagging/index.js';
import { loadLabText } from '../../../src/topology/index.js';

const labOf = (file: string) =>
  loadLabText(readFileSync(new URL(`../../../${file}`, import.meta.url).pathname, 'utf8'), file);
const model = labOf('labs/mtdc/fabric.yml');
const plan = computePlan(model);
const ctxOf = (guestsNotSetUp?: string, m = model, p = plan) =>
  ({
    lab: 'mtdc',
    runtime: 'netns',
    model: m,
    plan: p,
    planHash: planHash(p),
    exp: new Expectations(m, p, { guests: !guestsNotSetUp }),
    status: { schemaVersion: 1, lab: 'mtdc', runtime: 'netns', nodes: [], links: [] },
    systems: [],
    ...(guestsNotSetUp ? { guestsNotSetUp } : {}),
  }) as unknown as TestContext;
const flow = { tenant: 'blue', src: { site: 'c1', system: 'h1' }, dst: { flood: 'broadcast' as const } };
const canary = { key: 'Sneezy|broadcast|0|t', tenant: 'blue', cls: 'broadcast', flow } as unknown as SentCanary;
const check = tagStack.find((c) => c.id === 'tag-stack/hosted-guests') as CheckDef;

function judge(ctx: TestContext): Promise<void> | void {
  const run: RunFrames = { files: [], frames: [], byCanary: new Map() };
  const probe = {
    runDir: '',
    runId: 'r',
    manifest: {},
    canaries: [canary],
    pings: [],
    udp: [],
  } as unknown as ProbeRecord;
  const j: Judgement = { ctx, probe, run, stats };
  return check.judge(j);
}
let stats: Record<string, number> = {};
beforeEach(() => (stats = {}));

describe('tag-stack/hosted-guests follows what is deployed', () => {
  it('guests running: a flood canary never seen past the hypervisor uplink is red', () => {
    expect(() => judge(ctxOf())).to.throw(/never seen on hosted link .*hv3-gw/);
  });

  it('guests not set up: skipped, saying why and which hosted links are left out', () => {
    let err: unknown;
    try {
      judge(ctxOf('not set up: lab mtdc has no virtual hypervisors running'));
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(SkipCheck);
    expect((err as Error).message).to.match(/^not set up: lab mtdc/);
    expect((err as Error).message)
      .to.match(/hv3-v1/)
      .and.match(/hv2-gw/);
  });

  it('a lab hosting no site: holds with zero hosted hops (nothing is left out, so no skip)', () => {
    const net = labOf('tests/fixtures/labs/mtdc-network/fabric.yml');
    const netPlan = computePlan(net);
    expect(() => judge(ctxOf(undefined, net, netPlan))).not.to.throw();
    expect(stats).to.deep.equal({ hostedSites: 0, hostedHops: 0 });
    // The same frames on the lab with hosted sites are red: the zero comes from the lab, not the run.
    expect(() => judge(ctxOf())).to.throw(/never seen on hosted link/);
    expect(stats.hostedSites).to.be.greaterThan(0);
  });
});
