import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mjs|js|sh)$/.test(p) ? [p] : [];
  });
}

/** FABRIC_* names read from the environment anywhere in these files, with where. */
function variablesIn(paths: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of paths)
    for (const m of readFileSync(file, 'utf8').matchAll(/\bFABRIC_[A-Z0-9_]+\b/g))
      out.set(m[0], [...new Set([...(out.get(m[0]) ?? []), file])]);
  return out;
}

describe('docs/environment.md', () => {
  const doc = readFileSync('docs/environment.md', 'utf8');
  const listed = new Set([...doc.matchAll(/^\| `(FABRIC_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));

  it('lists, in a table row, every FABRIC_* variable that src/, bench/, scripts/, tests/ or the Makefile reads', () => {
    const used = variablesIn([...files('src'), ...files('bench'), ...files('scripts'), ...files('tests'), 'Makefile']);
    expect(used.size).to.be.greaterThan(5);
    const missing = [...used].filter(([v]) => !listed.has(v)).map(([v, f]) => `${v} (${f.join(', ')})`);
    expect(missing, 'document these in docs/environment.md').to.deep.equal([]);
  });

  it('lists no variable nothing reads any more', () => {
    const used = variablesIn([...files('src'), ...files('bench'), ...files('scripts'), ...files('tests')]);
    expect([...listed].filter((v) => !used.has(v))).to.deep.equal([]);
  });

  it('is linked from the README', () => {
    expect(readFileSync('README.md', 'utf8')).to.contain('docs/environment.md');
  });
});
