// Tag plan and flow rendering: golden files for the reference lab, and the plan's own errors.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { DiagnosticsError } from '../../../src/errors/diagnostics.js';
import { computePlan, planHash, renderPrograms, bundleText, classMtu } from '../../../src/tagging/index.js';
import { Allocator } from '../../../src/tagging/modules/module.js';
import { formatPlan } from '../../../src/tagging/format.js';
import { loadLabText } from '../../../src/topology/index.js';
import type { LabModel } from '../../../src/topology/model.js';
import { golden } from '../../helpers/golden.js';
import { VXLAN_OVERHEAD } from '../../../src/topology/encoding.js';
import { vtepLink } from '../topology/vtep-link.js';

const GOLDEN = new URL('../../golden/tagging/', import.meta.url).pathname;
const MTDC = new URL('../../../labs/mtdc/fabric.yml', import.meta.url).pathname;
const mtdcText = readFileSync(MTDC, 'utf8');
const mtdc = (): LabModel => loadLabText(mtdcText, 'labs/mtdc/fabric.yml');

function planErrors(text: string): string {
  try {
    computePlan(loadLabText(text, 'fabric.yml'));
  } catch (e) {
    if (e instanceof DiagnosticsError) return e.format();
    throw e;
  }
  throw new Error('expected the plan to fail');
}

describe('tag plan: reference lab golden files', () => {
  it('plan JSON', () => {
    golden(`${GOLDEN}mtdc.plan.json`, JSON.stringify(computePlan(mtdc()), null, 2) + '\n');
  });
  it('plan table (fabric plan)', () => {
    const plan = computePlan(mtdc());
    golden(`${GOLDEN}mtdc.plan.txt`, formatPlan(plan, planHash(plan)));
  });
  it('flows per bridge (fabric flows)', () => {
    const m = mtdc();
    const text = renderPrograms(m, computePlan(m))
      .map((p) => `# ${p.node} (${p.role})\n${p.meters.map((x) => `meter add ${x}\n`).join('')}${bundleText(p)}`)
      .join('\n');
    golden(`${GOLDEN}mtdc.flows.txt`, text);
  });
});

describe('tag plan: invariants', () => {
  const plan = computePlan(mtdc());
  it('gives every tenant the same own VLANs but distinct (Tag1, Tag2) pairs', () => {
    const pairs = new Map<string, string>();
    for (const s of plan.sites) {
      for (const v of s.vlans) {
        const d = plan.domains.find((x) => x.tenant === s.tenant && x.ownVlan === v);
        const k = `${s.hostTag}/${d?.customerTag}`;
        expect(pairs.get(k), `pair ${k}`).to.satisfy((t: string | undefined) => t === undefined || t === s.tenant);
        pairs.set(k, s.tenant);
      }
    }
    expect(new Set(plan.domains.map((d) => d.ownVlan))).to.deep.equal(new Set([100, 200]));
  });
  it('swaps the transport label at every P hop and decrements its TTL', () => {
    const role = new Map(mtdc().nodes.map((n) => [n.name, n.role]));
    let swaps = 0;
    for (const lsp of plan.lsps) {
      for (let i = 1; i < lsp.hops.length; i++) {
        if (role.get(lsp.hops[i].from.node) === 'p') {
          swaps++;
          expect(lsp.hops[i].label).to.not.equal(lsp.hops[i - 1].label);
          expect(lsp.hops[i].ttl).to.equal(lsp.hops[i - 1].ttl - 1);
        }
      }
    }
    expect(plan.lsps).to.have.length(4);
    expect(swaps).to.equal(8); // 4 LSPs x 2 P routers
  });
  it('exports a pw-eth-nocw decode hint for every DC label and nothing else', () => {
    expect(plan.decodeHints).to.deep.equal({ '1001': 'pw-eth-nocw', '1002': 'pw-eth-nocw', '1003': 'pw-eth-nocw' });
  });
  it('budgets MTUs so a 1500-byte client packet crosses the provider segment', () => {
    expect(classMtu('provider', 1500)).to.equal(1500 + 20 + 8 + 8 + 14 + 4 + 4 + 14 + 4 + 4);
    const m = mtdc();
    // A VTEP link (bridge device transport, virtual hypervisor tap) carries whole tagged frames in VXLAN.
    for (const l of m.links)
      expect(l.mtu, l.id).to.equal(classMtu(l.class, 1500) + (vtepLink(m, l) ? VXLAN_OVERHEAD : 0));
  });
  it('renders only forward goto_table jumps (OpenFlow rejects backwards ones)', () => {
    const m = mtdc();
    for (const p of renderPrograms(m, computePlan(m))) {
      for (const f of p.flows) {
        const t = Number(/table=(\d+)/.exec(f)?.[1] ?? 0);
        const g = /goto_table:(\d+)/.exec(f);
        if (g) expect(Number(g[1]), f).to.be.greaterThan(t);
      }
    }
  });
});

describe('tag plan: bad input', () => {
  it('rejects a reserved DC label', () => {
    const text = mtdcText.replace('  dc1: {}', '  dc1: { dc_tag: 7 }');
    expect(planErrors(text)).to.contain('E_TAG_RANGE').and.contain('datacenters.dc1.dc_tag');
  });
  it('rejects two datacenters with one DC label', () => {
    const text = mtdcText
      .replace('  dc1: {}', '  dc1: { dc_tag: 3000 }')
      .replace('  dc2: {}', '  dc2: { dc_tag: 3000 }');
    expect(planErrors(text)).to.contain('E_TAG_COLLISION').and.contain('datacenters.dc2.dc_tag');
  });
  it('runs out of values with a clear error instead of reusing one', () => {
    const a = new Allocator(4093, 4094, new Set([4094]));
    expect(a.take()).to.equal(4093);
    expect(a.take()).to.equal(undefined);
  });
});
