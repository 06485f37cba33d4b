// JUnit XML for CI: <testsuites> → one <testsuite> per conformance suite → one <testcase> per
// check. A failed check (a verdict) carries its message and its evidence frames (file#frame,
// decoded line, ready tshark command) in the <failure> body, so a CI page shows which frames broke
// the rule; a check that could not run because the probe failed is an <error>. Each testcase's
// time is its judge's time plus an equal share of the probe it rests on. The evidence pcaps are
// linked as `[[ATTACHMENT|path]]` lines in <system-out> (Jenkins' and GitLab's convention). Mutation
// results, when present, form one more suite (`mutation`): a mutation no check caught is a failure.
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { CheckResult, ConformanceReport, FrameEvidence } from './result.js';
import { xmlAttr, xmlText } from './xml.js';

const secs = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

/** Suites in report order, then any suite only named by a check (sorted). */
export function suiteOrder(report: ConformanceReport): string[] {
  const seen = new Set(report.suites);
  const extra = [...new Set(report.checks.map((c) => c.suite).filter((s) => !seen.has(s)))].sort();
  return [...report.suites, ...extra];
}

export interface JunitOptions {
  /** Prefix of the evidence pcap paths in attachments ('' = relative to the run dir, where junit.xml sits). */
  pcapBase?: string;
}

/** Stages the checks rest on (everything before judging), shared equally among the checks. */
const JUDGE_OR_AFTER = new Set(['judge', 'reports']);
export function probeShareMs(report: ConformanceReport): number {
  const ms = (report.stages ?? []).filter((s) => !JUDGE_OR_AFTER.has(s.stage)).reduce((a, s) => a + s.ms, 0);
  return report.checks.length ? Math.round(ms / report.checks.length) : 0;
}

export function evidenceLine(e: FrameEvidence): string {
  return `${e.file}#${e.frame}: ${e.decoded}${e.note ? `  (${e.note})` : ''}${e.command ? `\n    $ ${e.command}` : ''}`;
}

function failureBody(c: CheckResult): string {
  const lines = [c.message ?? 'failed'];
  if (c.evidence.length) {
    lines.push('', `evidence (${c.evidence.length} frame${c.evidence.length === 1 ? '' : 's'}):`);
    for (const e of c.evidence) lines.push('  ' + evidenceLine(e));
  }
  return lines.join('\n');
}

function attachments(c: CheckResult, base: string): string[] {
  return [...new Set(c.evidence.map((e) => e.file))].map((f) => `[[ATTACHMENT|${base ? join(base, f) : f}]]`);
}

