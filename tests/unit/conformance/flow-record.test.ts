// The flows judges diff recorded flow dumps against the plan: the plan's port names are written
// with the recorded port numbers, learned MAC entries never count, and a missing record fails.
import { expect } from 'chai';
import { diffRecorded, type FlowRecord } from '../../../src/conformance/flow-record.js';
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
});
