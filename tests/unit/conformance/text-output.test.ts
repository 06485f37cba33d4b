// What `fabric test` prints besides the mocha reporter: a failed check's text with one ready
// tshark command per evidence frame, the stage progress lines and the stage summary; and --grep.
// Golden: tests/golden/conformance/test-text.txt. No wall time: the stage times are given.
import { expect } from 'chai';
import { evidenceText, withCommands } from '../../../src/conformance/check-test.js';
import { grepChecks, newMocha } from '../../../src/conformance/runner.js';
import { StageClock, stageLine, stagesSummary, type StageTime } from '../../../src/conformance/stages.js';
import type { CheckDef } from '../../../src/conformance/judge.js';
import { golden } from '../../helpers/golden.js';

const STAGES: StageTime[] = [
  { stage: 'context', ms: 212 },
  { stage: 'learn', ms: 431 },
  { stage: 'capture start', ms: 288 },
  { stage: 'traffic', ms: 2140 },
  { stage: 'canaries', ms: 517 },
  { stage: 'capture stop', ms: 905 },
  { stage: 'decode', ms: 644 },
  { stage: 'judge', ms: 93 },
  { stage: 'reports', ms: 120 },
];

describe('conformance text output', () => {
  it('matches the golden file (failure with ready commands, progress lines, stage summary)', () => {
    const ev = withCommands(
      [
        { file: 'green-c1-sw--p2.pcap', frame: 12, decoded: 'eth 02:00:00:00:00:10 > ff:ff:ff:ff:ff:ff | 802.1Q 100' },
        { file: 'dc1-sw--p3.pcap', frame: 7, decoded: '802.1ad 11 | 802.1Q 100', note: 'red on green' },
      ],
      'captures/mtdc/20261204T233000Z-abcdef',
      ['mpls.label==1001-1003,pwethnocw'],
    );
    const text = [
      evidenceText('no canary crosses tenants: 2 violation(s)\n  - red canary on a green client port', ev),
      '',
      ...STAGES.map(stageLine),
      '',
      stagesSummary(STAGES, 5400),
    ].join('\n');
    golden('tests/golden/conformance/test-text.txt', text);
  });

  it('leaves a message without evidence commands as it is', () => {
    expect(evidenceText('only words', [])).to.equal('only words');
  });

  it('records stages in order and tells the listener, also when the stage throws', async () => {
    const told: string[] = [];
    const c = new StageClock((s) => told.push(s.stage));
    await c.time('learn', async () => undefined);
    await c.time('traffic', async () => Promise.reject(new Error('x'))).catch(() => undefined);
    c.add('judge', 12.6);
    expect(told).to.deep.equal(['learn', 'traffic', 'judge']);
    expect(c.list.map((s) => s.stage)).to.deep.equal(['learn', 'traffic', 'judge']);
    expect(c.list[2]!.ms).to.equal(13);
  });

  it('--grep keeps checks whose id, suite or title match, and refuses bad or empty selections', () => {
    const def = (suite: string, id: string, title: string): CheckDef => ({ suite, id, title, judge: () => undefined });
    const cs = [
      def('isolation', 'isolation/canaries-stay-in-tenant', 'no canary crosses tenants'),
      def('overlap', 'overlap/ping-every-peer', 'real pings answered'),
    ];
    expect(grepChecks(cs, undefined)).to.equal(cs);
    expect(grepChecks(cs, 'canaries-stay').map((c) => c.id)).to.deep.equal(['isolation/canaries-stay-in-tenant']);
    expect(grepChecks(cs, '^overlap').map((c) => c.suite)).to.deep.equal(['overlap']);
    expect(grepChecks(cs, 'pings answered').length).to.equal(1);
    expect(() => grepChecks(cs, '('))
      .to.throw(/--grep/)
      .with.property('code', 'E_TEST_REPORTER');
    expect(() => grepChecks(cs, 'nothing-like-this'))
      .to.throw(/matches no check/)
      .with.property('hint')
      .that.contains('overlap/ping-every-peer');
  });

  it('--reporter: any mocha reporter by name; an unknown one is E_TEST_REPORTER', () => {
    for (const r of ['spec', 'dot', 'tap', 'json', 'list', 'min'])
      expect(() => newMocha({ reporter: r })).to.not.throw();
    expect(() => newMocha({ reporter: 'no-such-reporter' }))
      .to.throw()
      .with.property('code', 'E_TEST_REPORTER');
  });
});
