// The failover suite judges the probe's records: each check is shown red on bad records and green
// on good ones (the watched failover and fail-back of the run, the customer VMs' answers), and the
// suite is left out of the default selection on a lab without hypervisors.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { TestContext } from '../../../src/conformance/context.js';
import { SkipCheck, type Judgement } from '../../../src/conformance/judge.js';
import { guestsNotSetUp } from '../../../src/conformance/failover-moves.js';
import type { ProbeRecord } from '../../../src/conformance/probe.js';
import type { SuiteRecords } from '../../../src/conformance/records.js';
import { selectChecks } from '../../../src/conformance/runner.js';
import { failover } from '../../../src/conformance/suites/failover.js';
import type { Timeline } from '../../../src/failover/index.js';
import { loadLabText } from '../../../src/topology/index.js';

const model = loadLabText(
  readFileSync(new URL('../../../labs/failover/fabric.yml', import.meta.url).pathname, 'utf8'),
  'labs/failover/fabric.yml',
);
// A lab name with no failover state on file: only this run's records count.
const ctx = { lab: 'fsuite-none', model, systems: [] } as unknown as TestContext;

const check = (id: string) => failover.find((c) => c.id === id)!;

function move(action: 'failover' | 'failback', over: Partial<Timeline> = {}): Timeline {
  return {
    action,
    trigger: action === 'failover' ? 'failure' : null,
    host: action === 'failover' ? 'hvc' : 'c1',
    site: 'red/vm',
    detectedAt: 0,
    steps: [{ step: 'retag', atMs: 1, ms: 50 }],
    restorationMs: 60,
    activated: null,
    placement: {},
    migrations: [],
    flowDiff: { removed: 2, added: 2 },
    flows: [
      {
        tenant: 'red',
        from: 'red-c1-h1',
        to: 'red/vm (customer VM)',
        ip: '10.20.30.50',
        sent: 6000,
        received: 5900,
        lost: 100,
        firstLost: 2001,
        lastLost: 2100,
        pps: 1000,
        maxGapMs: 100,
        maxGapStart: 0,
        longestRun: { first: 2001, last: 2100, frames: 100 },
      },
    ],
    crossTenantFrames: 0,
    stacksDuring: { checked: 4000, violations: 0, samples: [] },
    ...over,
  };
}

async function judge(id: string, rec: Partial<NonNullable<SuiteRecords['failover']>>): Promise<Record<string, number>> {
  const stats: Record<string, number> = {};
  const records: SuiteRecords = { failover: { taps: {}, asks: [], moves: [], model, ...rec } };
  const j: Judgement = {
    ctx,
    probe: {} as ProbeRecord,
    run: { files: [], frames: [], byCanary: new Map() },
    records,
    stats,
  };
  await check(id).judge(j);
  return stats;
}

const both = [move('failover'), move('failback')];

describe('failover suite: verdicts from the probe records', () => {
  it('moves-restore-the-site: green when both moves restored the site; red when the train never recovered, the re-tag never applied or no move ran', async () => {
    const id = 'failover/moves-restore-the-site';
    expect((await judge(id, { moves: both })).moves).to.equal(2);
    const stuck = move('failover', {
      flows: [
        {
          ...move('failover').flows![0]!,
          received: 2000,
          lost: 4000,
          longestRun: { first: 2001, last: 6000, frames: 4000 },
        },
      ],
    });
    await expectRed(judge(id, { moves: [stuck, move('failback')] }), /not answered again before its train ended/);
    await expectRed(judge(id, { moves: [move('failover', { restorationMs: null })] }), /re-tag was never applied/);
    await expectRed(judge(id, { moves: [], skipped: 'lab x has no virtual hypervisors running' }), /no failover ran/);
    expect((await judge(id, { moves: [], skipped: 'turned off (--no-failover)' })).noWatchedMove).to.equal(1);
  });

  it('no-cross-tenant-frame-during-last-move: red when either move let a frame across tenants', async () => {
    const id = 'failover/no-cross-tenant-frame-during-last-move';
    expect((await judge(id, { moves: both })).crossTenantFrames).to.equal(0);
    await expectRed(
      judge(id, { moves: [move('failover'), move('failback', { crossTenantFrames: 3 })] }),
      /3 frame\(s\) of another tenant .* failback of red\/vm/,
    );
  });

  it('stacks-during-last-move: red on a frame off its stack, and when no train frame was captured', async () => {
    const id = 'failover/stacks-during-last-move';
    expect((await judge(id, { moves: both })).checkedFrames).to.equal(8000);
    await expectRed(
      judge(id, { moves: [move('failover', { stacksDuring: { checked: 10, violations: 1, samples: ['x'] } })] }),
      /1 of 10 frame\(s\) off their port's stack/,
    );
    await expectRed(
      judge(id, { moves: [move('failover', { stacksDuring: { checked: 0, violations: 0, samples: [] } })] }),
      /no train frame was captured/,
    );
  });

  it('customer-vms-same-ip-and-mac: red on an unanswered ask or a foreign MAC', async () => {
    const id = 'failover/customer-vms-same-ip-and-mac';
    const ask = {
      from: 'red-c1-h1',
      dc: 'dc2',
      site: 'red/vm',
      system: 'v1',
      ip: '10.20.30.50',
      answered: true,
      mac: '02:00:00:00:00:50',
    };
    expect((await judge(id, { asks: [ask] })).asked).to.equal(1);
    await expectRed(judge(id, { asks: [{ ...ask, answered: false }] }), /no answer/);
    await expectRed(judge(id, { asks: [{ ...ask, mac: '02:00:00:00:00:99' }] }), /answered from MAC 02:00:00:00:00:99/);
    await expectRed(judge(id, { asks: [] }), /no client/);
  });

  it('every check is skipped, with the reason, when the guests are not set up (fabric up --no-guests)', async () => {
    const skipped = guestsNotSetUp('fsuite-none')!;
    expect(skipped).to.match(/^not set up: lab fsuite-none has no virtual hypervisors running/);
    for (const c of failover) {
      let err: Error | undefined;
      try {
        await judge(c.id, { skipped, notSetUp: true });
      } catch (e) {
        err = e as Error;
      }
      expect(err, c.id).to.be.instanceOf(SkipCheck);
      expect(err!.message, c.id).to.equal(skipped);
    }
  });

  it('the suite is in the default selection only on a lab with hypervisors', () => {
    const suites = (o: { hypervisors?: boolean }) => new Set(selectChecks(undefined, o).map((c) => c.suite));
    expect(suites({ hypervisors: true }).has('failover')).to.equal(true);
    expect(suites({ hypervisors: false }).has('failover')).to.equal(false);
    expect(suites({ hypervisors: false }).has('isolation')).to.equal(true);
    // Named, it stays: its checks then say why they do not apply.
    expect(selectChecks(['failover'], { hypervisors: false })).to.have.length(failover.length);
  });
});

async function expectRed(p: Promise<unknown>, re: RegExp): Promise<void> {
  let err: Error | undefined;
  try {
    await p;
  } catch (e) {
    err = e as Error;
  }
  expect(err?.message, 'the check must be red').to.match(re);
}
