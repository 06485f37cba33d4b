// Judges that no mutation reaches are shown red here on synthetic captures of the reference lab:
// a duplicated canary (loop/storm), a VXLAN header off the provider segment, and an unclassified
// frame on a client port. Each case also has its passing twin, so the judge is not red by default.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { build, dissect, type LayerSpec } from '../../../src/decode/index.js';
import type { TestContext } from '../../../src/conformance/context.js';
import type { CapturedFrame, RunFrames } from '../../../src/conformance/frames.js';
import type { CheckDef, Judgement } from '../../../src/conformance/judge.js';
import type { ProbeRecord, SentCanary } from '../../../src/conformance/probe.js';
import { isolation } from '../../../src/conformance/suites/isolation.js';
import { longHaul } from '../../../src/conformance/suites/long-haul.js';
import { tagStack } from '../../../src/conformance/suites/tag-stack.js';
import { Expectations } from '../../../src/tagging/expected.js';
import { computePlan, planHash } from '../../../src/tagging/index.js';
import { loadLabText } from '../../../src/topology/index.js';
import type { LinkClass } from '../../../src/topology/model.js';

const model = loadLabText(
  readFileSync(new URL('../../../labs/mtdc/fabric.yml', import.meta.url).pathname, 'utf8'),
  'labs/mtdc/fabric.yml',
);
const plan = computePlan(model);
const ctx = {
  lab: 'mtdc',
  runtime: 'netns',
  model,
  plan,
  planHash: planHash(plan),
  exp: new Expectations(model, plan),
  status: { schemaVersion: 1, lab: 'mtdc', runtime: 'netns', nodes: [], links: [] },
  systems: [],
} as unknown as TestContext;

function frame(
  linkId: string,
  cls: LinkClass,
  node: string,
  peer: string,
  layers: LayerSpec[],
  n: number,
  canaryKey: string | null = null,
): CapturedFrame {
  const data = build(layers, { minSize: 60 });
  return {
    file: `${node}.pcap`,
    n,
    ts: n,
    linkId,
    cls,
    node,
    ifname: 'x',
    peer,
    layers: dissect(data),
    data,
    outer: { layers: 0, bytes: 0 },
    canaryKey,
  };
}

function judge(check: CheckDef, frames: CapturedFrame[], canaries: SentCanary[] = []): Promise<void> | void {
  const byCanary = new Map<string, CapturedFrame[]>();
  for (const f of frames) if (f.canaryKey) byCanary.set(f.canaryKey, [...(byCanary.get(f.canaryKey) ?? []), f]);
  const run: RunFrames = { files: [], frames, byCanary };
  const probe = { runDir: '', runId: 'r', manifest: {}, canaries, pings: [], udp: [] } as unknown as ProbeRecord;
  const j: Judgement = { ctx, probe, run, stats: {} };
  return check.judge(j);
}

const byId = (list: CheckDef[], id: string) => list.find((c) => c.id === id) as CheckDef;
const linkBetween = (a: string, b: string) =>
  model.links.find((l) => l.endpoints.some((e) => e.node === a) && l.endpoints.some((e) => e.node === b))!.id;
const client: LayerSpec[] = [
  { name: 'eth', src: '02:00:00:00:00:10', dst: 'ff:ff:ff:ff:ff:ff' },
  { name: 'ipv4', src: '10.20.30.10', dst: '255.255.255.255' },
  { name: 'udp', sport: 40000, dport: 40001 },
];

