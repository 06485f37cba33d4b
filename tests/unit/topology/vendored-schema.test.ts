import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import { clabSchemaPath } from '../../../src/topology/clab.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('everything in the repository', () => {
  it("reads containerlab's schema from the repository's schemas/", () => {
    const saved = process.env.FABRIC_CLAB_SCHEMA;
    delete process.env.FABRIC_CLAB_SCHEMA;
    try {
      expect(relative(process.cwd(), clabSchemaPath())).to.equal(join('schemas', 'clab.schema.json'));
    } finally {
      if (saved !== undefined) process.env.FABRIC_CLAB_SCHEMA = saved;
    }
  });

  it('the vendored schema is the file its provenance note names, with its license beside it', () => {
    const sha = createHash('sha256').update(readFileSync('schemas/clab.schema.json')).digest('hex');
    expect(readFileSync('schemas/README.md', 'utf8')).to.contain(sha);
    expect(readFileSync('schemas/LICENSE.containerlab', 'utf8')).to.match(/Copyright \(c\) 2021 Nokia/);
  });

  it('no source, test, bench, script or doc names a path or brief outside the repository', () => {
    const offenders = ['src', 'tests', 'bench', 'scripts', 'bin', 'docs']
      .flatMap((d) => files(d))
      .concat(['README.md'])
      .filter((f) => /\.(ts|mjs|js|sh|md)$/.test(f) && !f.endsWith('vendored-schema.test.ts'))
      .filter((f) => {
        const text = readFileSync(f, 'utf8');
        return /\.\.\/shared\b|\/work\/shared|\bDESIGN\b/.test(text);
      });
    expect(offenders).to.deep.equal([]);
  });
});
