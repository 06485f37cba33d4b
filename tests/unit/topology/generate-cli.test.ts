import { expect } from 'chai';
import { Command } from 'commander';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { register } from '../../../src/cli/generate.js';
import { DiagnosticsError } from '../../../src/errors/diagnostics.js';

function program(): Command {
  const p = new Command('fabric').exitOverride();
  register(p);
  return p;
}

describe('fabric generate (verb)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fabric-gen-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes <lab>.clab.yml next to the intent', async () => {
    writeFileSync(
      join(dir, 'fabric.yml'),
      'name: small\ndatacenters: {d: {}}\ntenants:\n  a:\n    sites: [{name: s, type: client, dc: d, systems: [{name: x, vlan: 7, ip: 10.0.0.1/24}]}]\n',
    );
    await program().parseAsync(['node', 'fabric', 'generate', join(dir, 'fabric.yml')]);
    const topo = parse(readFileSync(join(dir, 'small.clab.yml'), 'utf8'));
    expect(topo.name).to.equal('small');
    expect(Object.keys(topo.topology.nodes).sort()).to.deep.equal(['a-s-x', 'small-a-s-sw', 'small-d-sw']);
  });

  it('fails with diagnostics and writes nothing for a bad intent', async () => {
    writeFileSync(join(dir, 'fabric.yml'), 'name: "$(id)"\ndatacenters: {d: {}}\ntenants: {}\n');
    let err: unknown;
    try {
      await program().parseAsync(['node', 'fabric', 'generate', join(dir, 'fabric.yml')]);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(DiagnosticsError);
    expect((err as DiagnosticsError).diagnostics.map((d) => d.code)).to.deep.equal(['E_BAD_NAME', 'E_SCHEMA_COUNT']);
  });

  it('--scale N --out writes an N-node lab', async () => {
    const out = join(dir, 's.clab.yml');
    await program().parseAsync(['node', 'fabric', 'generate', '--scale', '12', '--out', out]);
    const topo = parse(readFileSync(out, 'utf8'));
    expect(Object.keys(topo.topology.nodes)).to.have.length(12);
    expect(topo.topology.links).to.have.length(11);
  });
});
