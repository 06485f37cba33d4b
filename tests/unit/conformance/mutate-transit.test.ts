// Transit mutations: they find the stitch a canary crosses in the ring lab, rewrite exactly that
// bridge, and stay out of the score on a full mesh (no DC relays there).
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { SystemInfo, TestContext } from '../../../src/conformance/context.js';
import { MUTATIONS } from '../../../src/conformance/mutate.js';
import { findStitch } from '../../../src/conformance/mutate-transit.js';
import { computePlan, renderPrograms } from '../../../src/tagging/index.js';
import { loadLabText } from '../../../src/topology/index.js';

function ctxOf(path: string): TestContext {
  const model = loadLabText(readFileSync(new URL(path, import.meta.url).pathname, 'utf8'), path);
  const plan = computePlan(model);
  const systems = model.nodes
    .filter((n) => n.role === 'endpoint')
    .map((n) => ({ tenant: n.tenant, site: n.facts?.site, system: n.facts?.system, node: n, vlan: n.facts?.vlan }));
  return { model, plan, systems: systems as unknown as SystemInfo[] } as unknown as TestContext;
}

const ring = ctxOf('../../../labs/ring4/fabric.yml');
const mesh = ctxOf('../../../labs/mtdc/fabric.yml');
const transit = MUTATIONS.filter((m) => ['wrong-tag3-at-transit', 'stitch-floods-back'].includes(m.name));

describe('transit mutations', () => {
  it('finds the stitch red c1 crosses in the ring: dc2, from dc1 on to dc3', () => {
    const s = findStitch(ring);
    expect([s?.site.tenant, s?.site.site, s?.parent, s?.at, s?.next]).to.deep.equal(['red', 'c1', 'dc1', 'dc2', 'dc3']);
  });
  it('are listed, apply to the ring and not to the full mesh', () => {
    expect(transit).to.have.length(2);
    for (const m of transit) {
      expect(m.applies?.(ring), m.name).to.equal(true);
      expect(m.applies?.(mesh), m.name).to.equal(false);
    }
  });
  it('each rewrites its bridge', () => {
    const programs = renderPrograms(ring.model, ring.plan);
    const byName = (n: string) => transit.find((m) => m.name === n)!;
    const tag = byName('wrong-tag3-at-transit');
    const gw = programs.find((p) => p.node === tag.node(ring))!;
    expect(gw.node).to.equal('dc2-pe');
    const bad = tag.mutate(gw, ring);
    expect(bad.flows[0]).to.match(/priority=110,in_port=\S+,dl_vlan=101,actions=.*set_field:1002->mpls_label/);
    const back = byName('stitch-floods-back');
    const sw = programs.find((p) => p.node === back.node(ring))!;
    expect(sw.node).to.equal('dc2-sw');
    const flooded = back.mutate(sw, ring);
    expect(flooded.groups.join('\n')).to.not.equal(sw.groups.join('\n'));
    expect(flooded.flows.length).to.equal(sw.flows.length + 1);
    expect(flooded.flows[flooded.flows.length - 1]).to.match(/priority=300,.*reg6=101,.*actions=.*,in_port$/);
  });
});
