// Transit through intermediate DCs: golden plans and flows for a ring of four DCs, a chain of
// three and a star, and the properties the per-domain trees promise (one path per DC pair, a flood
// reaching each DC once, split horizon per pseudowire segment, Tag3 swapped per segment).
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { computePlan, planHash, renderPrograms, bundleText } from '../../../src/tagging/index.js';
import { allDcPaths, dcPath, domainDcs, domainTree } from '../../../src/tagging/dc-routes.js';
import { Expectations, type FlowSpec } from '../../../src/tagging/expected.js';
import { formatPlan } from '../../../src/tagging/format.js';
import { loadLabText } from '../../../src/topology/index.js';
import type { LabModel } from '../../../src/topology/model.js';
import { golden } from '../../helpers/golden.js';

const GOLDEN = new URL('../../golden/tagging/', import.meta.url).pathname;
const LABS: Record<string, string> = {
  ring4: '../../../labs/ring4/fabric.yml',
  chain3: '../../fixtures/labs/chain3.yml',
  star: '../../fixtures/labs/star.yml',
};
const load = (name: string): LabModel => {
  const path = new URL(LABS[name], import.meta.url).pathname;
  return loadLabText(readFileSync(path, 'utf8'), `${name}.yml`);
};

for (const name of Object.keys(LABS)) {
  describe(`transit: ${name} golden files`, () => {
    const m = load(name);
    const plan = computePlan(m);
    it('plan JSON', () => golden(`${GOLDEN}${name}.plan.json`, JSON.stringify(plan, null, 2) + '\n'));
    it('plan table with the path of every DC pair', () =>
      golden(`${GOLDEN}${name}.plan.txt`, formatPlan(plan, planHash(plan))));
    it('flows per bridge', () => {
      const text = renderPrograms(m, plan)
        .map((p) => `# ${p.node} (${p.role})\n${p.meters.map((x) => `meter add ${x}\n`).join('')}${bundleText(p)}`)
        .join('\n');
      golden(`${GOLDEN}${name}.flows.txt`, text);
    });
  });

  describe(`transit: ${name} properties`, () => {
    const m = load(name);
    const plan = computePlan(m);
    const exp = new Expectations(m, plan);
    const dcs = plan.dcs.map((d) => d.name);

    it('has a path for every DC pair, the same both ways', () => {
      for (const p of allDcPaths(plan)) {
        expect(p.path, `${p.from}-${p.to}`).to.not.equal(undefined);
        expect(dcPath(plan, p.to, p.from)).to.deep.equal([...(p.path ?? [])].reverse());
      }
      expect(allDcPaths(plan)).to.have.length((dcs.length * (dcs.length - 1)) / 2);
    });

    it("each domain's tree from each of its DCs reaches every DC of the domain exactly once", () => {
      for (const d of plan.domains) {
        const members = domainDcs(plan, d);
        for (const src of members) {
          const reached: string[] = [];
          const walk = (at: string) => {
            for (const k of domainTree(plan, d, src).get(at) ?? []) {
              reached.push(k);
              walk(k);
            }
          };
          walk(src);
          expect(new Set(reached).size, `${d.tenant}/${d.ownVlan} from ${src}`).to.equal(reached.length);
          for (const x of members.filter((y) => y !== src)) expect(reached).to.include(x);
        }
      }
    });

    it('expects a flood to cross each link once and a unicast frame to take one path', () => {
      for (const n of m.nodes.filter((x) => x.role === 'endpoint')) {
        const src = { site: n.facts?.site ?? '', system: n.facts?.system ?? '' };
        const flood: FlowSpec = { tenant: n.tenant ?? '', src, dst: { flood: 'broadcast' } };
        const ids = exp.traversals(flood).map((t) => t.link.id);
        expect(new Set(ids).size, `flood from ${n.name}`).to.equal(ids.length);
        for (const peer of m.nodes.filter(
          (x) => x.role === 'endpoint' && x !== n && x.tenant === n.tenant && x.facts?.vlan === n.facts?.vlan,
        )) {
          const uni: FlowSpec = {
            tenant: n.tenant ?? '',
            src,
            dst: { site: peer.facts?.site ?? '', system: peer.facts?.system ?? '' },
          };
          const ts = exp.traversals(uni);
          expect(new Set(ts.map((t) => t.link.id)).size).to.equal(ts.length);
          expect(ts[ts.length - 1]?.to, `${n.name} → ${peer.name}`).to.equal(peer.name);
          // Every flood link of the unicast path is also on the flood tree: one tree per domain and source.
          for (const t of ts) expect(ids).to.include(t.link.id);
        }
      }
    });

    it('swaps Tag3 per segment: each segment carries the label of the DC at its far end', () => {
      for (const n of m.nodes.filter((x) => x.role === 'endpoint')) {
        const src = { site: n.facts?.site ?? '', system: n.facts?.system ?? '' };
        for (const t of exp.traversals({ tenant: n.tenant ?? '', src, dst: { flood: 'broadcast' } })) {
          if (t.class !== 'dc-interconnect' && t.class !== 'long-haul') continue;
          const farDc = m.nodes.find((x) => x.name === t.to)?.dc;
          const label = t.layers.find((l) => l.name === 'mpls' && l.s === true)?.label;
          // On the long haul the far end of a link may be a P router: the segment ends at the egress PE.
          if (farDc)
            expect(label, `${t.link.id} ${t.from}→${t.to}`).to.equal(plan.dcs.find((d) => d.name === farDc)?.dcTag);
        }
      }
    });

    it('keeps split horizon per segment: a stitched frame never leaves on the segment it came in on', () => {
      for (const p of renderPrograms(m, plan).filter((x) => x.role === 'dc-switch')) {
        // Tag1 → the gateway ports frames with it arrive on (table 0 classification).
        const inPorts = new Map<string, Set<string>>();
        for (const f of p.flows) {
          const c = /table=0,priority=100,in_port=(\S+?),dl_vlan=(\d+),actions=pop_vlan/.exec(f);
          if (c) inPorts.set(c[2], (inPorts.get(c[2]) ?? new Set()).add(`{{ofport:${c[1]}}}`));
        }
        for (const f of p.flows.filter((x) => x.includes('priority=300,'))) {
          const tag1 = /reg6=(\d+)/.exec(f)?.[1] ?? '';
          const out = /reg1=(\{\{ofport:[^}]+\}\})/.exec(f)?.[1] ?? '';
          expect(inPorts.get(tag1), f).to.not.equal(undefined);
          expect([...(inPorts.get(tag1) ?? [])], f).to.not.include(out);
        }
        for (const f of p.flows.filter((x) => x.includes('priority=60,'))) {
          const tag1 = /reg6=(\d+)/.exec(f)?.[1] ?? '';
          const gid = /group:(\d+)/.exec(f)?.[1];
          const g = p.groups.find((x) => x.startsWith(`group_id=${gid},`)) ?? '';
          for (const port of inPorts.get(tag1) ?? []) expect(g, f).to.not.contain(`${port}->reg1`);
        }
      }
    });
  });
}

describe('transit: full mesh', () => {
  it('relays nothing in the reference lab (every path is the direct one)', () => {
    const m = loadLabText(
      readFileSync(new URL('../../../labs/mtdc/fabric.yml', import.meta.url).pathname, 'utf8'),
      'mtdc.yml',
    );
    const plan = computePlan(m);
    for (const p of allDcPaths(plan)) expect(p.path).to.have.length(2);
    for (const p of renderPrograms(m, plan))
      expect(p.flows.filter((f) => f.includes('priority=300,'))).to.deep.equal([]);
  });
  it('routes the ring through a transit DC and stitches there', () => {
    const plan = computePlan(load('ring4'));
    expect(dcPath(plan, 'dc1', 'dc3')).to.have.length(3);
    const flows = renderPrograms(load('ring4'), plan).find((p) => p.node === 'dc2-sw')?.flows ?? [];
    expect(flows.filter((f) => f.includes('priority=300,')).length).to.be.greaterThan(0);
  });
});
