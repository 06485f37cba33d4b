import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { diffLab, formatDiff, isEmpty, linksToRemove, nodesToRemove } from '../../../src/lifecycle/index.js';
import { loadLabText } from '../../../src/topology/index.js';
import { changedIntent } from '../../helpers/change-intent.js';
import { golden } from '../../helpers/golden.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const GOLDEN = join(ROOT, 'tests/golden/lifecycle');
const base = readFileSync(join(ROOT, 'labs/failover/fabric.yml'), 'utf8')
  .replace(/^name: failover$/m, 'name: conv')
  .replace(/^hypervisors:[\s\S]*$/m, '');

describe('lifecycle: the difference a converging up prints', () => {
  const before = loadLabText(base, '/lab/fabric.yml');

  it('no difference when the intent is unchanged', () => {
    const d = diffLab(before, loadLabText(base, '/lab/fabric.yml'));
    expect(isEmpty(d)).to.equal(true);
    golden(join(GOLDEN, 'unchanged.txt'), formatDiff(d));
  });

  it('a first deploy: everything is added', () => {
    const d = diffLab(null, before);
    expect(d.nodes.added).to.have.length(before.nodes.length);
    golden(join(GOLDEN, 'first-deploy.txt'), formatDiff(d));
  });

  it('a site dropped and a system added: nodes and links added, removed and changed', () => {
    const after = loadLabText(changedIntent(base), '/lab/fabric.yml');
    const d = diffLab(before, after);
    expect(d.nodes.removed.map((c) => c.name)).to.include('green-c1-h1');
    expect(d.nodes.added.map((c) => c.name)).to.include('red-c0-h2');
    expect(d.links.removed).to.have.length.greaterThan(0);
    golden(join(GOLDEN, 'site-dropped-system-added.txt'), formatDiff(d));
    // Removed before the deploy: the dropped nodes and every link touching them; a bridge whose
    // ports changed is kept (its ports follow the links).
    const gone = nodesToRemove(d).map((n) => n.name);
    expect(gone).to.include('green-c1-h1');
    for (const c of d.nodes.changed.filter((x) => x.before!.kind === 'ovs-bridge' && x.fields!.join() === 'interfaces'))
      expect(gone).to.not.include(c.name);
    const links = linksToRemove(d, before).map((l) => l.id);
    for (const c of d.links.removed) expect(links).to.include(c.name);
  });
});