describe('judges that no mutation reaches still turn red on wrong frames', () => {
  it('tag-stack/one-copy-per-hop: a canary seen twice at one link end is a loop or storm', () => {
    const check = byId(tagStack, 'tag-stack/one-copy-per-hop');
    const flow = { tenant: 'red', src: { site: 'c1', system: 'h1' }, dst: { flood: 'broadcast' as const } };
    const c = { key: 'Happy|broadcast|0|t', tenant: 'red', cls: 'broadcast', flow } as unknown as SentCanary;
    const link = linkBetween('red-c1-h1', 'red-c1-sw');
    const once = [frame(link, 'client-access', 'red-c1-sw', 'red-c1-h1', client, 1, c.key)];
    expect(() => judge(check, once, [c])).to.not.throw();
    const twice = [...once, frame(link, 'client-access', 'red-c1-sw', 'red-c1-h1', client, 2, c.key)];
    expect(() => judge(check, twice, [c])).to.throw(/seen 2 times/);
  });

  it('long-haul/outer-ip-only-on-provider: VXLAN on a long-haul link is red', async () => {
    const check = byId(longHaul, 'long-haul/outer-ip-only-on-provider');
    const p = plan.provider!;
    const provLink = model.links.find((l) => l.class === 'provider')!.id;
    const inner: LayerSpec[] = [
      { name: 'eth', src: '02:fb:00:00:00:01', dst: '02:fb:00:00:00:02' },
      { name: 'mpls', label: 2003 },
      { name: 'mpls', label: 1003 },
      { name: 'pw', cw: false },
      ...client,
    ];
    const outer = (src: string, dst: string): LayerSpec[] => [
      { name: 'eth', src: '02:00:00:00:aa:01', dst: '02:00:00:00:aa:02' },
      { name: 'ipv4', src, dst },
      { name: 'udp', sport: 5555, dport: 4789 },
      { name: 'vxlan', vni: p.vni },
      ...inner,
    ];
    const good = frame(provLink, 'provider', 'prov-a', 'prov-b', outer(p.local, p.remote), 1);
    await judge(check, [good]);
    const lh = model.links.find((l) => l.class === 'long-haul')!.id;
    const leaked = frame(lh, 'long-haul', 'p2', 'prov-a', outer(p.local, p.remote), 2);
    let err: Error | undefined;
    try {
      await judge(check, [good, leaked]);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/VXLAN outer header on long-haul link/);
    const wrongIp = frame(provLink, 'provider', 'prov-a', 'prov-b', outer('192.0.2.1', p.remote), 3);
    err = undefined;
    try {
      await judge(check, [wrongIp]);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/without the planned outer/);
  });

  it('long-haul/outer-ip-only-on-provider: VXLAN on a VTEP link needs the VTEP pair; on a hypervisor uplink it is red', () => {
    const check = byId(longHaul, 'long-haul/outer-ip-only-on-provider');
    const fm = loadLabText(
      readFileSync(new URL('../../../labs/failover/fabric.yml', import.meta.url).pathname, 'utf8'),
      'labs/failover/fabric.yml',
    );
    const fp = computePlan(fm);
    const fctx = {
      ...ctx,
      lab: 'failover',
      model: fm,
      plan: fp,
      exp: new Expectations(fm, fp),
    } as unknown as TestContext;
    const run = (frames: CapturedFrame[]) =>
      check.judge({ ctx: fctx, probe: {} as ProbeRecord, run: { files: [], frames, byCanary: new Map() }, stats: {} });
    const vx = (src: string, tag: boolean): LayerSpec[] => [
      { name: 'eth', src: '02:fa:00:00:00:01', dst: '02:fa:00:00:00:02' },
      ...(tag ? [{ name: 'vlan', vid: 4000 } as LayerSpec] : []),
      { name: 'ipv4', src, dst: '172.31.255.2' },
      { name: 'udp', sport: 5555, dport: 4789 },
      { name: 'vxlan', vni: 421988 },
      ...client,
    ];
    const tap = fm.links.find((l) => l.endpoints.some((e) => e.node === 'hvc-v1'))!.id;
    const uplink = fm.links.find((l) => l.id.startsWith('hvc:p1--dc1-sw'))!.id;
    expect(() => run([frame(tap, 'hypervisor', 'hvc', 'hvc-v1', vx('172.31.255.1', true), 1)])).to.not.throw();
    expect(() => run([frame(tap, 'hypervisor', 'hvc', 'hvc-v1', vx('192.0.2.1', true), 1)])).to.throw(
      /without the VTEP pair/,
    );
    expect(() => run([frame(uplink, 'hypervisor', 'hvc', 'dc1-sw', vx('172.31.255.1', false), 1)])).to.throw(
      /VXLAN outer header on hypervisor link/,
    );
  });

  it('isolation/client-frames-classified: a frame that is no canary, no tenant traffic and no background is red', () => {
    const check = byId(isolation, 'isolation/client-frames-classified');
    const tctx = { ...ctx, systems: [{ ip: '10.20.30.10' }] } as unknown as TestContext;
    const link = linkBetween('red-c1-h1', 'red-c1-sw');
    const known = frame(link, 'client-access', 'red-c1-sw', 'red-c1-h1', client, 1);
    const stranger = frame(
      link,
      'client-access',
      'red-c1-sw',
      'red-c1-h1',
      [
        { name: 'eth', src: '02:00:00:00:99:99', dst: 'ff:ff:ff:ff:ff:ff' },
        { name: 'ipv4', src: '192.0.2.7', dst: '192.0.2.8' },
        { name: 'udp', sport: 1, dport: 2 },
      ],
      2,
    );
    const run = (frames: CapturedFrame[]) =>
      check.judge({ ctx: tctx, probe: {} as ProbeRecord, run: { files: [], frames, byCanary: new Map() }, stats: {} });
    expect(() => run([known])).to.not.throw();
    expect(() => run([known, stranger])).to.throw(/unclassified frame on client-access/);
  });

  it("isolation/client-frames-classified: a customer VM (inside a guest, no endpoint) refreshing ARP is tenant traffic; a stranger's ARP is red", () => {
    const check = byId(isolation, 'isolation/client-frames-classified');
    const hv = loadLabText(
      readFileSync(new URL('../../golden/topology/ok/failover-mirrors/fabric.yml', import.meta.url).pathname, 'utf8'),
      'fabric.yml',
    );
    // Only the clients are endpoints; both tenants' 10.20.30.50 are customer VMs of hosted sites.
    const tctx = { ...ctx, model: hv, systems: [{ ip: '10.20.30.10' }] } as unknown as TestContext;
    const arp = (spa: string): LayerSpec[] => [
      { name: 'eth', src: '02:00:00:00:00:50', dst: '02:00:00:00:00:10' },
      { name: 'arp', op: 1, sha: '02:00:00:00:00:50', spa, tha: '00:00:00:00:00:00', tpa: '10.20.30.10' },
    ];
    const run = (frames: CapturedFrame[]) =>
      check.judge({ ctx: tctx, probe: {} as ProbeRecord, run: { files: [], frames, byCanary: new Map() }, stats: {} });
    expect(() =>
      run([frame('red-c1-h1:eth1--red-c1-sw:p2', 'client-access', 'red-c1-sw', 'red-c1-h1', arp('10.20.30.50'), 1)]),
    ).to.not.throw();
    expect(() =>
      run([frame('red-c1-h1:eth1--red-c1-sw:p2', 'client-access', 'red-c1-sw', 'red-c1-h1', arp('192.0.2.9'), 1)]),
    ).to.throw(/unclassified frame on client-access/);
  });
});
