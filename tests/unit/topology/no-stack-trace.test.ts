// Property: no input makes load or plan fail with anything but a FabricError (located diagnostics
// or a coded error): random JSON documents, random YAML-ish token soup, random bytes, and byte
// and key mutations of the reference labs (including Object.prototype names as keys).
import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { isFabricError } from '../../../src/errors/fabric-error.js';
import { computePlan, renderPrograms } from '../../../src/tagging/index.js';
import { formatPlan } from '../../../src/tagging/format.js';
import { loadLabBytes, loadLabText } from '../../../src/topology/index.js';

const LABS = ['mtdc', 'failover', 'failover-partial'].map((l) =>
  readFileSync(new URL(`../../../labs/${l}/fabric.yml`, import.meta.url), 'utf8'),
);
const RUNS = Number(process.env.FABRIC_FUZZ_RUNS ?? 150);

/** Load, plan and render; returns what went wrong if it was not a FabricError. */
function verbs(load: () => ReturnType<typeof loadLabText>): void {
  try {
    const model = load();
    const plan = computePlan(model);
    formatPlan(plan, 'h');
    renderPrograms(model, plan);
  } catch (e) {
    if (!isFabricError(e)) throw new Error(`not a FabricError: ${(e as Error)?.stack ?? String(e)}`);
    expect(e.format()).to.be.a('string');
  }
}

const TOKENS = [
  'name: t\n',
  'datacenters:\n',
  'tenants:\n',
  'hypervisors:\n',
  'sites:\n',
  'systems:\n',
  'hosts: [',
  '  ',
  '- ',
  '[',
  ']',
  '{',
  '}',
  ': ',
  ', ',
  '"',
  "'",
  '&a ',
  '*a',
  '<<: *a\n',
  '!!str ',
  '!!binary ',
  '\n',
  'dc1',
  'red/vm',
  'toString',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  '0x1F',
  '1e400',
  '-0',
  '~',
  '|\n',
  '>\n',
  '# c\n',
  '\t',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '? ',
  'vlan: ',
  'ip: ',
  '10.0.0.1/24',
  '224.0.0.1/4',
  'dc_tag: ',
  '99999999999',
];
const PROTO_KEYS = ['toString', '__proto__', 'constructor', 'valueOf', 'hasOwnProperty'];

describe('load and plan: never a stack trace', () => {
  it('random JSON documents', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => verbs(() => loadLabText(JSON.stringify(v), 'f.json'))),
      { numRuns: RUNS },
    );
  });

  it('random JSON shaped like an intent', () => {
    const name = fc.oneof(fc.constantFrom('dc1', 'dc2', 'red', 'vm', ...PROTO_KEYS), fc.string({ maxLength: 6 }));
    const anyV = fc.oneof(fc.jsonValue({ maxDepth: 3 }), name);
    const intent = fc.record(
      {
        name: fc.oneof(fc.constant('t'), anyV),
        datacenters: fc.dictionary(name, fc.oneof(fc.constant(null), fc.record({ dc_tag: fc.integer() }), anyV)),
        tenants: fc.dictionary(name, anyV),
        hypervisors: fc.array(
          fc.record({ name, dc: name, type: fc.constantFrom('customer', 'ha', 'x'), hosts: fc.array(fc.string()) }),
        ),
        interconnects: fc.array(fc.record({ between: fc.array(name, { maxLength: 3 }) })),
      },
      { requiredKeys: ['name', 'datacenters', 'tenants'] },
    );
    fc.assert(
      fc.property(intent, (v) => verbs(() => loadLabText(JSON.stringify(v), 'f.json'))),
      { numRuns: RUNS },
    );
  });

  it('random YAML token soup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }), (toks) =>
        verbs(() => loadLabText(toks.join(''), 'f.yml')),
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => verbs(() => loadLabBytes(b, 'f.yml'))),
      { numRuns: RUNS },
    );
  });

  it('byte edits and prototype keys in the reference labs', () => {
    const edit = fc.record({
      lab: fc.nat(LABS.length - 1),
      at: fc.nat(),
      len: fc.nat(8),
      insert: fc.oneof(fc.constantFrom(...TOKENS, ...PROTO_KEYS), fc.string({ maxLength: 4 })),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = LABS[edits[0]!.lab]!;
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.len);
        }
        verbs(() => loadLabText(text, 'f.yml'));
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('hosts and names that are Object.prototype keys', () => {
    for (const k of PROTO_KEYS) {
      const text = LABS[1]!
        .replace('hosts: [red/vm]', `hosts: [${k.toLowerCase()}/vm]`)
        .replace('  red:', `  ${k.toLowerCase().replace(/_/g, '')}:\n    sites: []\n  red:`);
      verbs(() => loadLabText(text, 'f.yml'));
    }
  });
});
