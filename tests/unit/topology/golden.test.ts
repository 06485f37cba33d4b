// Golden tests: good intents → expected containerlab topology and model; bad intents → the exact
// formatted diagnostics. UPDATE_GOLDEN=1 rewrites the expected files (review the diff!).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { DiagnosticsError } from '../../../src/errors/diagnostics.js';
import { isFabricError } from '../../../src/errors/fabric-error.js';
import { golden } from '../../helpers/golden.js';
import { generateClab, loadLabBytes, loadLabText, validateClab, renderClab } from '../../../src/topology/index.js';

const ROOT = new URL('../../golden/topology/', import.meta.url).pathname;
describe('topology golden: good intents', () => {
  const dir = join(ROOT, 'ok');
  for (const name of readdirSync(dir).sort()) {
    it(`${name} → expected.clab.yml and expected.model.json`, () => {
      const text = readFileSync(join(dir, name, 'fabric.yml'), 'utf8');
      const model = loadLabText(text, 'fabric.yml');
      expect(validateClab(renderClab(model))).to.deep.equal([]);
      golden(join(dir, name, 'expected.clab.yml'), generateClab(model, 'fabric.yml'));
      golden(join(dir, name, 'expected.model.json'), JSON.stringify(model, null, 2) + '\n');
    });
  }
});

describe('topology golden: bad intents', () => {
  const dir = join(ROOT, 'bad');
  const cases = readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort();
  it('has at least 30 bad-input cases', () => {
    expect(cases.length).to.be.at.least(30);
  });
  for (const file of cases) {
    const name = file.replace(/\.yml$/, '');
    it(`${name} → ${name}.err`, () => {
      // Bytes, not text: some cases are about the encoding itself.
      const bytes = readFileSync(join(dir, file));
      let err: unknown;
      try {
        loadLabBytes(bytes, file);
      } catch (e) {
        err = e;
      }
      expect(err, 'a bad intent must not resolve').to.be.instanceOf(DiagnosticsError);
      if (!isFabricError(err) || !(err instanceof DiagnosticsError)) return;
      // Every problem is located (file, line, column) and carries a hint.
      for (const d of err.diagnostics) {
        expect(d.file, d.code).to.equal(file);
        expect(d.line, `${d.code} ${d.message}`).to.be.a('number');
        expect(d.column, `${d.code} ${d.message}`).to.be.a('number');
        expect(d.hint, `${d.code} ${d.message}`).to.be.a('string').that.is.not.equal('');
        expect(d.code).to.match(/^E_[A-Z0-9_]+$/);
      }
      golden(join(dir, `${name}.err`), err.format() + '\n');
    });
  }
});
