// JUnit for CI: a probe that could not run is an <error> (no verdict), a verdict is a <failure>;
// each testcase's time carries its share of the probe; evidence pcaps are attached; each evidence
// frame comes with its ready tshark command. Golden: tests/golden/report/junit-probe.xml.
import { expect } from 'chai';
import { junitXml, probeShareMs, renderHtml } from '../../../src/report/index.js';
import type { ConformanceReport } from '../../../src/report/result.js';
import { golden } from '../../helpers/golden.js';
import { fixture } from './fixture.js';
import { findAll, parseXml } from './xml-check.js';

const CMD = 'tshark -r captures/mtdc/r1/dc1-sw--p3.pcap -Y frame.number==7 -V -d mpls.label==1001-1003,pwethnocw';

function report(): ConformanceReport {
  const r = fixture('mtdc-passed');
  r.runDir = 'captures/mtdc/r1';
  r.suites = ['isolation', 'overlap'];
  r.mutations = undefined;
  r.stages = [
    { stage: 'context', ms: 200 },
    { stage: 'learn', ms: 400 },
    { stage: 'capture start', ms: 300 },
    { stage: 'traffic', ms: 2100 },
    { stage: 'canaries', ms: 500 },
    { stage: 'capture stop', ms: 900 },
    { stage: 'decode', ms: 600 },
    { stage: 'judge', ms: 90 },
  ];
  r.checks = [
    { suite: 'isolation', id: 'isolation/a', title: 'passes', state: 'passed', durationMs: 10, evidence: [] },
    {
      suite: 'isolation',
      id: 'isolation/b',
      title: 'fails with a frame',
      state: 'failed',
      durationMs: 20,
      message: 'red canary on a green client port: 1 violation(s)',
      evidence: [
        { file: 'dc1-sw--p3.pcap', frame: 7, decoded: '802.1ad 11 | 802.1Q 100', note: 'red on green', command: CMD },
      ],
    },
    {
      suite: 'overlap',
      id: 'overlap/c',
      title: 'could not run',
      state: 'error',
      durationMs: 0,
      message: 'not run: the probe failed: tcpdump did not listen',
      evidence: [],
    },
  ];
  r.summary = { passed: 1, failed: 1, skipped: 0, errors: 1 };
  return r;
}

describe('report/junit: probe errors, probe share, attachments, tshark commands', () => {
  it('matches the golden file', () => {
    golden('tests/golden/report/junit-probe.xml', junitXml(report(), { pcapBase: '/srv/ci/captures/mtdc/r1' }));
  });

  it('reports a probe that could not run as <error>, a verdict as <failure>, and counts both', () => {
    const doc = parseXml(junitXml(report()));
    expect(doc.attrs).to.include({ tests: '3', failures: '1', errors: '1' });
    const tcs = findAll(doc, 'testcase');
    const kinds = tcs.map((t) => t.children.map((c) => c.name).filter((n) => n !== 'system-out'));
    expect(kinds).to.deep.equal([[], ['failure'], ['error']]);
  });

  it('adds an equal share of every stage before the judge to each testcase', () => {
    const r = report();
    // (200+400+300+2100+500+900+600) / 3 checks; judge and reports are not shared.
    expect(probeShareMs(r)).to.equal(1667);
    const times = findAll(parseXml(junitXml(r)), 'testcase').map((t) => t.attrs.time);
    expect(times).to.deep.equal(['1.677', '1.687', '1.667']);
    r.stages = undefined;
    expect(probeShareMs(r)).to.equal(0);
  });

  it('attaches evidence pcaps relative to the run dir by default, under pcapBase when given', () => {
    const rel = junitXml(report());
    expect(rel).to.contain('[[ATTACHMENT|dc1-sw--p3.pcap]]');
    expect(junitXml(report(), { pcapBase: '/ci/r1' })).to.contain('[[ATTACHMENT|/ci/r1/dc1-sw--p3.pcap]]');
    expect(rel).to.contain(`$ ${CMD}`);
  });

  it('shows the ready command under each evidence frame in the HTML, and the errors in the verdict', () => {
    const h = renderHtml(report());
    expect(h).to.contain(`<pre class="cmd" title="the frame in full">$ ${CMD}</pre>`);
    expect(h).to.contain('not run (probe error)');
    expect(h).to.contain('<span class="badge error">error</span>');
  });
});
