import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, dissect, inetChecksum } from '../../../src/decode/index.js';
import { encodePcap } from '../../../src/pcap/index.js';
import { loadLab } from '../../../src/topology/index.js';
import {
  analyseEchoCapture,
  analyseEchoTrain,
  buildEchoTrain,
  echoTrainSize,
  ECHO_PAYLOAD,
  type EchoFlow,
} from '../../../src/failover/echo-train.js';
import { selectTargets } from '../../../src/capture/index.js';
import { foreignFrames, patternOf, pointStatus } from '../../../src/failover/probe.js';
import { capturePoints, flowsFor } from '../../../src/failover/with-probe.js';

const FLOW: EchoFlow = {
  tenant: 'green',
  from: 'green-c1-h1',
  netns: 'clab-x-green-c1-h1',
  ifname: 'eth1',
  srcIp: '10.20.30.10',
  srcMac: '02:00:00:00:00:10',
  to: 'green-k1-v1',
  ip: '10.20.30.50',
  dstMac: '02:00:00:00:00:50',
  pattern: patternOf('green'),
  id: 0xfa01,
};

/** The target's reply to a request frame, as its kernel would build it (payload echoed). */
function replyTo(req: Uint8Array, pattern = FLOW.pattern): Uint8Array {
  const ls = dissect(req, { keepPayload: true });
  const ic = ls[2]!;
  if (ic.name !== 'icmp') throw new Error('not icmp');
  const payload = new Uint8Array(ECHO_PAYLOAD);
  payload.set(Buffer.from(pattern, 'hex'));
  return build(
    [
      { name: 'eth', src: FLOW.dstMac, dst: FLOW.srcMac! },
      { name: 'ipv4', src: FLOW.ip, dst: FLOW.srcIp },
      { name: 'icmp', type: 0, id: ic.id, seq: ic.seq },
      { name: 'raw', data: payload },
    ],
    { minSize: 60 },
  );
}

