import { rmSync } from 'node:fs';
import { expect } from 'chai';
import { build } from '../../../src/decode/index.js';
import { changeText, formatTrace, stackDiff, traceFrame, traceJson } from '../../../src/trace/index.js';
import { dissect } from '../../../src/decode/index.js';
import { lab, payload, stem, unicast, writeRun } from './run-fixture.js';

const T0 = 1_800_000_000;
const dirs: string[] = [];
const run = async (...a: Parameters<typeof writeRun>) => {
  const d = await writeRun(...a);
  dirs.push(d);
  return d;
};

describe('trace: follow one frame across a run', () => {
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  it('orders the long-haul path hop by hop and names every push, pop and swap', async () => {
    const { ex } = await lab();
    const tv = ex.traversals(unicast('red'));
    const dir = await run({
      frames: [
        { traversals: tv, inner: payload('red-canary-0001'), t0: T0 + 1 },
        // Another red frame with other content, earlier: not followed (different client frame).
        {
          traversals: ex.traversals(unicast('red', 'c2')),
          inner: payload('noise', '10.20.30.10', '10.20.30.20'),
          t0: T0,
        },
      ],
    });
    const t = await traceFrame(dir, { contains: 'red-canary-0001' });
    expect(t.hops.map((h) => h.linkId)).to.deep.equal(tv.map((x) => x.link.id));
    expect(t.hops.map((h) => `${h.from.node}>${h.to.node}`)).to.deep.equal(tv.map((x) => `${x.from}>${x.to}`));
    expect(t.hops.every((h) => h.ends.length === 2 && !h.gap && !h.endsDiffer)).to.equal(true);
    expect(t.hops[0]!.ends[0]!.file).to.equal(`${stem('red-c1-h1', 'eth1')}.pcap`);
    expect(t.decodeAs?.labels?.[1003]).to.equal('pw-eth-nocw'); // from plan.json
    const ch = t.hops.map((h) => h.changes.map(changeText));
    expect(ch[0]).to.deep.equal([]);
    expect(ch[1]).to.deep.equal(['+ pushed 802.1Q 100']);
    expect(ch[2]).to.deep.equal(['~ rewrote 802.1Q 100 → 201', '+ pushed 802.1ad 101']);
    expect(ch[3]).to.deep.equal([
      '+ pushed Ethernet 02:fb:ef:d2:8f:b4 > 02:fb:bd:83:3a:a4',
      '+ pushed MPLS 2001 ttl 64',
      '+ pushed MPLS 1003 [S] ttl 64',
      '+ pushed PW nocw',
    ]);
    expect(ch[4]).to.deep.equal(['~ swapped MPLS 2001 → 2002 (ttl 64 → 63)']);
    expect(ch[6]![0]).to.match(/^\+ pushed Ethernet /);
    expect(ch[6]).to.include.members([
      '+ pushed IPv4 198.51.100.1 > 198.51.100.2',
      '+ pushed UDP 40000 > 4789',
      '+ pushed VXLAN 4242',
    ]);
    expect(ch[7]).to.have.length(4); // provider headers popped at prov-b
    expect(ch[7]!.every((c) => c.startsWith('- popped'))).to.equal(true);
    expect(ch[8]).to.deep.equal([
      '- popped Ethernet 02:fb:ef:d2:8f:b4 > 02:fb:bd:83:3a:a4',
      '- popped MPLS 2003 ttl 62',
      '- popped MPLS 1003 [S] ttl 64',
      '- popped PW nocw',
    ]);
    expect(ch[10]).to.deep.equal(['- popped 802.1Q 100']);
    expect(t.others.count).to.equal(0);
    const text = formatTrace(t);
    expect(text).to.contain('hop  5  long-haul      p1:mtdc-p1_1 → p2:mtdc-p2_1  +0.000200 s');
    expect(text).to.contain('~ swapped MPLS 2001 → 2002 (ttl 64 → 63)');
    expect(text).to.not.contain('\x1b[');
    expect(formatTrace(t, { color: true })).to.contain('\x1b[33m~ swapped MPLS 2001');
    expect(JSON.parse(traceJson(t)).hops).to.have.length(11);
  });

  it('--frame FILE:N follows the same client frame without a marker', async () => {
    const { ex } = await lab();
    const tv = ex.traversals(unicast('blue', 'c2'));
    const dir = await run({
      frames: [
        {
          traversals: ex.traversals(unicast('blue', 'c2')),
          inner: payload('first', '10.20.30.10', '10.20.30.20'),
          t0: T0,
        },
        { traversals: tv, inner: payload('second', '10.20.30.10', '10.20.30.20'), t0: T0 + 1 },
      ],
    });
    // Frame 2 of the dc-interconnect end file is the second frame.
    const ic = tv.find((x) => x.class === 'dc-interconnect')!;
    const f = `${stem(ic.link.endpoints[0].node, ic.link.endpoints[0].ifname)}.pcap`;
    const t = await traceFrame(dir, { frame: `${f}:2` });
    expect(t.anchor).to.include({ file: f, frame: 2 });
    expect(t.hops.map((h) => h.linkId)).to.deep.equal(tv.map((x) => x.link.id));
    expect(t.hops.every((h) => h.ends.every((e) => e.frame === 2))).to.equal(true);
    expect(t.hops.find((h) => h.linkClass === 'dc-interconnect')!.changes.map(changeText)).to.deep.equal([
      '+ pushed Ethernet 02:fb:6a:f9:63:29 > 02:fb:75:16:f8:4b',
      '+ pushed MPLS 1002 [S] ttl 64',
      '+ pushed PW nocw',
    ]);
  });

  it('a flood is a tree: every hop follows its parent and touches it', async () => {
    const { ex } = await lab();
    const tv = ex.traversals({ tenant: 'green', src: { site: 'c1', system: 'h1' }, dst: { flood: 'broadcast' } });
    const dir = await run({
      frames: [{ traversals: tv, inner: payload('green-bcast-7', '10.20.30.10', '10.20.30.255'), t0: T0 }],
    });
    const t = await traceFrame(dir, { contains: 'green-bcast-7' });
    expect(t.hops.map((h) => h.linkId).sort()).to.deep.equal(tv.map((x) => x.link.id).sort());
    for (const h of t.hops.slice(1)) {
      expect(h.parent).to.be.lessThan(h.index);
      const p = t.hops[h.parent! - 1]!;
      expect([p.from.node, p.to.node]).to.include(h.from.node);
    }
    // dc1-sw forks the flood: several hops hang off the tenant-lan hop into it.
    const fork = t.hops.find((h) => h.linkClass === 'tenant-lan' && h.to.node === 'dc1-sw')!;
    expect(t.hops.filter((h) => h.parent === fork.index).length).to.equal(3); // green-k1-sw, dc1-ic, dc1-pe
    expect(formatTrace(t)).to.contain(`(from hop ${fork.index})`);
  });

  it('marks a gap where a link was not captured, and lists marker frames of other flows', async () => {
    const { ex } = await lab();
    const tv = ex.traversals(unicast('red'));
    const skip = tv.filter((x) => x.link.id.startsWith('p1:p1')).map((x) => x.link.id);
    const dir = await run({
      frames: [
        { traversals: tv, inner: payload('red-m'), t0: T0, skip },
        // The reply carries the marker too, but is another client frame.
        {
          traversals: ex.traversals({
            tenant: 'red',
            src: { site: 'k3', system: 'v1' },
            dst: { site: 'c1', system: 'h1' },
          }),
          inner: payload('red-m reply', '10.20.30.52', '10.20.30.10'),
          t0: T0 + 0.5,
        },
      ],
    });
    const t = await traceFrame(dir, { contains: 'red-m' });
    expect(t.hops).to.have.length(tv.length - 1);
    expect(t.hops.filter((h) => h.gap)).to.have.length(1);
    expect(t.others.count).to.equal(2 * tv.length);
    expect(formatTrace(t)).to.contain('an uncaptured link in between');
  });

  it('identical bytes sent again later (another tenant, same addresses) are not part of the path', async () => {
    const { ex } = await lab();
    const red = ex.traversals(unicast('red', 'k1'));
    const green = ex.traversals(unicast('green', 'k1'));
    // The tenants use the same IPs and MACs: both client frames are byte-identical.
    const dir = await run({
      frames: [
        { traversals: red, inner: payload('same'), t0: T0 },
        { traversals: green, inner: payload('same'), t0: T0 + 5 },
      ],
    });
    const t = await traceFrame(dir, { contains: 'same' });
    expect(t.hops.map((h) => h.linkId)).to.deep.equal(red.map((x) => x.link.id));
    const wide = await traceFrame(dir, { contains: 'same', windowS: 10 });
    expect(wide.hops.length).to.equal(red.length + green.length); // joined at dc1-sw: why the window exists
  });

  it('without plan.json, --decode-as gives the pseudowire payload; errors are coded', async () => {
    const { ex } = await lab();
    const dir = await run({
      frames: [{ traversals: ex.traversals(unicast('red')), inner: payload('x1'), t0: T0 }],
      withPlan: false,
    });
    const t = await traceFrame(dir, { contains: 'x1', decodeAs: ['1003=pw-eth-nocw'] });
    expect(t.decodeAs?.labels?.[1003]).to.equal('pw-eth-nocw');
    expect(t.hops).to.have.length(11);
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: { code?: string }) => e.code,
      );
    expect(await code(traceFrame(dir, { contains: 'not-there' }))).to.equal('E_TRACE_NOT_FOUND');
    expect(await code(traceFrame(dir, {}))).to.equal('E_TRACE_ARGS');
    expect(await code(traceFrame(dir, { contains: 'a', frame: 'b:1' }))).to.equal('E_TRACE_ARGS');
    expect(await code(traceFrame(dir, { frame: 'nope.pcap:1' }))).to.equal('E_TRACE_ARGS');
    expect(await code(traceFrame(dir, { frame: 'red-c1-h1--eth1.pcap:99' }))).to.equal('E_TRACE_NOT_FOUND');
    expect(await code(traceFrame('/nonexistent-run', { contains: 'x' }))).to.equal('E_TRACE_RUN');
  });
});

