import { expect } from 'chai';
import { capturable, portNames, selectTargets } from '../../../src/capture/select.js';
import { captureStem, checkRunId, safePart } from '../../../src/names/index.js';
import { makeRunId, runDir } from '../../../src/capture/run-dir.js';
import { parseStatus } from '../../../src/capture/status.js';
import { STATUS } from './helpers.js';

describe('capture/select', () => {
  it('selects every capturable end, with its peer, and skips ends without a place to capture', () => {
    const r = selectTargets(STATUS);
    expect(r.targets.map((t) => t.id)).to.deep.equal(['c1--eth0', 'sw1--p1', 'sw1--up', 'pe1--d1', 'pe1--lh']);
    expect(r.skipped).to.deep.equal([
      {
        linkId: 'pe1-p1',
        node: 'p1',
        ifname: 'a',
        reason: 'no namespace and no host interface in the status document',
      },
    ]);
    const c1 = r.targets[0]!;
    expect(c1).to.deep.include({ linkId: 'c1-sw1', linkClass: 'client-access', netns: 'clab-mtdc-c1', hostIf: null });
    expect(c1.peer).to.deep.equal({ node: 'sw1', ifname: 'p1', port: 'p1', netns: null, hostIf: 'mtdc-sw1-p1' });
  });

  it('skips root-namespace ends whose interface is missing (a guest not set up) or down, with the reason', () => {
    const all = selectTargets(STATUS).targets;
    const hostIfs = all.filter((t) => t.hostIf).map((t) => t.hostIf!);
    expect(hostIfs.length).to.be.greaterThan(1);
    const [gone, down, ...up] = hostIfs;
    const root = new Map<string, boolean>([[down!, false], ...up.map((i): [string, boolean] => [i, true])]);
    const r = capturable(all, root);
    expect(r.targets.map((t) => t.id)).to.deep.equal(
      all.filter((t) => t.hostIf !== gone && t.hostIf !== down).map((t) => t.id),
    );
    expect(r.skipped.map((s) => s.reason)).to.deep.equal([
      `interface ${gone} does not exist (its guest is not set up)`,
      `interface ${down} is down`,
    ]);
    // Namespace ends never need a root interface.
    expect(capturable(all, new Map()).targets.every((t) => t.netns !== null)).to.equal(true);
  });

  it('names files after fabric ports (from the link id), not kernel interfaces', () => {
    const st = structuredClone(STATUS);
    const l = st.links[0]!;
    l.id = 'c1:eth1--sw1:p2';
    l.endpoints[1]!.ifname = 'mtdc-sw1_2';
    l.endpoints[1]!.hostIf = 'mtdc-sw1_2';
    const t = selectTargets(st).targets.filter((x) => x.linkId === l.id);
    expect(t.map((x) => [x.id, x.port, x.ifname])).to.deep.equal([
      ['c1--eth1', 'eth1', 'eth0'],
      ['sw1--p2', 'p2', 'mtdc-sw1_2'],
    ]);
    expect(t[0]!.peer).to.deep.include({ port: 'p2', ifname: 'mtdc-sw1_2' });
  });

  it('reads port names from link ids, and keeps kernel names for ids of another form', () => {
    const ep = (node: string, ifname: string) => ({ node, ifname });
    expect(
      portNames({ id: 'dc1-sw:p2--dc1-pe:p1', endpoints: [ep('dc1-sw', 'k1'), ep('dc1-pe', 'k2')] }),
    ).to.deep.equal(['p2', 'p1']);
    // Node names with dashes (and a double dash) do not confuse the split: both node names are known.
    expect(portNames({ id: 'a--b:p1--c-d:eth2', endpoints: [ep('a--b', 'k1'), ep('c-d', 'k2')] })).to.deep.equal([
      'p1',
      'eth2',
    ]);
    expect(portNames({ id: 'c1-sw1', endpoints: [ep('c1', 'eth0'), ep('sw1', 'p1')] })).to.deep.equal(['eth0', 'p1']);
    expect(portNames({ id: 'a:x/y--b:p1', endpoints: [ep('a', 'k1'), ep('b', 'k2')] })).to.deep.equal(['k1', 'k2']);
  });

  it('filters by class, link and node (intersection)', () => {
    expect(selectTargets(STATUS, { classes: ['dc-fabric'] }).targets.map((t) => t.id)).to.deep.equal([
      'sw1--up',
      'pe1--d1',
    ]);
    expect(selectTargets(STATUS, { links: ['c1-sw1'], nodes: ['sw1'] }).targets.map((t) => t.id)).to.deep.equal([
      'sw1--p1',
    ]);
    expect(selectTargets(STATUS, { nodes: ['pe1'] }).targets.map((t) => t.id)).to.deep.equal(['pe1--d1', 'pe1--lh']);
  });

  it('rejects unknown filter values with the known ones as a hint', () => {
    expect(() => selectTargets(STATUS, { classes: ['long-hual'] }))
      .to.throw(/unknown link class: long-hual/)
      .with.property('hint')
      .that.matches(/long-haul/);
    expect(() => selectTargets(STATUS, { links: ['nope'] })).to.throw(/unknown link id/);
    expect(() => selectTargets(STATUS, { nodes: ['zz'] })).to.throw(/unknown node/);
  });

  it('rejects a status document whose names would reach a command unsafely', () => {
    const bad = structuredClone(STATUS);
    bad.links[0]!.endpoints[0]!.netns = '--help';
    expect(() => selectTargets(bad)).to.throw(/namespace/);
    const bad2 = structuredClone(STATUS);
    bad2.links[1]!.endpoints[0]!.hostIf = 'x;rm';
    expect(() => selectTargets(bad2)).to.throw(/interface/);
  });

  it('refuses two ends that would write the same file', () => {
    const dup = structuredClone(STATUS);
    dup.links[1]!.endpoints[0]!.ifname = 'p1';
    expect(() => selectTargets(dup)).to.throw(/sw1--p1.pcap/);
  });

  it('names files and runs deterministically and safely', () => {
    expect(captureStem('c1', 'eth0')).to.equal('c1--eth0');
    expect(safePart('a/b c')).to.equal('a_b_c');
    expect(safePart('-x')).to.equal('_x');
    expect(makeRunId(new Date('2026-11-21T23:30:00.456Z'), 'abc123')).to.equal('20261121T233000Z-abc123');
    expect(makeRunId()).to.match(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(() => checkRunId('../etc')).to.throw(/run id/);
    expect(runDir('mtdc', '20261121T233000Z-abc123', '/tmp/caps')).to.equal('/tmp/caps/mtdc/20261121T233000Z-abc123');
    expect(() => runDir('../x', '20261121T233000Z-abc123', '/tmp')).to.throw(/lab name/);
  });

  it('checks a status document read from JSON', () => {
    expect(parseStatus(JSON.parse(JSON.stringify(STATUS))).lab).to.equal('mtdc');
    expect(() => parseStatus({ schemaVersion: 2 })).to.throw(/schemaVersion/);
    expect(() => parseStatus({ ...STATUS, links: [{ id: 'x', class: 'c', endpoints: [] }] })).to.throw(/two endpoints/);
  });
});