function statsText(c: CheckResult): string | null {
  const entries = Object.entries(c.stats ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(' ') : null;
}

function firstLine(s: string | undefined, fallback: string): string {
  const l = (s ?? '').split('\n')[0]!.trim();
  return l || fallback;
}

function testcase(report: ConformanceReport, c: CheckResult, ind: string, o: Required<JunitOptions>): string {
  const ms = c.durationMs + probeShareMs(report);
  const open = `${ind}<testcase classname="${xmlAttr(`${report.lab}.${c.suite}`)}" name="${xmlAttr(`${c.id}: ${c.title}`)}" time="${secs(ms)}"`;
  const inner: string[] = [];
  if (c.state === 'failed') {
    inner.push(
      `${ind}  <failure message="${xmlAttr(firstLine(c.message, 'check failed'))}" type="${xmlAttr(c.id)}">${xmlText(failureBody(c))}</failure>`,
    );
  } else if (c.state === 'error') {
    inner.push(
      `${ind}  <error message="${xmlAttr(firstLine(c.message, 'the probe failed'))}" type="probe-error">${xmlText(c.message ?? 'the probe failed')}</error>`,
    );
  } else if (c.state === 'skipped') {
    inner.push(`${ind}  <skipped message="${xmlAttr(firstLine(c.message, 'skipped'))}"/>`);
  }
  const st = statsText(c);
  const out: string[] = [];
  if (st) out.push(`stats: ${st}`);
  if (c.state !== 'failed' && c.evidence.length) for (const e of c.evidence) out.push(evidenceLine(e));
  out.push(...attachments(c, o.pcapBase));
  if (out.length) inner.push(`${ind}  <system-out>${xmlText(out.join('\n'))}</system-out>`);
  return inner.length ? `${open}>\n${inner.join('\n')}\n${ind}</testcase>` : `${open}/>`;
}

function properties(report: ConformanceReport, ind: string): string {
  const props: [string, string][] = [
    ['lab', report.lab],
    ['planHash', report.planHash],
    ['runId', report.runId],
    ['runtime', report.runtime],
    ['runDir', report.runDir],
  ];
  return [
    `${ind}<properties>`,
    ...props.map(([k, v]) => `${ind}  <property name="${xmlAttr(k)}" value="${xmlAttr(v)}"/>`),
    `${ind}</properties>`,
  ].join('\n');
}

/** JUnit timestamps carry no zone (the schema's xs:dateTime without Z); ours are UTC. */
const stamp = (iso: string): string => iso.replace(/(\.\d+)?Z$/, '');

export function junitXml(report: ConformanceReport, opts: JunitOptions = {}): string {
  const o: Required<JunitOptions> = { pcapBase: opts.pcapBase ?? '' };
  const share = probeShareMs(report);
  const parts: string[] = [];
  let tests = 0,
    failures = 0,
    errors = 0,
    skipped = 0,
    totalMs = 0;
  for (const suite of suiteOrder(report)) {
    const cs = report.checks.filter((c) => c.suite === suite);
    const f = cs.filter((c) => c.state === 'failed').length;
    const e = cs.filter((c) => c.state === 'error').length;
    const sk = cs.filter((c) => c.state === 'skipped').length;
    const ms = cs.reduce((a, c) => a + c.durationMs + share, 0);
    tests += cs.length;
    failures += f;
    errors += e;
    skipped += sk;
    totalMs += ms;
    parts.push(
      `  <testsuite name="${xmlAttr(suite)}" tests="${cs.length}" failures="${f}" errors="${e}" skipped="${sk}" time="${secs(ms)}" timestamp="${xmlAttr(stamp(report.startedAt))}">`,
      properties(report, '    '),
      ...cs.map((c) => testcase(report, c, '    ', o)),
      '  </testsuite>',
    );
  }
  if (report.mutations?.length) {
    const ms = report.mutations;
    const survived = ms.filter((m) => !m.killed);
    tests += ms.length;
    failures += survived.length;
    parts.push(
      `  <testsuite name="mutation" tests="${ms.length}" failures="${survived.length}" errors="0" skipped="0" time="0.000" timestamp="${xmlAttr(stamp(report.startedAt))}">`,
      properties(report, '    '),
      ...ms.map((m) => {
        const open = `    <testcase classname="${xmlAttr(`${report.lab}.mutation`)}" name="${xmlAttr(`${m.name}: ${m.description}`)}" time="0.000"`;
        if (m.killed)
          return `${open}>\n      <system-out>${xmlText(`killed by ${m.killedBy.join(', ')}`)}</system-out>\n    </testcase>`;
        return `${open}>\n      <failure message="${xmlAttr(`mutation ${m.name} survived: no check turned red`)}" type="mutation-survived">${xmlText(`${m.description}\nno check failed while this misprogramming was applied`)}</failure>\n    </testcase>`;
      }),
      '  </testsuite>',
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttr(`fabric ${report.lab}`)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${secs(totalMs)}">`,
    ...parts,
    '</testsuites>',
    '',
  ].join('\n');
}

export async function writeJunit(report: ConformanceReport, path: string, o: JunitOptions = {}): Promise<void> {
  await writeFile(path, junitXml(report, o));
}
