// The generated containerlab file must not join tenants outside the fabric: containerlab gives
// every container node a management interface on one shared bridge unless the node says
// `network-mode: none`. Every lab in the repository and every golden intent is checked.
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadLab, renderClab, scaleLab, validateClab } from '../../../src/topology/index.js';
import type { ClabTopology } from '../../../src/topology/clab.js';
import type { LabModel } from '../../../src/topology/model.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
/** Kinds containerlab runs as containers (the others are bridges on the host). */
const CONTAINER_KINDS = new Set(['linux', 'generic_vm']);

function labFiles(): string[] {
  const out: string[] = [];
  for (const d of readdirSync(join(ROOT, 'labs'))) {
    const f = join(ROOT, 'labs', d, 'fabric.yml');
    if (existsSync(f)) out.push(f);
  }
  const ok = join(ROOT, 'tests/golden/topology/ok');
  for (const d of readdirSync(ok)) {
    const f = join(ok, d, 'fabric.yml');
    if (existsSync(f)) out.push(f);
  }
  return out;
}

/** Problems: tenant-owned nodes (and any container node) that keep a management interface. */
function managementLeaks(model: LabModel, topo: ClabTopology = renderClab(model)): string[] {
  const byFabricName = new Map<string, (typeof topo.topology.nodes)[string]>();
  for (const [name, n] of Object.entries(topo.topology.nodes)) byFabricName.set(n.labels?.['fabric.node'] ?? name, n);
  const leaks: string[] = [];
  for (const node of model.nodes) {
    const out = byFabricName.get(node.name);
    if (!out) {
      leaks.push(`${node.name}: not in the topology`);
      continue;
    }
    if (CONTAINER_KINDS.has(out.kind) && out['network-mode'] !== 'none')
      leaks.push(
        `${node.name} (${out.kind}${node.tenant ? `, tenant ${node.tenant}` : ''}) keeps a management interface`,
      );
    if (node.tenant && !CONTAINER_KINDS.has(out.kind) && out.kind !== 'ovs-bridge' && out.kind !== 'bridge')
      leaks.push(
        `${node.name} (tenant ${node.tenant}) has kind ${out.kind}, which containerlab may attach to management`,
      );
  }
  return leaks;
}

describe('topology clab: no management path between tenant nodes', () => {
  const files = labFiles();
  it('finds the labs to check', () => expect(files.length).to.be.at.least(5));

  for (const f of files) {
    it(`${f.slice(ROOT.length)}: every tenant-owned node (every container node) has network-mode none`, async () => {
      const model = await loadLab(f);
      expect(model.nodes.some((n) => n.tenant)).to.equal(true);
      expect(managementLeaks(model)).to.deep.equal([]);
      expect(validateClab(renderClab(model))).to.deep.equal([]);
    });
  }

  it('the scale lab too', () => expect(managementLeaks(scaleLab(50))).to.deep.equal([]));

  it('the check is not vacuous: a tenant container without network-mode none is reported', async () => {
    const model = await loadLab(join(ROOT, 'labs/mtdc/fabric.yml'));
    const topo = renderClab(model);
    const node = topo.topology.nodes['red-c1-h1']!;
    delete node['network-mode'];
    expect(managementLeaks(model, topo)).to.deep.equal(['red-c1-h1 (linux, tenant red) keeps a management interface']);
  });
});
