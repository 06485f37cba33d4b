import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readReport, reportJson, writeJson } from '../../../src/report/index.js';
import type { ConformanceReport } from '../../../src/report/result.js';
import { fixture } from './fixture.js';

/** The same data with every object's keys inserted in reverse order. */
function reversed<T>(v: T): T {
  if (Array.isArray(v)) return v.map(reversed) as T;
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .reverse()
      .map(([k, x]) => [k, reversed(x)]),
  ) as T;
}

describe('report/json', () => {
  it('has a stable key order: insertion order does not matter', () => {
    const r = fixture('mtdc-failed');
    expect(reportJson(reversed(r))).to.equal(reportJson(r));
    const text = reportJson(r);
    expect(Object.keys(JSON.parse(text)).slice(0, 4)).to.deep.equal(['reportVersion', 'lab', 'runtime', 'planHash']);
    expect(Object.keys(JSON.parse(text).checks[0])).to.deep.equal([...Object.keys(JSON.parse(text).checks[0])].sort());
    expect(text.endsWith('}\n')).to.equal(true);
    expect(text).to.contain('\n  "lab": "mtdc",'); // pretty
  });

  it('round-trips through writeJson/readReport and drops undefined fields', async () => {
    const r = fixture('mtdc-passed');
    const withUndef = { ...r, mutations: undefined } as unknown as ConformanceReport;
    const dir = mkdtempSync(join(tmpdir(), 'rjson-'));
    try {
      await writeJson(withUndef, join(dir, 'r.json'));
      const back = await readReport(join(dir, 'r.json'));
      expect(back).to.deep.equal(JSON.parse(JSON.stringify(r)));
      expect('mutations' in back).to.equal(false);
      writeFileSync(join(dir, 'bad.json'), JSON.stringify({ reportVersion: 1 }));
      let code = '';
      await readReport(join(dir, 'bad.json')).catch((e: { code: string }) => {
        code = e.code;
      });
      expect(code).to.equal('E_REPORT_VERSION');
      writeFileSync(join(dir, 'short.json'), JSON.stringify({ reportVersion: 2, lab: 'x' }));
      await readReport(join(dir, 'short.json')).catch((e: { code: string }) => {
        code = e.code;
      });
      expect(code).to.equal('E_REPORT_SHAPE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the committed fixtures are in canonical form', () => {
    for (const name of ['mtdc-failed', 'mtdc-passed'] as const) {
      const r = fixture(name);
      expect(reportJson(r)).to.equal(reportJson(JSON.parse(reportJson(r))));
      expect(r.summary.passed + r.summary.failed + r.summary.skipped).to.equal(r.checks.length);
    }
  });
});
