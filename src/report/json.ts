// The report as JSON: pretty, with a stable key order (the contract's order at the top level,
// alphabetical below), so two runs with the same results give byte-identical files and diffs
// between runs show only what changed.
import { readFile, writeFile } from 'node:fs/promises';
import type { ConformanceReport } from './result.js';
import { FabricError } from '../errors/fabric-error.js';

const TOP: (keyof ConformanceReport)[] = [
  'reportVersion',
  'lab',
  'runtime',
  'planHash',
  'runId',
  'runDir',
  'startedAt',
  'finishedAt',
  'summary',
  'stages',
  'suites',
  'checks',
  'failover',
  'mutations',
  'background',
  'topology',
  'hops',
];

function sorted(v: unknown, top = false): unknown {
  if (Array.isArray(v)) return v.map((x) => sorted(x));
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined);
  const first = top ? TOP.filter((k) => keys.includes(k)) : [];
  const rest = keys.filter((k) => !first.includes(k as keyof ConformanceReport)).sort();
  const out: Record<string, unknown> = {};
  for (const k of [...first, ...rest]) out[k] = sorted(o[k]);
  return out;
}

export function reportJson(report: ConformanceReport): string {
  return JSON.stringify(sorted(report, true), null, 2) + '\n';
}

export async function writeJson(report: ConformanceReport, path: string): Promise<void> {
  await writeFile(path, reportJson(report));
}

/** Reads a report written by writeJson (checks the version and the fields the renderers need). */
export async function readReport(path: string): Promise<ConformanceReport> {
  let v: unknown;
  try {
    v = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new FabricError('E_REPORT_READ', `cannot read report ${path}`, { cause: err });
  }
  const r = v as Partial<ConformanceReport>;
  if (!r || typeof r !== 'object' || r.reportVersion !== 2) {
    throw new FabricError(
      'E_REPORT_VERSION',
      `${path}: not a fabric conformance report (reportVersion ${JSON.stringify(r?.reportVersion)})`,
      {
        hint: 'expected reportVersion 2 (src/report/result.ts)',
      },
    );
  }
  for (const k of ['lab', 'runId', 'checks', 'topology', 'hops', 'summary'] as const) {
    if (r[k] === undefined) throw new FabricError('E_REPORT_SHAPE', `${path}: report lacks "${k}"`);
  }
  return r as ConformanceReport;
}
