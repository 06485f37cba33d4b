// Golden-file comparison shared by every suite. UPDATE_GOLDEN=1 rewrites the expected files
// (review the diff before committing); a missing golden file is a failure, never a silent pass.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';

export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

export function golden(path: string, actual: string): void {
  if (UPDATE_GOLDEN || !existsSync(path)) {
    if (!UPDATE_GOLDEN) throw new Error(`missing golden file ${path}: run with UPDATE_GOLDEN=1 and review it`);
    writeFileSync(path, actual);
    return;
  }
  expect(actual).to.equal(readFileSync(path, 'utf8'));
}
