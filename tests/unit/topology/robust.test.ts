// Property: whatever a user writes, loading either yields a model or a DiagnosticsError with
// located problems; never a TypeError from half-validated data.
import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { DiagnosticsError } from '../../../src/errors/diagnostics.js';
import { loadLabText } from '../../../src/topology/index.js';

const bases = [
  '../../../labs/mtdc/fabric.yml',
  '../../golden/topology/ok/extras/fabric.yml',
  '../../golden/topology/ok/long-haul/fabric.yml',
].map(
  (f) =>
    [f.split('/').slice(-2).join('/'), parse(readFileSync(new URL(f, import.meta.url), 'utf8')) as unknown] as const,
);

/** Every path to a value in the document. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function setAt(doc: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let cur = copy as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return copy;
}

const junk = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer({ min: -5, max: 70000 }),
  fc.constantFrom(
    'dc1',
    'dc9',
    'p1',
    'prov-a',
    'red',
    '10.20.30.10/24',
    '0.0.0.0/0',
    '02:00:00:00:00:10',
    'x; rm -rf /',
    '',
    'eth1',
    'dc1-sw:p1',
  ),
  fc.string({ maxLength: 8 }),
  fc.array(fc.constantFrom('dc1', 'dc2', 'dc3', 'dc1'), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('name', 'kind', 'dc', 'vlan', 'ip'), fc.constantFrom('linux', 'dc1', 100, 'x')),
);

describe('topology load: robustness', () => {
  for (const [label, base] of bases) {
    const all = paths(base).filter((p) => p.length > 0);
    it(`random edits of ${label} give a model or located diagnostics, never a crash`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(all.length - 1), junk), { minLength: 1, maxLength: 3 }), (edits) => {
          let doc = base;
          for (const [i, v] of edits) {
            try {
              doc = setAt(doc, all[i], v);
            } catch {
              /* path vanished after an earlier edit */
            }
          }
          try {
            const m = loadLabText(stringify(doc), 'f.yml');
            expect(m.nodes.length).to.be.greaterThan(0);
          } catch (e) {
            if (!(e instanceof DiagnosticsError)) throw e;
            for (const d of e.diagnostics) expect(d.line, d.code).to.be.a('number');
          }
        }),
        { numRuns: 300 },
      );
    });
  }
});
