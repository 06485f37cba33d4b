// The intent schema takes no field it does not name: every object is closed (additionalProperties
// false), or a map whose keys are constrained (propertyNames) and whose values are typed. The one
// exception, an extra node, has its fields checked by its kind (E_KIND_ATTR).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { loadLabText } from '../../../src/topology/index.js';
import { DiagnosticsError } from '../../../src/errors/diagnostics.js';

type Node = Record<string, unknown>;
const schema = JSON.parse(readFileSync('schemas/fabric.schema.json', 'utf8')) as Node;
const KIND_CHECKED = new Set(['/definitions/extraNode']);

/** Every schema object that describes a JSON object, by its JSON pointer. */
function objects(n: unknown, path = ''): [string, Node][] {
  if (Array.isArray(n)) return n.flatMap((v, i) => objects(v, `${path}/${i}`));
  if (!n || typeof n !== 'object') return [];
  const o = n as Node;
  const own: [string, Node][] = o.type === 'object' || 'properties' in o ? [[path, o]] : [];
  return [...own, ...Object.entries(o).flatMap(([k, v]) => objects(v, `${path}/${k}`))];
}

describe('topology schema: strict everywhere', () => {
  it('every object is closed, or a map with constrained keys and typed values', () => {
    const open = objects(schema)
      .filter(([p]) => !KIND_CHECKED.has(p))
      .filter(([, o]) => {
        const extra = o.additionalProperties;
        if (extra === false) return false;
        const typedMap = o.propertyNames !== undefined && extra !== undefined && typeof extra === 'object';
        return !typedMap;
      })
      .map(([p]) => p);
    expect(open).to.deep.equal([]);
    expect(objects(schema).length).to.be.greaterThan(15);
  });

  it('an unknown field anywhere is refused with its location, never ignored', () => {
    const lab = readFileSync('labs/failover/fabric.yml', 'utf8');
    const edits: [string, string][] = [
      ['  dc1: {}', '  dc1: { zone: a }'],
      ['  - between: [dc1, dc2]', '  - between: [dc1, dc2]\n    speed: 10G'],
      ['  red:\n', '  red:\n    colour: red\n'],
      ['{ name: c0, type: client, dc: dc1,', '{ name: c0, type: client, dc: dc1, rack: 4,'],
      ['{ name: h1, vlan: 100,', '{ name: h1, gateway: 10.20.30.1, vlan: 100,'],
      ['{ name: c1, dc: dc1, type: ha, pool: 2 }', '{ name: c1, dc: dc1, type: ha, pools: 2 }'],
      ['description: Nested', 'descripton: x\ndescription: Nested'],
    ];
    for (const [from, to] of edits) {
      expect(lab, from).to.contain(from);
      let err: unknown;
      try {
        loadLabText(lab.replace(from, to), 'f.yml');
      } catch (e) {
        err = e;
      }
      expect(err, to).to.be.instanceOf(DiagnosticsError);
      const d = (err as DiagnosticsError).diagnostics;
      expect(
        d.map((x) => x.code),
        to,
      ).to.include('E_SCHEMA_UNKNOWN_FIELD');
      for (const x of d)
        expect([x.file, typeof x.line, typeof x.column, !!x.hint], to).to.deep.equal([
          'f.yml',
          'number',
          'number',
          true,
        ]);
    }
  });
});