describe('failover echo train', () => {
  it('sizes a train within the bounds: 1..5000 pps, 1..60 s, at most 65535 frames', () => {
    expect(echoTrainSize(1000, 5)).to.equal(5000);
    expect(echoTrainSize(5000, 13)).to.equal(65000);
    for (const [pps, s] of [
      [0, 5],
      [5001, 5],
      [1000, 0],
      [1000, 61],
      [2000, 40],
      [999.5, 5],
      [Number.NaN, 5],
    ] as const) {
      expect(() => echoTrainSize(pps, s), `${pps} pps ${s} s`)
        .to.throw(/probe bounds|at most 65535/)
        .with.property('code', 'E_FAILOVER_PROBE');
    }
  });

  it('builds seq 1..N echo requests: our MACs/IPs, the flow id, the tenant pattern, valid checksums, same bytes as build()', () => {
    const fr = buildEchoTrain(FLOW, 300);
    expect(fr).to.have.length(300);
    for (const s of [1, 2, 255, 256, 300]) {
      const f = fr[s - 1]!;
      const ls = dissect(f, { keepPayload: true });
      expect(ls.map((l) => l.name)).to.deep.equal(['eth', 'ipv4', 'icmp', 'raw']);
      expect(ls[0]).to.include({ src: FLOW.srcMac, dst: FLOW.dstMac, type: 0x0800 });
      expect(ls[1]).to.include({ src: FLOW.srcIp, dst: FLOW.ip, proto: 1 });
      expect(ls[2]).to.include({ type: 8, code: 0, id: 0xfa01, seq: s });
      const raw = ls[3]!;
      expect(raw.name === 'raw' && Buffer.from(raw.data!).subarray(0, 8).toString('hex')).to.equal(FLOW.pattern);
      expect(inetChecksum(f, 34, 34 + 8 + ECHO_PAYLOAD), `icmp checksum of seq ${s}`).to.equal(0);
      expect(inetChecksum(f, 14, 34)).to.equal(0);
      const direct = build(
        [
          { name: 'eth', src: FLOW.srcMac!, dst: FLOW.dstMac },
          { name: 'ipv4', src: FLOW.srcIp, dst: FLOW.ip, ttl: 64 },
          { name: 'icmp', type: 8, code: 0, id: FLOW.id, seq: s },
          { name: 'raw', data: Buffer.concat([Buffer.from(FLOW.pattern, 'hex'), Buffer.alloc(ECHO_PAYLOAD - 8)]) },
        ],
        { minSize: 60 },
      );
      expect(Buffer.from(f).equals(Buffer.from(direct)), `seq ${s} equals build()`).to.equal(true);
    }
  });

  it('refuses a flow it cannot send: unresolved client MAC, bad MAC, bad namespace, oversized train', () => {
    expect(() => buildEchoTrain({ ...FLOW, srcMac: null }, 10)).to.throw(/MAC is not resolved/);
    expect(() => buildEchoTrain({ ...FLOW, dstMac: '02:00:00:00:00:5$' }, 10)).to.throw();
    expect(() => buildEchoTrain({ ...FLOW, netns: 'a;reboot' }, 10)).to.throw();
    expect(() => buildEchoTrain(FLOW, 65536)).to.throw(/1\.\.65535/);
  });

  it('loss from a capture: one outage, reordering, a duplicate, foreign and other-id frames ignored', () => {
    const N = 100;
    const reqs = buildEchoTrain(FLOW, N);
    const t0 = 1_700_000_000;
    const frames: { ts: number; data: Uint8Array }[] = [];
    const replyAt = new Map<number, number>();
    for (let s = 1; s <= N; s++) {
      frames.push({ ts: t0 + (s - 1) / 1000, data: reqs[s - 1]! });
      // seq 40..69 never answered: a 30-frame outage.
      if (s >= 40 && s <= 69) continue;
      replyAt.set(s, frames.length);
      frames.push({ ts: t0 + (s - 1) / 1000 + 0.0002, data: replyTo(reqs[s - 1]!) });
    }
    // The replies to 10 and 11 arrive the other way round; seq 5 is answered twice.
    const a = frames[replyAt.get(10)!]!;
    const b = frames[replyAt.get(11)!]!;
    [a.data, b.data] = [b.data, a.data];
    frames.push({ ts: t0 + 0.2, data: replyTo(reqs[4]!) });
    // Another tenant's frame with our id and a lost seq must not count as an answer.
    frames.push({ ts: t0 + 0.05, data: replyTo(reqs[49]!, patternOf('red')) });
    // A reply with another ICMP id (someone else's ping) neither.
    frames.push({ ts: t0 + 0.05, data: replyTo(buildEchoTrain({ ...FLOW, id: 0x1234 }, 60)[59]!) });
    const l = analyseEchoTrain(FLOW, N, frames);
    expect(l).to.include({
      tenant: 'green',
      from: 'green-c1-h1',
      to: 'green-k1-v1',
      ip: '10.20.30.50',
      sent: 100,
      received: 70,
      lost: 30,
      firstLost: 40,
      lastLost: 69,
      duplicates: 1,
      unseen: 0,
    });
    expect(l.longestRun).to.deep.equal({ first: 40, last: 69, frames: 30 });
    expect(l.pps).to.equal(1000);
    // Last reply before the outage: seq 39 at 38.2 ms; next one: seq 70 at 69.2 ms.
    expect(l.maxGapMs).to.be.closeTo(31, 0.01);
    expect(l.maxGapStart).to.be.closeTo(t0 * 1000 + 38.2, 0.01);
  });

  it('a request the capture missed: answered counts as sent, unanswered and unseen is not called lost', () => {
    const reqs = buildEchoTrain(FLOW, 10);
    const frames = reqs.flatMap((r, i) => {
      const s = i + 1;
      const out: { ts: number; data: Uint8Array }[] = [];
      if (s !== 3 && s !== 6) out.push({ ts: 1 + i / 1000, data: r });
      if (s !== 6 && s !== 8) out.push({ ts: 1 + i / 1000 + 0.0001, data: replyTo(r) });
      return out;
    });
    const l = analyseEchoTrain(FLOW, 10, frames);
    expect(l).to.include({ sent: 9, received: 8, lost: 1, firstLost: 8, lastLost: 8, unseen: 1 });
  });

  it('an outage at the end of the train shows as a gap up to the last request', () => {
    const reqs = buildEchoTrain(FLOW, 20);
    const frames = reqs.flatMap((r, i) => [
      { ts: 1 + i / 100, data: r },
      ...(i < 10 ? [{ ts: 1 + i / 100 + 0.001, data: replyTo(r) }] : []),
    ]);
    const l = analyseEchoTrain(FLOW, 20, frames);
    expect(l).to.include({ lost: 10, firstLost: 11, lastLost: 20 });
    expect(l.maxGapMs).to.be.closeTo(99, 0.01);
    expect(l.pps).to.equal(100);
  });

  it('an empty capture: nothing sent, nothing lost, no gap', () => {
    const l = analyseEchoTrain(FLOW, 5000, []);
    expect(l).to.include({
      sent: 0,
      received: 0,
      lost: 0,
      firstLost: null,
      lastLost: null,
      pps: 0,
      maxGapMs: 0,
      maxGapStart: 0,
      duplicates: 0,
      unseen: 0,
    });
    expect(l.longestRun).to.equal(null);
  });

  it("reads a pcap file (VLAN-tagged replies too) and counts the train's frames as foreign on another tenant's port", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'echo-train-'));
    try {
      const reqs = buildEchoTrain(FLOW, 4);
      const tagged = (f: Uint8Array) =>
        Buffer.concat([f.subarray(0, 12), Buffer.from([0x81, 0x00, 0x00, 0x64]), f.subarray(12)]);
      const file = join(dir, 'c.pcap');
      writeFileSync(
        file,
        encodePcap(
          reqs.flatMap((r, i) => [
            { data: r, ts: 10 + i / 1000 },
            { data: i === 2 ? new Uint8Array(0) : tagged(replyTo(r)), ts: 10 + i / 1000 + 0.0001 },
          ]),
        ),
      );
      const l = await analyseEchoCapture(FLOW, 4, file);
      expect(l).to.include({ sent: 4, received: 3, lost: 1, firstLost: 3, pps: 1000 });
      expect(l.probeError).to.equal(undefined);
      const patterns = { red: patternOf('red'), green: patternOf('green') };
      expect(await foreignFrames(file, 'red', patterns)).to.equal(7);
      expect(await foreignFrames(file, 'green', patterns)).to.equal(0);
      expect(await foreignFrames(join(dir, 'none.pcap'), 'green', patterns)).to.equal(0);
      const missing = await analyseEchoCapture(FLOW, 4, join(dir, 'none.pcap'));
      expect(missing.probeError).to.match(/unreadable/);
      expect(missing.sent).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('flows of the failover lab: one per tenant from the far client to the site address, distinct ids, target MACs', async () => {
    const model = await loadLab('labs/failover/fabric.yml');
    const fl = flowsFor(model, 'red/vm');
    expect(fl.map((f) => [f.tenant, f.from, f.to, f.ip, f.srcIp, f.dstMac])).to.deep.equal([
      ['green', 'green-c1-h1', 'green-k1-v1', '10.20.30.50', '10.20.30.10', '02:00:00:00:00:50'],
      ['red', 'red-c1-h1', 'red/vm (customer VM)', '10.20.30.50', '10.20.30.10', '02:00:00:00:00:50'],
    ]);
    expect(new Set(fl.map((f) => f.id)).size).to.equal(2);
    expect(fl.map((f) => f.pattern)).to.deep.equal([patternOf('green'), patternOf('red')]);
    expect(fl.every((f) => f.ifname.length > 0 && f.netns.startsWith(`clab-${model.name}-`))).to.equal(true);
  });

  it("two hosted sites at one address: each tenant's flow names its own customer VM", async () => {
    const model = await loadLab('tests/golden/topology/ok/failover-mirrors/fabric.yml');
    expect(flowsFor(model, 'green/k1').map((f) => [f.tenant, f.to])).to.deep.equal([
      ['green', 'green/k1 (customer VM)'],
      ['red', 'red/vm (customer VM)'],
    ]);
  });

  it('capture points of the failover lab are exactly the link ends a capture run over the narrowed status selects', async () => {
    const model = await loadLab('labs/failover/fabric.yml');
    const pts = capturePoints(model);
    expect(pts.filter((p) => p.netns === null).length).to.be.greaterThan(0);
    expect(pts.filter((p) => p.carries?.kind === 'client').length).to.be.greaterThan(0);
    const { targets, skipped } = selectTargets(pointStatus(model, 'netns', pts));
    const key = (x: { node: string; ifname: string }) => `${x.node}:${x.ifname}`;
    expect(targets.map(key).sort()).to.deep.equal(pts.map(key).sort());
    for (const p of pts) {
      const t = targets.find((x) => key(x) === key(p))!;
      // Endpoints are captured inside their namespace, hypervisor taps on the root interface.
      expect([t.netns, t.hostIf]).to.deep.equal(p.netns === null ? [null, p.ifname] : [p.netns, null]);
    }
    // The far ends of those links are not captured.
    expect(skipped.map(key)).to.not.include.members(pts.map(key));
    expect(skipped.length).to.equal(pts.length);
  });
});
