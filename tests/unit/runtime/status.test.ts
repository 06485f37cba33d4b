import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { buildStatus, formatStatus } from '../../../src/runtime/status.js';
import { loadLab } from '../../../src/topology/index.js';
import { smallLab } from '../../fixtures/runtime-labs.js';

const schema = JSON.parse(
  readFileSync(new URL('../../../schemas/status.schema.json', import.meta.url), 'utf8'),
) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

describe('runtime status contract (schemaVersion 1)', () => {
  const doc = buildStatus(smallLab('rts'), 'netns');

  it('is valid against schemas/status.schema.json', () => {
    expect(validate(doc), JSON.stringify(validate.errors)).to.equal(true);
  });

  it('names the namespace of a namespace endpoint and the host interface of a bridge port', () => {
    const l = doc.links.find((x) => x.id.startsWith('h1:'))!;
    expect(l.class).to.equal('client-access');
    expect(l.endpoints[0]).to.deep.equal({ node: 'h1', ifname: 'eth1', netns: 'clab-rts-h1', hostIf: null });
    expect(l.endpoints[1]).to.deep.equal({ node: 'sw', ifname: 'rts-sw_1', netns: null, hostIf: 'rts-sw_1' });
  });

  it('describes nodes with namespace or bridge', () => {
    expect(doc.nodes.find((n) => n.name === 'sw')).to.deep.equal({
      name: 'sw',
      kind: 'ovs-bridge',
      role: 'access-switch',
      dc: 'dc1',
      tenant: 'red',
      netns: null,
      container: null,
      bridge: 'rts-sw',
      hypervisor: null,
    });
    expect(doc.nodes.find((n) => n.name === 'pa')).to.include({
      netns: 'clab-rts-pa',
      bridge: null,
      dc: null,
      tenant: null,
    });
  });

  it('rejects a document that breaks the contract', () => {
    const bad = JSON.parse(JSON.stringify(doc)) as { links: { endpoints: unknown[] }[] };
    bad.links[0]!.endpoints.pop();
    expect(validate(bad)).to.equal(false);
    expect(validate({ ...doc, schemaVersion: 2 })).to.equal(false);
  });

  it('holds for the reference lab', async () => {
    const model = await loadLab(new URL('../../../labs/mtdc/fabric.yml', import.meta.url).pathname);
    const d = buildStatus(model, 'netns');
    expect(validate(d), JSON.stringify(validate.errors)).to.equal(true);
    expect(d.links).to.have.length(model.links.length);
    for (const l of d.links)
      for (const e of l.endpoints)
        expect(
          (e.netns === null) !== (e.hostIf === null) ||
            model.nodes.find((n) => n.name === e.node)!.kind === 'generic_vm',
        ).to.equal(true);
  });

  it('says which hypervisor each VM runs on, and follows a failover move', async () => {
    const { moveVm, nextPort } = await import('../../../src/failover/layout.js');
    const model = await loadLab(new URL('../../../labs/failover/fabric.yml', import.meta.url).pathname);
    const where = () =>
      Object.fromEntries(
        buildStatus(model, 'netns')
          .nodes.filter((n) => n.kind === 'generic_vm')
          .map((n) => [n.name, n.hypervisor]),
      );
    expect(where()).to.deep.equal({ 'hvc-v1': 'hvc', 'c1-p1': 'c1', 'c1-p2': 'c1', 'c2-p1': 'c2', 'c2-p2': 'c2' });
    moveVm(model, 'c1-p2', 'c2', nextPort(model, 'c2'));
    const d = buildStatus(model, 'netns');
    expect(validate(d), JSON.stringify(validate.errors)).to.equal(true);
    expect(where()).to.deep.equal({ 'hvc-v1': 'hvc', 'c1-p1': 'c1', 'c1-p2': 'c2', 'c2-p1': 'c2', 'c2-p2': 'c2' });
    expect(d.nodes.filter((n) => n.kind !== 'generic_vm').every((n) => n.hypervisor === null)).to.equal(true);
  });

  it('prints a readable table', () => {
    const text = formatStatus(doc);
    expect(text).to.match(/^lab rts \(runtime netns\): 9 nodes, 7 links/);
    expect(text).to.contain('NODE');
    expect(text).to.match(/h1\s+linux\s+endpoint\s+dc1\s+red\s+clab-rts-h1/);
    expect(text).to.contain('sw:rts-sw_1 [rts-sw_1]');
  });
});
