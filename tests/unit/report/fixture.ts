// Fixture reports (tests/fixtures/report/, made by make-fixtures.ts from the reference lab).
import { readFileSync } from 'node:fs';
import type { ConformanceReport } from '../../../src/report/result.js';

export const FIXTURE_DIR = new URL('../../fixtures/report/', import.meta.url).pathname;
export function fixture(name: 'mtdc-failed' | 'mtdc-passed'): ConformanceReport {
  return JSON.parse(readFileSync(`${FIXTURE_DIR}${name}.json`, 'utf8')) as ConformanceReport;
}
