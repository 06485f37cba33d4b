import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { junitXml, writeJunit } from '../../../src/report/index.js';
import { fixture } from './fixture.js';
import { findAll, parseXml } from './xml-check.js';

describe('report/junit', () => {
  it('is well-formed and counts tests, failures and skips per suite', () => {
    const r = fixture('mtdc-failed');
    const doc = parseXml(junitXml(r));
    expect(doc.name).to.equal('testsuites');
    const suites = findAll(doc, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).to.deep.equal([...r.suites, 'mutation']);
    const tag = suites.find((s) => s.attrs.name === 'tag-stack')!;
    expect(tag.attrs.tests).to.equal('3');
    expect(tag.attrs.failures).to.equal('1');
    expect(suites.find((s) => s.attrs.name === 'faults')!.attrs.skipped).to.equal('1');
    expect(Number(doc.attrs.tests)).to.equal(r.checks.length + r.mutations!.length);
    expect(Number(doc.attrs.failures)).to.equal(r.summary.failed + r.mutations!.filter((m) => !m.killed).length);
    expect(findAll(doc, 'testcase')).to.have.length(r.checks.length + r.mutations!.length);
  });

  it('puts the message and every evidence frame in the failure body', () => {
    const r = fixture('mtdc-failed');
    const doc = parseXml(junitXml(r));
    const tc = findAll(doc, 'testcase').find((t) => t.attrs.name!.startsWith('isolation/no-fabric-tag-at-client'))!;
    const failure = tc.children.find((c) => c.name === 'failure')!;
    const check = r.checks.find((c) => c.id === 'isolation/no-fabric-tag-at-client')!;
    expect(failure.attrs.message).to.equal(check.message!.split('\n')[0]);
    expect(failure.text).to.contain(check.message!); // contains < and &: escaped and read back intact
    for (const e of check.evidence) expect(failure.text).to.contain(`${e.file}#${e.frame}: ${e.decoded}`);
    expect(tc.attrs.time).to.equal('0.120');
    const skipped = findAll(doc, 'testcase').find((t) => t.attrs.name!.startsWith('faults/'))!;
    expect(skipped.children.map((c) => c.name)).to.include('skipped');
  });

  it('carries lab, planHash and runId as properties', () => {
    const r = fixture('mtdc-failed');
    const props = findAll(parseXml(junitXml(r)), 'testsuite')[0]!.children.find((c) => c.name === 'properties')!;
    const map = Object.fromEntries(props.children.map((p) => [p.attrs.name, p.attrs.value]));
    expect(map).to.include({ lab: 'mtdc', planHash: r.planHash, runId: r.runId });
  });

  it('escapes hostile text: markup, quotes, newlines, control characters, lone surrogates', () => {
    const r = fixture('mtdc-passed');
    const nasty = 'a<b>&c "q" \'s\' ]]> \u0001\u0007\u001b \ud800 tab\tend\nsecond line';
    r.checks[0] = {
      ...r.checks[0]!,
      title: nasty,
      state: 'failed',
      message: nasty,
      evidence: [{ file: 'x&y.pcap', frame: 3, decoded: nasty, note: '<note>' }],
    };
    const doc = parseXml(junitXml(r));
    const tc = findAll(doc, 'testcase')[0]!;
    expect(tc.attrs.name).to.contain('a<b>&c "q" \'s\' ]]>');
    const failure = tc.children.find((c) => c.name === 'failure')!;
    expect(failure.attrs.message).to.equal('a<b>&c "q" \'s\' ]]> \\x01\\x07\\x1b \\ud800 tab\tend');
    expect(failure.text).to.contain('second line');
    expect(failure.text).to.contain('x&y.pcap#3');
  });

  it('a passing report has no failure elements; writeJunit writes the same text', async () => {
    const r = fixture('mtdc-passed');
    const xml = junitXml(r);
    expect(findAll(parseXml(xml), 'failure')).to.have.length(0);
    const dir = mkdtempSync(join(tmpdir(), 'junit-'));
    try {
      await writeJunit(r, join(dir, 'junit.xml'));
      expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).to.equal(xml);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the checker itself rejects broken XML', () => {
    expect(() => parseXml('<a><b></a></b>')).to.throw();
    expect(() => parseXml('<a x="1" x="2"/>')).to.throw(/duplicate/);
    expect(() => parseXml('<a>&</a>')).to.throw(/bare &/);
    expect(() => parseXml('<a>\u0001</a>')).to.throw(/invalid XML character/);
    expect(() => parseXml('<a b="<"/>')).to.throw();
  });
});
