import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ERROR_AREAS, ERROR_CODES, isErrorCode } from '../../../src/errors/codes/index.js';
import { renderErrorsDoc } from '../../../src/errors/errors-doc.js';
import { FabricError } from '../../../src/errors/fabric-error.js';
import { golden } from '../../helpers/golden.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every quoted E_ code in src/ outside the catalogue itself, with the files using it. */
function codesInSource(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of sources('src')) {
    if (file.startsWith(join('src', 'errors', 'codes'))) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`](E_[A-Z0-9_]+)['"`]/g)) {
      out.set(m[1]!, [...(out.get(m[1]!) ?? []), file]);
    }
  }
  return out;
}

describe('error catalogue', () => {
  it('docs/errors.md is the text generated from the catalogue', () => {
    golden('docs/errors.md', renderErrorsDoc());
  });

  it('lists every code used in src/', () => {
    const missing = [...codesInSource()].filter(([c]) => !isErrorCode(c)).map(([c, f]) => `${c} (${f.join(', ')})`);
    expect(missing, 'add these codes to src/errors/codes/').to.deep.equal([]);
  });

  it('lists no code that src/ no longer uses', () => {
    const used = codesInSource();
    const stale = Object.keys(ERROR_CODES).filter((c) => !used.has(c));
    expect(stale, 'remove these codes from src/errors/codes/ (and regenerate docs/errors.md)').to.deep.equal([]);
  });

  it('lists every x-code of schemas/fabric.schema.json', () => {
    const text = readFileSync('schemas/fabric.schema.json', 'utf8');
    const xcodes = [...text.matchAll(/"x-code"\s*:\s*"([^"]+)"/g)].map((m) => m[1]!);
    expect(xcodes.length).to.be.greaterThan(0);
    expect(xcodes.filter((c) => !isErrorCode(c))).to.deep.equal([]);
  });

  it('puts each code in one area, with a summary and a hint', () => {
    const counts = new Map<string, number>();
    for (const a of ERROR_AREAS) for (const c of Object.keys(a.codes)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1).map(([c]) => c)).to.deep.equal([]);
    expect(counts.size).to.equal(Object.keys(ERROR_CODES).length);
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code, code).to.match(/^E_[A-Z0-9_]+$/);
      expect(info.summary.trim(), `${code} summary`).to.not.equal('');
      expect(info.hint.trim(), `${code} hint`).to.not.equal('');
    }
  });

  it('refuses a code that is not catalogued, at compile time', () => {
    // @ts-expect-error: E_NOT_A_CODE is not in the catalogue, so this line must not typecheck.
    const e = new FabricError('E_NOT_A_CODE', 'x');
    expect(isErrorCode(e.code)).to.equal(false);
    expect(isErrorCode('E_INVALID')).to.equal(true);
  });
});
