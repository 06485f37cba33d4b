// `fabric down --all` without a state file: which namespaces and folders of a split lab's emulated
// hosts are found, by marker and, unmarked, by name (never another lab's, never a longer lab's).
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostDirsOnMachine, hostNamespacesOf, splitLabsFound } from '../../../src/runtime/netns/split-orphans.js';

type Links = Map<string, Map<string, string | undefined>>;
const lo = (alias?: string) => new Map([['lo', alias]]);

describe('down --all: leftovers of emulated hosts', () => {
  const nsLinks: Links = new Map([
    ['fh-sp-h1', lo('fabric-lab=sp')],
    ['fh-sp-h2', lo()], // unmarked: a crash before the marking
    ['fh-sp-ul', lo()],
    ['fh-sp-mg', lo('fabric-lab=sp')],
    ['fh-sp-rack-a', lo()], // a host name from a hosts file, known by its folder
    ['fh-sp-x-h1', lo('fabric-lab=sp-x')], // a longer lab's, marked
    ['fh-sp-x-h2', lo()], // a longer lab's, unmarked
    ['fh-sp-other', lo()], // no folder, not a name the emulation gives
    ['fh-sp-h3', lo('fabric-lab=zz')], // someone else's marker
    ['clab-sp-n1', lo('fabric-lab=sp')],
  ]);

  it('finds the labs by their hosts markers and by their folders', () => {
    const labs = splitLabsFound(nsLinks, new Map([['lone', ['h1']]]));
    expect(labs).to.deep.equal(['lone', 'sp', 'sp-x', 'zz']);
  });

  it('takes a lab host namespaces: marked ones and unmarked ones named as its, no longer lab and no other marker', () => {
    const known = new Set(['sp', 'sp-x']);
    const got = hostNamespacesOf('sp', nsLinks.keys(), nsLinks, known, ['h1', 'h2', 'rack-a']);
    expect(got).to.deep.equal(['fh-sp-h1', 'fh-sp-h2', 'fh-sp-mg', 'fh-sp-rack-a', 'fh-sp-ul']);
    expect(hostNamespacesOf('sp-x', nsLinks.keys(), nsLinks, known, [])).to.deep.equal(['fh-sp-x-h1', 'fh-sp-x-h2']);
    // Without the longer lab known, its unmarked host h2 reads as no name of sp's: still not taken.
    expect(hostNamespacesOf('sp', nsLinks.keys(), nsLinks, new Set(['sp']), [])).to.not.include('fh-sp-x-h2');
  });

  it('lists the hosts folders, skipping names fabric never writes', () => {
    const root = mkdtempSync(join(tmpdir(), 'fabric-hosts-'));
    try {
      mkdirSync(join(root, 'sp', 'h1'), { recursive: true });
      mkdirSync(join(root, 'sp', 'rack-a'));
      mkdirSync(join(root, 'sp', 'Bad'));
      mkdirSync(join(root, '..x'));
      writeFileSync(join(root, 'sp', 'h9'), 'a file, not a host folder');
      expect([...hostDirsOnMachine(root)]).to.deep.equal([['sp', ['h1', 'rack-a']]]);
      expect([...hostDirsOnMachine(join(root, 'none'))]).to.deep.equal([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
