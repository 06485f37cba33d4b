// Capture + traffic against a tiny fixture of our own (root): two namespaces, each with a veth whose
// host end is a port of one OVS netdev bridge (NORMAL). No dependency on the lab runtime.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { openCapture } from '../../src/pcap/index.js';
import {
  startCapture,
  stopRun,
  listRuns,
  type CaptureManifest,
  type CaptureSession,
  type CaptureStatusDoc,
} from '../../src/capture/index.js';
import {
  arping,
  buildCanarySet,
  findCanary,
  injectFrames,
  ping,
  sendUdp,
  startUdpReceiver,
  udpLoss,
  TENANT_MARKERS,
} from '../../src/traffic/index.js';

const id = randomBytes(2).toString('hex');
const BR = `cpt${id}`;
const NS_A = `cpt${id}-a`;
const NS_B = `cpt${id}-b`;
const HA = `cpt${id}ha`;
const HB = `cpt${id}hb`;
const IP_A = '10.20.30.1';
const IP_B = '10.20.30.2';
const CANARY_SRC = '10.20.30.201';

async function sh(file: string, args: string[]): Promise<string> {
  const r = await execa(file, args);
  return String(r.stdout);
}
async function macOf(ns: string, dev: string): Promise<string> {
  const j = JSON.parse(await sh('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev])) as { address: string }[];
  return j[0]!.address;
}

async function framesOf(file: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const f of await openCapture(file)) out.push(f.data);
  return out;
}
function canariesIn(frames: Uint8Array[]): Set<string> {
  const s = new Set<string>();
  for (const f of frames) {
    const c = findCanary(f);
    if (c) s.add(`${c.marker}/${c.cls}`);
  }
  return s;
}
const hasText = (frames: Uint8Array[], text: string) => frames.some((f) => Buffer.from(f).includes(text));

describe('capture + traffic on a real OVS netdev bridge (root)', function () {
  this.timeout(120_000);
  let root: string;
  let status: CaptureStatusDoc;
  let macB: string;
  const sessions: CaptureSession[] = [];

  before(async function () {
    if (process.getuid?.() !== 0) throw new Error('needs root');
    root = await mkdtemp(join(tmpdir(), 'fabric-capture-it-'));
    await sh('ovs-vsctl', ['add-br', BR, '--', 'set', 'bridge', BR, 'datapath_type=netdev']);
    for (const [ns, host, ip] of [
      [NS_A, HA, IP_A],
      [NS_B, HB, IP_B],
    ] as const) {
      await sh('ip', ['netns', 'add', ns]);
      await sh('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      // IPv6 off on both ends, so no RS/MLD noise lands in the captures.
      await sh('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
      await sh('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
      await sh('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.eth0.disable_ipv6=1']);
      if (existsSync(`/proc/sys/net/ipv6/conf/${host}/disable_ipv6`))
        writeFileSync(`/proc/sys/net/ipv6/conf/${host}/disable_ipv6`, '1');
      await sh('ethtool', ['-K', host, 'tx', 'off']);
      await sh('ip', ['netns', 'exec', ns, 'ethtool', '-K', 'eth0', 'tx', 'off']);
      await sh('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
      await sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      await sh('ip', ['link', 'set', host, 'up']);
      await sh('ovs-vsctl', ['add-port', BR, host]);
    }
    await sh('ovs-ofctl', ['del-flows', BR]);
    await sh('ovs-ofctl', ['add-flow', BR, 'priority=0,actions=NORMAL']);
    macB = await macOf(NS_B, 'eth0');
    status = {
      schemaVersion: 1,
      lab: `cpt${id}`,
      runtime: 'fixture',
      links: [
        {
          id: 'a-sw',
          class: 'client-access',
          endpoints: [
            { node: 'a', ifname: 'eth0', netns: NS_A, hostIf: null },
            { node: 'sw', ifname: HA, netns: null, hostIf: HA },
          ],
        },
        {
          id: 'b-sw',
          class: 'client-access',
          endpoints: [
            { node: 'b', ifname: 'eth0', netns: NS_B, hostIf: null },
            { node: 'sw', ifname: HB, netns: null, hostIf: HB },
          ],
        },
      ],
    };
    // Let the bridge pick up its ports before traffic.
    const r = await ping({ netns: NS_A, target: IP_B, count: 3, intervalS: 0.2, deadlineS: 10 });
    if (r.received === 0) throw new Error(`fixture: a cannot ping b:\n${r.stdout}`);
  });

  after(async function () {
    for (const s of sessions) await s.stop({ graceMs: 2000 }).catch(() => undefined);
    await execa('ovs-vsctl', ['--if-exists', 'del-br', BR], { reject: false });
    for (const ns of [NS_A, NS_B]) await execa('ip', ['netns', 'del', ns], { reject: false });
    for (const host of [HA, HB]) await execa('ip', ['link', 'del', host], { reject: false });
    if (root && !process.env.FABRIC_KEEP_CAPTURES) await rm(root, { recursive: true, force: true });
  });

  let manifest: CaptureManifest;
  let session: CaptureSession;
  let loss: ReturnType<typeof udpLoss>;

  it('captures every end while canaries and a UDP probe run, and writes a manifest', async function () {
    session = await startCapture(status, { root, planHash: 'sha256:fixture' });
    sessions.push(session);
    expect(session.capturers).to.have.length(4);
    expect(session.capturers.every((c) => c.listeningAt !== null)).to.equal(true);

    const frames = TENANT_MARKERS.flatMap((marker, i) =>
      // An unused source address: an ARP canary must not poison b's neighbour entry for a.
      buildCanarySet({
        marker,
        srcMac: '02:00:00:00:0a:0' + i,
        srcIp: CANARY_SRC,
        dstIp: IP_B,
        dstMac: macB,
        tag: session.runId,
      }).map((c) => c.frame),
    );
    const inj = await injectFrames({ netns: NS_A, ifname: 'eth0', frames, pps: 2000 });
    expect(inj.sent).to.equal(frames.length);

    const rx = await startUdpReceiver({
      netns: NS_B,
      bind: IP_B,
      port: 5005,
      marker: 'Happy',
      expect: 200,
      timeoutMs: 20_000,
    });
    const tx = await sendUdp({ netns: NS_A, dst: IP_B, port: 5005, marker: 'Happy', count: 200, pps: 1000 });
    expect(tx.sent).to.equal(200);
    const report = await rx.result;
    loss = udpLoss(report, 200);
    expect(report.foreign).to.equal(0);
    expect(loss.lost, JSON.stringify(loss.missing)).to.equal(0);

    const ap = await arping({ netns: NS_A, ifname: 'eth0', target: IP_B, count: 2 });
    expect(ap.received, ap.stdout).to.be.greaterThan(0);
    expect(ap.responders).to.include(macB.toLowerCase());

    manifest = await session.stop();
    const onDisk = JSON.parse(await readFile(join(session.runDir, 'manifest.json'), 'utf8')) as CaptureManifest;
    expect(onDisk.runId).to.equal(session.runId);
    expect(onDisk.planHash).to.equal('sha256:fixture');
    expect(manifest.files.map((f) => f.file).sort()).to.deep.equal(
      [`a--eth0.pcap`, `b--eth0.pcap`, `sw--${HA}.pcap`, `sw--${HB}.pcap`].sort(),
    );
  });

  it('records tcpdump statistics and drop counts, and its own counts agree', function () {
    for (const f of manifest.files) {
      expect(f.tcpdump, f.file).to.not.equal(null);
      expect(f.stopHow, f.file).to.equal('sigint');
      expect(f.dropped, f.file).to.be.a('number');
      expect(f.packets, f.file).to.equal(f.tcpdump!.captured);
      expect(f.packets, f.file).to.be.greaterThan(200); // 200 UDP datagrams cross every end
      expect(f.direction).to.equal('both');
    }
    expect(manifest.totals.dropped).to.equal(manifest.files.reduce((s, f) => s + (f.dropped ?? 0), 0));
    const a = manifest.files.find((f) => f.node === 'a')!;
    expect(a.peer).to.include({ node: 'sw', ifname: HA, file: `sw--${HA}.pcap` });
    expect(a.linkId).to.equal('a-sw');
  });

  it('finds every canary in the right files, and both link ends agree (no one-direction flag)', async function () {
    const want = TENANT_MARKERS.flatMap((m) =>
      ['broadcast', 'arp', 'unknown-unicast', 'multicast', 'unicast'].map((c) => `${m}/${c}`),
    );
    for (const f of manifest.files) {
      const frames = await framesOf(join(session.runDir, f.file));
      const got = canariesIn(frames);
      // a sent them, the bridge floods broadcast/ARP/unknown/multicast and delivers unicast to b's MAC:
      // every canary is on both links.
      expect([...got].sort(), f.file).to.deep.equal([...want].sort());
      expect(hasText(frames, 'FABRIC-UDP|Happy|199|'), f.file).to.equal(true);
    }
    // Both ends of each link hold the same frames. The OVS daemon is shared with other work, so a
    // loaded machine may make tcpdump drop: that is accepted only as 'capture-loss' backed by the
    // drop count tcpdump itself reported, never as 'one-direction'.
    for (const l of manifest.links) {
      const verdicts = l.ends.map((e) => e.verdict);
      expect(
        verdicts.every((v) => v === 'ok' || v === 'capture-loss'),
        `${l.linkId}: ${l.reason}`,
      ).to.equal(true);
      expect(l.matched).to.be.greaterThan(200);
    }
    expect(
      manifest.files.filter((f) => f.flags.includes('one-direction') || f.flags.includes('no-frames')),
    ).to.deep.equal([]);
  });

  it('writes a merged pcapng holding every frame with interface names', async function () {
    expect(manifest.merged).to.equal('merged.pcapng');
    const cap = await openCapture(join(session.runDir, 'merged.pcapng'));
    let n = 0;
    const names = new Set<string>();
    for await (const f of cap) {
      n++;
      if (f.ifName) names.add(f.ifName);
    }
    expect(n).to.equal(manifest.totals.packets);
    expect([...names].sort()).to.deep.equal(['a:eth0', 'b:eth0', `sw:${HA}`, `sw:${HB}`].sort());
  });

  it('flags links whose captures saw only one direction (-Q in)', async function () {
    const s = await startCapture(status, {
      root,
      selection: { links: ['a-sw'] },
      tcpdump: { direction: 'in' },
      merge: false,
    });
    sessions.push(s);
    const r = await ping({ netns: NS_A, target: IP_B, count: 5, intervalS: 0.05, deadlineS: 10 });
    expect(r.received, r.stdout).to.be.at.least(5); // with -w, ping sends until 5 replies came
    const m = await s.stop();
    expect(m.files.every((f) => f.direction === 'in' && f.directionFilter === 'in')).to.equal(true);
    const link = m.links.find((l) => l.linkId === 'a-sw')!;
    expect(link.verdict, link.reason).to.equal('flagged');
    // Each end holds only what it received, so each lacks what the other received.
    expect(
      link.ends.every((e) => e.verdict === 'one-direction' || e.verdict === 'no-frames'),
      link.reason,
    ).to.equal(true);
    expect(m.files.every((f) => f.flags.includes('one-direction') || f.flags.includes('no-frames'))).to.equal(true);
  });

  it('stops a detached run from its state file (as `fabric capture stop` does)', async function () {
    const s = await startCapture(status, { root, selection: { nodes: ['b'] }, detached: true, merge: false });
    const pids = s.capturers.map((c) => c.pid);
    await ping({ netns: NS_B, target: IP_A, count: 2, intervalS: 0.05, deadlineS: 10 });
    const runs = await listRuns(status.lab, root);
    expect(runs.find((r) => r.runId === s.runId)?.running).to.equal(1);
    const m = await stopRun(s.runDir);
    expect(m.files).to.have.length(1);
    expect(m.files[0]!.tcpdump).to.not.equal(null);
    expect(m.files[0]!.packets).to.be.greaterThan(0);
    expect(m.links[0]!.verdict).to.equal('unchecked');
    for (const pid of pids)
      expect(
        existsSync(`/proc/${pid}/cmdline`) && (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('tcpdump'),
      ).to.equal(false);
  });

  it('fails clearly when a capturer cannot listen, naming it, and leaves nothing running', async function () {
    const bad: CaptureStatusDoc = {
      ...status,
      links: [
        {
          id: 'bad',
          class: 'client-access',
          endpoints: [
            { node: 'a', ifname: 'nosuch0', netns: NS_A, hostIf: null },
            { node: 'sw', ifname: HA, netns: null, hostIf: HA },
          ],
        },
      ],
    };
    let err: unknown;
    try {
      await startCapture(bad, { root, listenTimeoutMs: 10_000, merge: false });
    } catch (e) {
      err = e;
    }
    expect(err).to.have.property('code', 'E_CAPTURE_NOT_LISTENING');
    expect(String((err as Error).message)).to.match(/1 capturer\(s\) exited before listening/);
    expect(String((err as Error).message)).to.match(/a--nosuch0 \(ip netns exec .*\): exited: .*nosuch0/);
    expect(String((err as Error).message)).to.not.match(new RegExp(`sw--${HA} \\(`));
    const runs = await listRuns(status.lab, root);
    const failed = runs.filter((r) => r.phase === 'failed');
    expect(failed).to.have.length(1);
    expect(failed[0]!.running).to.equal(0);
  });
});
