// Golden files of scale-out generation: the per-host containerlab files, the placement record,
// the plan's stitched-link table and the clabernetes Topology; bad hosts files and a lab
// clabernetes cannot take give golden, located errors. UPDATE_GOLDEN=1 rewrites them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { labPath, MTDC_NETWORK } from './labs.js';
import { DiagnosticsError } from '../../../src/errors/diagnostics.js';
import { loadIntent, loadLab, resolve } from '../../../src/topology/index.js';
import { formatStitched, generateC9s, generateForHosts, parseHosts, place } from '../../../src/scaleout/index.js';
import { golden } from '../../helpers/golden.js';

const ROOT = 'tests/golden/scaleout';
const hosts = (file: string) => parseHosts(readFileSync(file, 'utf8'), file);

describe('scale-out golden: per-host containerlab files', () => {
  for (const lab of ['mtdc', 'failover']) {
    it(`${lab} on two hosts → ${lab}.<host>.clab.yml, placement, plan table`, async () => {
      const model = await loadLab(labPath(lab));
      const hf = hosts(join(ROOT, 'two-hosts.yml'));
      const out = generateForHosts(model, hf, 'fabric.yml');
      expect(out.files.map((f) => f.host)).to.deep.equal(['a', 'b']);
      for (const f of out.files) golden(join(ROOT, `${lab}.${f.host}.clab.yml`), f.text);
      golden(join(ROOT, `${lab}.placement.json`), out.record);
      golden(join(ROOT, `${lab}.plan-hosts.txt`), formatStitched(hf, place(model, hf)));
    });
  }
});

describe('scale-out golden: clabernetes Topology', () => {
  for (const lab of ['mtdc', 'ring4'])
    it(`${lab} → ${lab}.c9s.yml`, async () => {
      const loaded = await loadIntent(labPath(lab));
      golden(join(ROOT, `${lab}.c9s.yml`), generateC9s(resolve(loaded, 'fabric.yml'), loaded, 'fabric.yml'));
    });
});

async function errorOf(f: () => Promise<unknown> | unknown): Promise<DiagnosticsError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof DiagnosticsError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('scale-out golden: bad input, located, before anything is generated', () => {
  const dir = join(ROOT, 'bad');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort())
    it(`${file} → ${file.replace(/\.yml$/, '.err')}`, async () => {
      const model = await loadLab(MTDC_NETWORK);
      const path = join(dir, file);
      const err = await errorOf(() => generateForHosts(model, hosts(path), 'fabric.yml'));
      for (const d of err.diagnostics) {
        expect(d.file).to.equal(path);
        expect(d.line, d.message).to.be.a('number');
        expect(d.column, d.message).to.be.a('number');
        expect(d.hint, d.message).to.be.a('string').and.not.equal('');
      }
      golden(path.replace(/\.yml$/, '.err'), err.format() + '\n');
    });

  it('failover asked for clabernetes → failover-c9s.err (guest image not packaged for it)', async () => {
    const loaded = await loadIntent('labs/failover/fabric.yml');
    const err = await errorOf(() => generateC9s(resolve(loaded, 'fabric.yml'), loaded, 'fabric.yml'));
    expect(err.diagnostics.map((d) => d.code)).to.deep.equal([
      'E_C9S_GUEST_IMAGE',
      'E_C9S_GUEST_IMAGE',
      'E_C9S_GUEST_IMAGE',
    ]);
    golden(join(dir, 'failover-c9s.err'), err.format() + '\n');
  });
});
