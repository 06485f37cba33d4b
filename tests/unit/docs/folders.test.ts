import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

const folders = readdirSync('src').filter((d) => statSync(join('src', d)).isDirectory());

describe('docs name every folder of src/', () => {
  it("the README's folder table lists each one", () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(folders.filter((d) => !readme.includes(`\`src/${d}/\``))).to.deep.equal([]);
  });

  it("docs/architecture.md's layering table places each one", () => {
    const arch = readFileSync('docs/architecture.md', 'utf8');
    expect(folders.filter((d) => !new RegExp(`^\\| \\d+ \\| \`${d}/\` \\|`, 'm').test(arch))).to.deep.equal([]);
  });
});
