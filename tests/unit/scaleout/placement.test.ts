// Placement properties over the repository's labs and generated ones, on random host sets:
// every node on exactly one listed host, stated capacities never exceeded, a DC split only when
// no host had room for it, hypervisors spread, and the stitched links exactly the crossing ones.
import { expect } from 'chai';
import { labPath, MTDC_NETWORK } from './labs.js';
import fc from 'fast-check';
import { DiagnosticsError } from '../../../src/errors/diagnostics.js';
import { loadLab, scaleLab, type LabModel } from '../../../src/topology/index.js';
import { nodeWeight, parseHosts, place, placementUnits, type HostsFile } from '../../../src/scaleout/index.js';

const LABS = ['mtdc', 'failover', 'failover-partial', 'ring4'];
const models = new Map<string, LabModel>();
before(async () => {
  for (const l of LABS) models.set(l, await loadLab(labPath(l)));
  models.set('scale-300', scaleLab(300));
});

function hostsText(caps: (number | undefined)[]): string {
  return (
    'hosts:\n' +
    caps
      .map(
        (c, i) => `  - name: h${i}\n    address: 192.0.2.${i + 10}\n` + (c === undefined ? '' : `    capacity: ${c}\n`),
      )
      .join('')
  );
}

const hostsOf = (caps: (number | undefined)[]): HostsFile => parseHosts(hostsText(caps), 'hosts.yml');
const total = (lab: LabModel) => lab.nodes.reduce((s, n) => s + nodeWeight(n), 0);

/** Checks the placement properties; returns nothing, throws on a violation. */
function checkProperties(lab: LabModel, hf: HostsFile): void {
  const p = place(lab, hf);
  const names = new Set(hf.hosts.map((h) => h.name));
  // Every node placed, on a listed host, listed once.
  for (const n of lab.nodes) expect(names.has(p.hostOf.get(n.name) ?? ''), n.name).to.equal(true);
  expect([...p.nodesOf.values()].flat().sort()).to.deep.equal(lab.nodes.map((n) => n.name).sort());
  // Stated capacities respected.
  for (const h of hf.hosts) {
    const load = lab.nodes.filter((n) => p.hostOf.get(n.name) === h.name).reduce((s, n) => s + nodeWeight(n), 0);
    expect(load).to.equal(p.load.get(h.name));
    if (h.capacity !== undefined) expect(load, h.name).to.be.at.most(h.capacity);
  }
  // A DC (without its hypervisor units) is split only when no host, counting the DC's own share
  // as free, could hold it whole.
  const { groups } = placementUnits(lab);
  for (const g of groups) {
    const on = new Set(g.nodes.map((n) => p.hostOf.get(n.name)));
    if (on.size === 1) continue;
    for (const h of hf.hosts) {
      if (h.capacity === undefined) continue;
      const own = g.nodes.filter((n) => p.hostOf.get(n.name) === h.name).reduce((s, n) => s + nodeWeight(n), 0);
      expect(h.capacity - (p.load.get(h.name) ?? 0) + own, `${g.key} would fit on ${h.name}`).to.be.below(g.weight);
    }
  }
  // Stitched links: exactly the links whose ends are on two hosts, VNIs distinct.
  const crossing = lab.links.filter((l) => p.hostOf.get(l.endpoints[0].node) !== p.hostOf.get(l.endpoints[1].node));
  expect(p.stitched.map((s) => s.link.id).sort()).to.deep.equal(crossing.map((l) => l.id).sort());
  expect(new Set(p.stitched.map((s) => s.vni)).size).to.equal(p.stitched.length);
}

describe('placement', () => {
  for (const lab of [...LABS, 'scale-300'])
    it(`${lab}: every node placed, capacity respected, DCs split only when they must (random hosts)`, () => {
      const m = models.get(lab)!;
      const w = total(m);
      let refused = 0;
      fc.assert(
        fc.property(
          fc.array(fc.option(fc.integer({ min: 1, max: w }), { nil: undefined }), { minLength: 1, maxLength: 5 }),
          (caps) => {
            const open = caps.filter((c) => c === undefined).length;
            try {
              checkProperties(m, hostsOf(caps));
            } catch (e) {
              // Only stated capacities are limits: a host without one never makes the lab refused.
              if (!(e instanceof DiagnosticsError)) throw e;
              expect(e.diagnostics.map((d) => d.code)).to.deep.equal(['E_HOST_CAPACITY']);
              expect(open, `refused ${JSON.stringify(caps)} although a host has no stated capacity`).to.equal(0);
              refused++;
            }
          },
        ),
        { numRuns: 60 },
      );
      expect(refused, 'some runs place the lab').to.be.below(60);
    });

  it('a DC that fits stays whole: mtdc on two even hosts keeps every DC on one host', () => {
    const m = models.get('mtdc')!;
    const p = place(m, hostsOf([undefined, undefined]));
    for (const dc of ['dc1', 'dc2', 'dc3']) {
      const hosts = new Set(m.nodes.filter((n) => n.dc === dc).map((n) => p.hostOf.get(n.name)));
      expect(hosts.size, dc).to.equal(1);
    }
    expect(p.stitched.length).to.equal(2);
  });

  it('everything on one host when one host holds it all: no stitched link', () => {
    const m = models.get('mtdc')!;
    const p = place(m, hostsOf([1000, 5]));
    expect(p.stitched).to.deep.equal([]);
    expect(p.nodesOf.get('h1')).to.deep.equal([]);
  });

  it('hypervisors are spread by capacity: two even hosts each run one of the two HA hypervisors', () => {
    const m = models.get('failover')!;
    const p = place(m, hostsOf([undefined, undefined]));
    const hostsOfHa = ['c1', 'c2'].map((h) => p.hostOf.get(h));
    expect(new Set(hostsOfHa).size).to.equal(2);
    // A hypervisor's guests and gateway stay with it.
    for (const n of m.nodes)
      if (n.facts?.hypervisor) expect(p.hostOf.get(n.name), n.name).to.equal(p.hostOf.get(n.facts.hypervisor));
  });

  it('a host with three times the capacity takes more of the hypervisors', () => {
    const m = models.get('failover')!;
    const p = place(m, hostsOf([900, 300]));
    const guestsOn = (h: string) => m.nodes.filter((n) => nodeWeight(n) > 1 && p.hostOf.get(n.name) === h).length;
    expect(guestsOn('h0')).to.be.greaterThan(guestsOn('h1'));
  });

  it('is deterministic', () => {
    const m = models.get('ring4')!;
    const a = place(m, hostsOf([undefined, undefined, undefined]));
    const b = place(m, hostsOf([undefined, undefined, undefined]));
    expect([...a.hostOf]).to.deep.equal([...b.hostOf]);
  });
});

describe('placement: splitting', () => {
  it('a DC too big for every host is split into its sites, each site kept whole', async () => {
    const m = await loadLab(MTDC_NETWORK);
    const p = place(m, hostsOf([12, 12, 12, 12, 12]));
    const dc1 = new Set(m.nodes.filter((n) => n.dc === 'dc1').map((n) => p.hostOf.get(n.name)));
    expect(dc1.size).to.be.greaterThan(1);
    const sites = new Map<string, Set<string | undefined>>();
    for (const n of m.nodes)
      if (n.tenant && n.facts?.site) {
        const k = `${n.dc}/${n.tenant}/${n.facts.site}`;
        sites.set(k, (sites.get(k) ?? new Set()).add(p.hostOf.get(n.name)));
      }
    for (const [k, on] of sites) expect(on.size, k).to.equal(1);
  });
});
