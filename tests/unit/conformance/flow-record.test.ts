// The probe diffs its recorded flow dumps against the plan: the plan's port names are written
// with the recorded port numbers, learned MAC entries never count, and a missing record fails.
// The flows judges only read those recorded diffs: judging runs no host command.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { TestContext } from '../../../src/conformance/context.js';
import { diffRecorded, recordDiff } from '../../../src/conformance/flow-probe.js';
import { recordedDiffs, type FlowRecord } from '../../../src/conformance/flow-record.js';
import type { Judgement } from '../../../src/conformance/judge.js';
import type { ProbeRecord } from '../../../src/conformance/probe.js';
import type { SuiteRecords } from '../../../src/conformance/records.js';
import { failover } from '../../../src/conformance/suites/failover.js';
import { flows } from '../../../src/conformance/suites/flows.js';
import { loadLabText } from '../../../src/topology/index.js';
import { FakeHostNet } from '../../../src/hostnet/fake.js';
import { useHostNet } from '../../../src/hostnet/index.js';
import type { BridgeProgram } from '../../../src/tagging/modules/module.js';

const PROGRAM: BridgeProgram = {
  node: 'sw1',
  bridge: 'br-sw1',
  role: 'dc-switch',
  meters: [],
  groups: [],
  flows: ['priority=10,in_port=p1 actions=output:p2', 'priority=0 actions=drop'],
};

describe('conformance: flow dumps recorded by the probe, judged offline', () => {
  let h: FakeHostNet;
  let restore: () => void;
  beforeEach(() => {
    h = new FakeHostNet();
    restore = useHostNet(h);
  });
  afterEach(() => restore());

  const rec = (flows: string[] | null): FlowRecord => ({
    ports: new Map([
      ['p1', 1],
      ['p2', 2],
    ]),
    dumps: [{ bridge: 'br-sw1', node: 'sw1', flows }],
  });

  it('no drift when the dump holds the plan (ports by number), learned entries aside', async () => {
    const d = await diffRecorded(
      rec([
        'priority=10,in_port=1 actions=output:2',
        'priority=0 actions=drop',
        'cookie=0xfe, priority=5 actions=drop',
      ]),
      [PROGRAM],
    );
    expect(d).to.deep.equal([{ bridge: 'br-sw1', node: 'sw1', unexpected: [], missing: [] }]);
    // The switch is never read: only the recorded texts are compared.
    expect(h.callsOf('ovs.dumpFlows')).to.deep.equal([]);
    expect(h.callsOf('ovs.diffFlowTexts')).to.have.length(1);
  });

  it('reports missing and unexpected flows', async () => {
    const d = await diffRecorded(rec(['priority=10,in_port=1 actions=output:1']), [PROGRAM]);
    expect(d[0]!.unexpected).to.deep.equal(['priority=10,in_port=1 actions=output:1']);
    expect(d[0]!.missing).to.deep.equal(['priority=10,in_port=1 actions=output:2', 'priority=0 actions=drop']);
  });

  it('fails without a record, without a dump of a planned bridge, or when the ports could not be read', async () => {
    const fails = (p: Promise<unknown>, re: RegExp) =>
      p.then(
        () => expect.fail('must throw'),
        (e: Error) => expect(e.message).to.match(re),
      );
    await fails(diffRecorded(undefined, [PROGRAM]), /recorded no flow dumps/);
    await fails(diffRecorded(rec(null), [PROGRAM]), /no flow dump of bridge br-sw1/);
    await fails(diffRecorded({ ...rec([]), error: new Error('no OpenFlow port number for p9') }, [PROGRAM]), /p9/);
  });

  it('the probe keeps a failed comparison as a record; the judge reads it back and throws it', async () => {
    const ok = await recordDiff(rec(['priority=10,in_port=1 actions=output:1']), [PROGRAM]);
    const bad = await recordDiff(rec(null), [PROGRAM]);
    const calls = h.calls.length;
    const flows: FlowRecord = { ...rec([]), deployed: ok, placement: bad };
    expect(recordedDiffs(flows, 'deployed')[0]!.unexpected).to.deep.equal(['priority=10,in_port=1 actions=output:1']);
    expect(() => recordedDiffs(flows, 'placement')).to.throw(/no flow dump of bridge br-sw1/);
    expect(() => recordedDiffs(undefined, 'deployed')).to.throw(/recorded no flow dumps/);
    expect(() => recordedDiffs(rec([]), 'placement')).to.throw(/no flow diff against the placement plan/);
    expect(h.calls.length).to.equal(calls);
  });

  describe('judges over a record run no host command', () => {
    const model = loadLabText(
      readFileSync(new URL('../../../labs/failover/fabric.yml', import.meta.url).pathname, 'utf8'),
      'labs/failover/fabric.yml',
    );
    const ctx = { lab: 'frec-none', model, systems: [] } as unknown as TestContext;
    const drift = {
      bridge: 'br-c1',
      node: 'c1',
      unexpected: ['priority=1 actions=drop'],
      missing: ['priority=2 actions=NORMAL'],
    };
    const clean = { bridge: 'br-c2', node: 'c2', unexpected: [], missing: [] };
    const judge = async (id: string, flowRec: FlowRecord) => {
      const check = [...flows, ...failover].find((c) => c.id === id)!;
      const stats: Record<string, number> = {};
      const records: SuiteRecords = { flows: flowRec };
      const j: Judgement = {
        ctx,
        probe: {} as ProbeRecord,
        run: { files: [], frames: [], byCanary: new Map() },
        records,
        stats,
      };
      try {
        await check.judge(j);
        return { stats };
      } catch (e) {
        return { stats, message: (e as Error).message };
      }
    };

    it('flows/no-drift and failover/flows-follow-placement: verdicts from the recorded diffs, the adapter never called', async () => {
      const good: FlowRecord = { ...rec([]), deployed: { diffs: [clean] }, placement: { diffs: [clean, clean] } };
      const bad: FlowRecord = { ...rec([]), deployed: { diffs: [drift, clean] }, placement: { diffs: [clean, drift] } };
      expect(await judge('flows/no-drift', good)).to.deep.equal({ stats: { bridges: 1 } });
      expect(await judge('failover/flows-follow-placement', good)).to.deep.equal({ stats: { bridges: 2 } });
      expect((await judge('flows/no-drift', bad)).message).to.equal(
        'flows drift on 1 bridge(s):\n  c1: \n    + priority=2 actions=NORMAL\n    - priority=1 actions=drop',
      );
      expect((await judge('failover/flows-follow-placement', bad)).message).to.equal(
        'flows differ from the plan on c1 (-1/+1)',
      );
      const failed: FlowRecord = { ...rec([]), error: new Error('no OpenFlow port number for p9') };
      failed.deployed = failed.placement = await recordDiff(failed, [PROGRAM]);
      expect((await judge('flows/no-drift', failed)).message).to.equal('no OpenFlow port number for p9');
      expect((await judge('failover/flows-follow-placement', failed)).message).to.equal(
        'no OpenFlow port number for p9',
      );
      expect(h.calls).to.deep.equal([]);
    });
  });
});
