// The generated files against the schemas of the engines that read them: every per-host file
// against containerlab's vendored schema, the clabernetes Topology against clabernetes' vendored
// CRD, and its definition against the refusals clabernetes' compiler documents.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { labPath } from './labs.js';
import { parse, stringify } from 'yaml';
import { loadLab, scaleLab, validateClab, type LabModel } from '../../../src/topology/index.js';
import {
  c9sVerdict,
  parseHosts,
  place,
  renderC9sDefinition,
  renderC9sTopology,
  renderHostTopologies,
  validateC9sTopology,
} from '../../../src/scaleout/index.js';

const LABS = ['mtdc', 'ring4', 'failover', 'failover-partial'];
const models = new Map<string, LabModel>();
before(async () => {
  for (const l of LABS) models.set(l, await loadLab(labPath(l)));
  models.set('scale-200', scaleLab(200));
});

const hostsFile = (n: number) =>
  parseHosts(
    'hosts:\n' + Array.from({ length: n }, (_, i) => `  - { name: h${i}, address: 198.51.100.${i + 1} }\n`).join(''),
    'hosts.yml',
  );

describe('per-host containerlab files', () => {
  for (const lab of [...LABS, 'scale-200'])
    for (const n of [2, 3])
      it(`${lab} on ${n} hosts: every file valid against containerlab's schema, every link once on each side`, () => {
        const m = models.get(lab)!;
        const hf = hostsFile(n);
        const p = place(m, hf);
        const files = renderHostTopologies(m, hf, p);
        for (const f of files) expect(validateClab(f.topology), f.host.name).to.deep.equal([]);
        // Every node in exactly one file.
        const nodes = files.flatMap((f) => Object.keys(f.topology.topology.nodes));
        expect(nodes.length).to.equal(m.nodes.length);
        expect(new Set(nodes).size).to.equal(m.nodes.length);
        // A stitched link is a vxlan link in both its hosts' files: same VNI, each pointing at the
        // other's address, the link's own MTU; the rest are veth links in one file.
        const vx = files.flatMap((f) =>
          (f.topology.topology.links ?? []).flatMap((l) => (l.type === 'vxlan' ? [{ host: f.host, l }] : [])),
        );
        expect(vx.length).to.equal(2 * p.stitched.length);
        for (const s of p.stitched) {
          const ends = vx.filter((v) => v.l.vni === s.vni);
          expect(ends.map((e) => e.host.name).sort()).to.deep.equal([...s.hosts].sort());
          for (const e of ends) {
            const other = hf.hosts.find((h) => h.name !== e.host.name && s.hosts.includes(h.name));
            expect(e.l.remote).to.equal(other?.address);
            expect(e.l.mtu).to.equal(s.link.mtu);
            expect(e.l['dst-port']).to.equal(14789);
          }
        }
        const veth = files.flatMap((f) => (f.topology.topology.links ?? []).filter((l) => l.type === 'veth'));
        expect(veth.length + p.stitched.length).to.equal(m.links.length);
      });

  it('the schema is really consulted: a vxlan link without a VNI is refused', () => {
    const m = models.get('mtdc')!;
    const hf = hostsFile(2);
    const f = renderHostTopologies(m, hf, place(m, hf))[0];
    const broken = JSON.parse(JSON.stringify(f.topology)) as { topology: { links: Record<string, unknown>[] } };
    const vx = broken.topology.links.find((l) => l.type === 'vxlan')!;
    delete vx.vni;
    expect(validateClab(broken)).to.not.deep.equal([]);
  });
});

describe('clabernetes Topology', () => {
  for (const lab of ['mtdc', 'ring4', 'scale-200'])
    it(`${lab}: valid against the vendored c9s.run CRD; nothing clabernetes refuses or drops`, () => {
      const m = models.get(lab)!;
      const r = renderC9sTopology(m);
      expect(r.apiVersion).to.equal('c9s.run/v1alpha1');
      expect(validateC9sTopology(r)).to.deep.equal([]);
      expect(c9sVerdict(r.spec.definition.containerlab)).to.deep.equal({ refused: [], dropped: [] });
      const def = parse(r.spec.definition.containerlab) as ReturnType<typeof renderC9sDefinition>;
      // No pseudo-node kind left: switches and routers are linux nodes of the OVS image.
      for (const [name, node] of Object.entries(def.topology.nodes)) {
        expect(['linux'], name).to.include(node.kind);
        expect(node['network-mode'], name).to.equal(undefined);
      }
      // Brief links only: two node:interface strings, no type, no labels or vars.
      for (const l of def.topology.links ?? []) {
        expect(Object.keys(l).sort()).to.deep.equal(['endpoints', 'mtu']);
        for (const e of l.endpoints) expect(e).to.match(/^[^:\s]+:[^:\s]+$/);
      }
      expect(def.topology.links?.length).to.equal(m.links.length);
    });

  it("clabernetes' refusals are detected: pseudo-node kinds, typed links, network-mode none, special endpoints", () => {
    const def = stringify({
      name: 'x',
      topology: {
        nodes: {
          br: { kind: 'ovs-bridge' },
          lb: { kind: 'bridge' },
          h: { kind: 'host' },
          n1: { kind: 'linux', 'network-mode': 'none' },
          n2: { kind: 'linux', labels: { 'fabric.site': 'a b' } },
        },
        links: [
          {
            type: 'vxlan',
            endpoint: { node: 'n1', interface: 'eth1' },
            remote: '192.0.2.1',
            vni: 1,
            'dst-port': 14789,
          },
          {
            type: 'veth',
            endpoints: [
              { node: 'n1', interface: 'eth2' },
              { node: 'n2', interface: 'eth2' },
            ],
          },
          { endpoints: ['n1:eth3', 'mgmt-net:n1-eth3'] },
          { endpoints: ['n1:eth4', 'ghost:eth1'], labels: { a: 'b' } },
        ],
      },
    });
    const v = c9sVerdict(def);
    expect(v.refused).to.deep.equal([
      'node br: pseudo-node kind ovs-bridge',
      'node lb: pseudo-node kind bridge',
      'node h: pseudo-node kind host',
      'node n1: network-mode none (only container:<node>)',
      'links[0]: link type vxlan',
      'links[2]: special endpoint mgmt-net',
      'links[3]: unknown node ghost',
    ]);
    expect(v.dropped).to.deep.equal(['node n2: label fabric.site=a b', 'links[3]: link labels']);
  });

  it('the CRD is really consulted: no naming, an unknown connectivity, a definition without containerlab', () => {
    const r = JSON.parse(JSON.stringify(renderC9sTopology(models.get('mtdc')!))) as {
      spec: Record<string, unknown>;
    };
    delete r.spec.naming;
    r.spec.connectivity = 'carrier-pigeon';
    r.spec.definition = {};
    const problems = validateC9sTopology(r);
    expect(problems.join('\n'))
      .to.match(/naming/)
      .and.match(/connectivity/)
      .and.match(/containerlab/);
  });

  it('the vendored CRD is clabernetes 0.8 (group c9s.run) with its license beside it', () => {
    const crd = readFileSync('schemas/c9s.run_topologies.yaml', 'utf8');
    expect(crd).to.match(/^ {2}group: c9s\.run$/m);
    expect(readFileSync('schemas/LICENSE.clabernetes', 'utf8')).to.match(
      /Redistribution and use in source and binary forms/,
    );
  });
});
