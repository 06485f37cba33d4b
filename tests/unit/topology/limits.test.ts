// Limits and refusals whose inputs are generated (too large to keep as files): each compared with
// a golden error file under tests/golden/topology/generated/.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagnosticsError } from '../../../src/errors/diagnostics.js';
import { loadIntent, loadLabText, MAX_INTENT_BYTES, MAX_LAB_NODES } from '../../../src/topology/index.js';
import { bigIntent } from '../../helpers/big-intent.js';
import { golden } from '../../helpers/golden.js';

const GOLDEN = new URL('../../golden/topology/generated/', import.meta.url).pathname;

function refusal(text: string, file: string): DiagnosticsError {
  try {
    loadLabText(text, file);
  } catch (e) {
    if (e instanceof DiagnosticsError) return e;
    throw e;
  }
  throw new Error(`${file} was accepted`);
}

describe('topology load: limits', () => {
  it('an intent over the byte limit is refused before parsing (E_TOO_BIG)', () => {
    // An unclosed flow sequence: had the text been parsed, a YAML syntax error would be reported too.
    const text = 'name: [\n' + '#'.repeat(MAX_INTENT_BYTES);
    const e = refusal(text, 'too-big.yml');
    expect(
      e.diagnostics.map((d) => d.code),
      'refused without parsing',
    ).to.deep.equal(['E_TOO_BIG']);
    golden(join(GOLDEN, 'too-big.err'), e.format() + '\n');
  });

  it('a file over the byte limit is refused without being read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fabric-limits-'));
    try {
      const file = join(dir, 'fabric.yml');
      writeFileSync(file, Buffer.alloc(MAX_INTENT_BYTES + 1, 0x23));
      const e = await loadIntent(file).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).to.be.instanceOf(DiagnosticsError);
      expect((e as DiagnosticsError).diagnostics[0]?.code).to.equal('E_TOO_BIG');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`an intent declaring more than ${MAX_LAB_NODES} nodes is refused before validation (E_TOO_BIG)`, () => {
    const e = refusal(bigIntent({ tenants: 100, sites: 20, systems: 10, declareTags: true }), 'too-many-nodes.yml');
    expect(e.diagnostics.map((d) => d.code)).to.deep.equal(['E_TOO_BIG']);
    golden(join(GOLDEN, 'too-many-nodes.err'), e.format() + '\n');
  });

  it('5,000 tenants: tag capacity is one diagnostic per tag space, at load', () => {
    const e = refusal(bigIntent({ tenants: 5000, sites: 1, systems: 1 }), 'tag-capacity.yml');
    expect(e.diagnostics.map((d) => d.code)).to.deep.equal(['E_TAG_EXHAUSTED', 'E_TAG_EXHAUSTED']);
    golden(join(GOLDEN, 'tag-capacity.err'), e.format() + '\n');
  });

  it('repeated diagnostics are capped per code and counted', () => {
    const systems = Array.from(
      { length: 45 },
      (_, i) => `          - { name: h${i}, vlan: 100, ip: 127.0.0.${i + 1}/8 }`,
    );
    const text = [
      'name: t',
      'datacenters:',
      '  dc1: {}',
      'tenants:',
      '  red:',
      '    sites:',
      '      - name: c1',
      '        type: client',
      '        dc: dc1',
      '        systems:',
      ...systems,
      '',
    ].join('\n');
    const e = refusal(text, 'capped.yml');
    expect(e.diagnostics).to.have.length(45);
    const out = e.format();
    expect(out.split('\n').filter((l) => l.startsWith('E_BAD_IP capped.yml'))).to.have.length(20);
    expect(out).to.contain('E_BAD_IP ... and 25 more like it (45 in all, the first 20 shown)');
    golden(join(GOLDEN, 'capped.err'), out + '\n');
  });
});
