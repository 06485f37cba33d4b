// tag-stack on a lab split over two hosts: a stitched link's frames must carry the tunnel's outer
// VXLAN (the link's VNI between the two hosts' addresses) and no other link's may.
import { expect } from 'chai';
import { stitchedLinks, type TestContext } from '../../../src/conformance/context.js';
import { outerOf, type CapturedFrame, type RunFrames } from '../../../src/conformance/frames.js';
import type { CheckDef, Judgement } from '../../../src/conformance/judge.js';
import type { ProbeRecord, SentCanary } from '../../../src/conformance/probe.js';
import { tagStack } from '../../../src/conformance/suites/tag-stack.js';
import { build, dissect, type LayerSpec } from '../../../src/decode/index.js';
import { planLab } from '../../../src/runtime/netns/plan.js';
import { splitPlan } from '../../../src/runtime/netns/split.js';
import type { SplitRecord } from '../../../src/runtime/types.js';
import { Expectations, type LayerPattern, type Traversal } from '../../../src/tagging/expected.js';
import { computePlan, planHash } from '../../../src/tagging/index.js';
import { ANY } from '../../../src/tagging/patterns.js';
import { loadLab } from '../../../src/topology/index.js';
import { MTDC_NETWORK } from '../scaleout/labs.js';

const check = tagStack.find((c) => c.id === 'tag-stack/canaries-match-plan') as CheckDef;
const flow = { tenant: 'red', src: { site: 'c1', system: 'h1' }, dst: { flood: 'broadcast' as const } };
const canary = { key: 'Happy|broadcast|0|t', tenant: 'red', cls: 'broadcast', flow } as unknown as SentCanary;
const payload: LayerSpec[] = [
  { name: 'ipv4', src: '10.20.30.10', dst: '255.255.255.255' },
  { name: 'udp', sport: 40000, dport: 40001 },
];
const OUTER: LayerSpec[] = [
  { name: 'eth', src: '02:00:00:00:aa:01', dst: '02:00:00:00:aa:02' },
  { name: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' },
  { name: 'udp', sport: 5555, dport: 14789 },
];

/** A concrete layer for each pattern: the wildcards left to build()'s defaults. */
const specOf = (ps: readonly LayerPattern[]): LayerSpec[] =>
  ps.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== ANY)) as unknown as LayerSpec);

describe('tag-stack on a lab split over two hosts: the outer VXLAN on stitched links and nowhere else', () => {
  let ctx: TestContext;
  let rec: SplitRecord;
  let hops: Traversal[];

  before(async () => {
    const model = await loadLab(MTDC_NETWORK);
    const plan = computePlan(model);
    rec = splitPlan(model, planLab(model), 2).record;
    const exp = new Expectations(model, plan, { stitched: stitchedLinks(rec) });
    ctx = {
      lab: 'spu',
      runtime: 'netns',
      model,
      plan,
      planHash: planHash(plan),
      exp,
      systems: [],
    } as unknown as TestContext;
    hops = exp.traversals(flow);
  });

  /** The canary as captured at the receiving end of hop `t`, from the bytes of `layers`. */
  function frame(t: Traversal, layers: LayerSpec[], n: number): CapturedFrame {
    const data = build([...layers, ...payload], { minSize: 60 });
    const s = rec.stitched.find((x) => x.id === t.link.id);
    const via = s ? { netns: 'fh-spu-h2', ifname: 'ul', vxlan: { vni: s.vni, dstPort: rec.dstPort } } : undefined;
    const decoded = dissect(data, { decodeAs: { vxlanPorts: [rec.dstPort] } });
    return {
      file: `${t.to}.pcap`,
      n,
      ts: n,
      linkId: t.link.id,
      cls: t.class,
      node: t.to,
      ifname: 'x',
      peer: t.from,
      layers: decoded,
      data,
      outer: outerOf({ via }, decoded, data),
      canaryKey: canary.key,
    };
  }

  function judge(frames: CapturedFrame[]): void {
    const run: RunFrames = { files: [], frames, byCanary: new Map([[canary.key, frames]]) };
    const probe = {
      runDir: '',
      runId: 'r',
      manifest: {},
      canaries: [canary],
      pings: [],
      udp: [],
    } as unknown as ProbeRecord;
    const j: Judgement = { ctx, probe, run, stats: {} };
    void check.judge(j);
  }

  const asPlanned = () => hops.map((t, i) => frame(t, specOf(t.layers), i + 1));

  it('passes the frames as planned, the stitched hops counted with their outer VXLAN', () => {
    const stitched = hops.filter((t) => rec.stitched.some((s) => s.id === t.link.id));
    expect(stitched).to.have.length(2);
    const frames = asPlanned();
    for (const f of frames.filter((x) => stitched.some((t) => t.link.id === x.linkId))) {
      expect(f.layers.slice(0, 4).map((l) => l.name)).to.deep.equal(['eth', 'ipv4', 'udp', 'vxlan']);
      expect(f.outer.layers).to.equal(4);
    }
    expect(() => judge(frames)).to.not.throw();
  });

  it('is red when a stitched link frame lacks the outer VXLAN', () => {
    const frames = hops.map((t, i) => {
      const inner = rec.stitched.some((s) => s.id === t.link.id) ? t.layers.slice(4) : t.layers;
      return frame(t, specOf(inner), i + 1);
    });
    expect(() => judge(frames)).to.throw(/canary on dc-interconnect link dc1-ic:p2--dc2-ic:p2: layer 0 eth\.type/);
  });

  it('is red when a frame on a link that is not stitched carries an outer VXLAN', () => {
    const t = hops.find((x) => x.link.id === 'dc1-sw:p1--dc1-ic:p1')!;
    const frames = asPlanned().map((f) =>
      f.linkId === t.link.id ? frame(t, [...OUTER, { name: 'vxlan', vni: 10000 }, ...specOf(t.layers)], f.n) : f,
    );
    expect(() => judge(frames)).to.throw(
      /1 violation.*\n.*canary on dc-fabric link dc1-sw:p1--dc1-ic:p1: layer 0 eth\.src/,
    );
  });

  it('is red when a stitched frame carries another link’s VNI or runs the wrong way', () => {
    const ic = hops.find((x) => x.link.id === 'dc1-ic:p2--dc2-ic:p2')!;
    const wrong = (outer: LayerSpec[]) =>
      asPlanned().map((f) => (f.linkId === ic.link.id ? frame(ic, [...outer, ...specOf(ic.layers.slice(4))], f.n) : f));
    expect(() => judge(wrong([...OUTER, { name: 'vxlan', vni: 10001 }]))).to.throw(
      /layer 3 vxlan\.vni: expected 10000/,
    );
    const back: LayerSpec[] = [OUTER[0]!, { name: 'ipv4', src: '192.0.2.2', dst: '192.0.2.1' }, OUTER[2]!];
    expect(() => judge(wrong([...back, { name: 'vxlan', vni: 10000 }]))).to.throw(
      /layer 1 ipv4\.src: expected 192\.0\.2\.1/,
    );
  });
});
