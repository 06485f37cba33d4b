import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { generateClab, loadLab, renderClab, scaleLab, validateClab } from '../../../src/topology/index.js';
import { getKind, kindNames } from '../../../src/topology/kinds/index.js';
import { fabricPart } from '../../../src/topology/clab-hypervisors.js';
import type { NodeModel } from '../../../src/topology/model.js';

const LAB = new URL('../../../labs/mtdc/', import.meta.url).pathname;

describe('topology clab: containerlab output', () => {
  it('the committed labs/mtdc/mtdc.clab.yml is what generate produces (--without-hypervisors once it has VMs)', async () => {
    const part = fabricPart(await loadLab(`${LAB}fabric.yml`));
    expect(generateClab(part.model, 'fabric.yml', part.note)).to.equal(readFileSync(`${LAB}mtdc.clab.yml`, 'utf8'));
  });

  it("the generated mtdc topology validates against containerlab's schema", () => {
    const topo = parse(readFileSync(`${LAB}mtdc.clab.yml`, 'utf8'));
    expect(validateClab(topo)).to.deep.equal([]);
    const kinds = new Set(Object.values(topo.topology.nodes as Record<string, { kind: string }>).map((n) => n.kind));
    expect([...kinds].sort()).to.deep.equal(['linux', 'ovs-bridge']);
  });

  it('the schema check is not vacuous: a short kind alias and a malformed link are rejected', () => {
    const bad = { name: 'x', topology: { nodes: { a: { kind: 'srl' } } } };
    expect(validateClab(bad)).to.not.deep.equal([]);
    const badLink = {
      name: 'x',
      topology: { nodes: { a: { kind: 'linux' } }, links: [{ type: 'veth', endpoints: [{ node: 'a' }] }] },
    };
    expect(validateClab(badLink)).to.not.deep.equal([]);
  });

  it('names ovs-bridge nodes after their root-namespace bridge and keeps fabric data in labels', async () => {
    const model = await loadLab(`${LAB}fabric.yml`);
    const topo = renderClab(model);
    expect(topo.topology.nodes['mtdc-dc1-sw']).to.deep.include({ kind: 'ovs-bridge' });
    expect(topo.topology.nodes['mtdc-dc1-sw'].labels).to.include({
      'fabric.node': 'dc1-sw',
      'fabric.role': 'dc-switch',
      'fabric.dc': 'dc1',
    });
    expect(topo.topology.nodes['red-c1-h1'].exec).to.include('ip address add 10.20.30.10/24 dev eth1');
    const ids = topo.topology.links?.map((l) => l.labels['fabric.id']) ?? [];
    expect(ids).to.deep.equal([...ids].sort());
    const nodes = new Set(Object.keys(topo.topology.nodes));
    for (const l of topo.topology.links ?? [])
      for (const e of l.endpoints) expect(nodes.has(e.node), e.node).to.equal(true);
  });

  for (const n of [2, 10, 100, 1000]) {
    it(`scaleLab(${n}) has exactly ${n} nodes, one connected chain, and a valid topology`, () => {
      const m = scaleLab(n);
      expect(m.nodes).to.have.length(n);
      expect(m.links).to.have.length(n - 1); // a tree: every node reachable
      expect(validateClab(renderClab(m))).to.deep.equal([]);
    });
  }

  it('scaleLab rejects sizes it cannot build', () => {
    expect(() => scaleLab(1)).to.throw(/E_SCALE_RANGE|outside/);
    expect(() => scaleLab(2.5)).to.throw();
  });
});

describe('kinds registry', () => {
  it('registers the five canonical containerlab kinds', () => {
    expect(kindNames()).to.deep.equal(['bridge', 'generic_vm', 'host', 'linux', 'ovs-bridge']);
    expect(getKind('srl')).to.equal(undefined);
  });

  it("every kind renders a node containerlab's schema accepts", () => {
    for (const k of kindNames()) {
      const kind = getKind(k)!;
      const node: NodeModel = {
        name: 'n1',
        kind: kind.name,
        role: kind.defaultRole,
        dc: null,
        tenant: null,
        interfaces: [],
        labels: { 'fabric.role': kind.defaultRole },
        attributes: k === 'generic_vm' ? { image: 'img:1' } : undefined,
      };
      if (kind.bridgePorts) node.bridge = 'br-n1';
      const topo = { name: 'k', topology: { nodes: { [kind.clabName(node)]: kind.render(node) } } };
      expect(validateClab(topo), k).to.deep.equal([]);
    }
  });

  it('bridge kinds take p<N> port references, namespace kinds take interface names', () => {
    expect(getKind('ovs-bridge')!.parseInterface('p3')).to.deep.equal({ ok: true, index: 3 });
    expect(getKind('ovs-bridge')!.parseInterface('eth1').ok).to.equal(false);
    expect(getKind('linux')!.parseInterface('eth2')).to.deep.equal({ ok: true, name: 'eth2' });
    expect(getKind('linux')!.parseInterface('eth0').ok).to.equal(false);
    expect(getKind('host')!.parseInterface('$(reboot)').ok).to.equal(false);
  });
});
