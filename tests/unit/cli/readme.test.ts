import { expect } from 'chai';
import { readFileSync } from 'node:fs';

const readme = readFileSync('README.md', 'utf8');
const at = (s: string): number => {
  const i = readme.indexOf(s);
  expect(i, `README contains ${JSON.stringify(s)}`).to.be.greaterThan(-1);
  return i;
};

describe('README', () => {
  it('names the tags in plain terms first, the patent names beside them, before any Tag1-Tag4 elsewhere', () => {
    const terms = at('## In plain terms');
    for (const [plain, patent] of [
      ['S-VLAN', 'Tag1'],
      ['C-VLAN', 'Tag2'],
      ['pseudowire label', 'Tag3'],
      ['transport label', 'Tag4'],
    ]) {
      const row = readme.split('\n').find((l) => l.startsWith('| **') && l.includes(plain));
      expect(row, plain).to.be.a('string').and.contain(`**${patent}**`);
      expect(row!.indexOf(plain)).to.be.lessThan(row!.indexOf(patent));
      expect(terms, `${patent} is first explained in the plain-terms table`).to.be.lessThan(readme.indexOf(patent));
    }
  });

  it('has a one-screen quick start (up, test, report, inspect, down) before the depth', () => {
    const qs = at('## Quick start');
    const block = readme.slice(qs, readme.indexOf('```\n', readme.indexOf('```sh', qs) + 5));
    const lines = block.split('\n').filter((l) => l.startsWith('fabric ') || l.startsWith('xdg-open'));
    expect(lines.map((l) => l.split(/\s+/)[1] ?? l)).to.have.length.within(5, 8);
    for (const w of ['fabric up ', 'fabric test ', 'report.html', 'fabric inspect ', 'fabric down '])
      expect(block).to.contain(w);
    expect(qs).to.be.lessThan(at('## How it works'));
    expect(block.split('\n').length, 'fits one screen').to.be.at.most(24);
  });

  it('keeps the two set-up commands, and both exist in the Makefile', () => {
    at('make lab-up');
    at('make test ');
    const makefile = readFileSync('Makefile', 'utf8');
    expect(makefile).to.match(/^lab-up:/m);
    expect(makefile).to.match(/^test:/m);
  });
});