describe('trace: stack diff', () => {
  const f = (...l: Parameters<typeof build>[0]) => dissect(build(l));
  it('pairs a removed and an added header of one kind as a swap; ignores padding', () => {
    const a = f(
      { name: 'eth', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
      { name: 'vlan', tpid: 0x8100, vid: 100 },
      { name: 'arp', op: 1, spa: '10.0.0.1', tpa: '10.0.0.2' },
    );
    const b = f(
      { name: 'eth', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
      { name: 'vlan', tpid: 0x8100, vid: 100 },
      { name: 'arp', op: 1, spa: '10.0.0.1', tpa: '10.0.0.2' },
      { name: 'raw', data: new Uint8Array(18) },
    );
    expect(stackDiff(a, b)).to.deep.equal([]);
    const c = f(
      { name: 'eth', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' },
      { name: 'arp', op: 1, spa: '10.0.0.1', tpa: '10.0.0.2' },
    );
    expect(stackDiff(a, c).map(changeText)).to.deep.equal(['- popped 802.1Q 100']);
    const d = f(
      { name: 'eth', src: '02:00:00:00:00:09', dst: '02:00:00:00:00:02' },
      { name: 'vlan', tpid: 0x8100, vid: 300 },
      { name: 'arp', op: 1, spa: '10.0.0.1', tpa: '10.0.0.2' },
    );
    expect(stackDiff(a, d).map(changeText)).to.deep.equal([
      '~ rewrote Ethernet 02:00:00:00:00:01 > 02:00:00:00:00:02 → 02:00:00:00:00:09 > 02:00:00:00:00:02',
      '~ rewrote 802.1Q 100 → 300',
    ]);
  });
});
