// `fabric up --hosts 2` on the reference lab (root), its virtual hypervisors and QEMU guests
// included: two emulated hosts, each a namespace running its own ovsdb-server and ovs-vswitchd
// with its share of the lab, every hypervisor with its bridge device, its guests' taps and QEMU
// processes (and the partial hypervisor's host-stack port) on the host it is placed on, the
// stitched links as containerlab-style kernel VXLAN between the hosts' addresses, every bridge
// programmed over its OpenFlow TCP listener on its host's management address. `fabric test` runs
// every check of the single-host run, the failover of hv3 to ha3 on the other host and back
// included, and is green; the mutation score is 100 %; `fabric down` leaves no host, daemon,
// guest, tap, folder or namespace behind.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { failoverDir, layoutOf, readFailoverState } from '../../src/failover/index.js';
import { tryRun } from '../../src/hostnet/exec.js';
import { qemuUnder } from '../../src/lifecycle/orphans.js';
import type { CaptureManifest } from '../../src/capture/manifest.js';
import { dissect, type Layer } from '../../src/decode/index.js';
import { openCapture } from '../../src/pcap/index.js';
import { runDir } from '../../src/capture/run-dir.js';
import type { ConformanceReport } from '../../src/report/result.js';
import { readState } from '../../src/runtime/state.js';
import type { LabState } from '../../src/runtime/types.js';
import { runDirPid } from '../../src/vm/index.js';
import { cli, referenceLabCopy } from './lab-copy.js';
import { running } from '../helpers/proc.js';

const LAB = 'spu';
const SINGLE = 'sps';
const { work, labFile, text } = referenceLabCopy(LAB);
const singleFile = join(work, 'single.yml');
writeFileSync(singleFile, text.replace(/^name: spu$/m, `name: ${SINGLE}`));

function evidenceDir(out: string): string {
  const m = /evidence: (\S+)\/ \(/.exec(out);
  if (!m) throw new Error(`no evidence folder in output:\n${out.slice(-2000)}`);
  return m[1]!;
}

function report(out: string): ConformanceReport {
  return JSON.parse(readFileSync(join(evidenceDir(out), 'report.json'), 'utf8')) as ConformanceReport;
}

/** Every frame of a capture file, decoded with VXLAN on the stitched links' port too. */
async function framesOf(path: string): Promise<Layer[][]> {
  const out: Layer[][] = [];
  for await (const fr of await openCapture(path)) out.push(dissect(fr.data, { decodeAs: { vxlanPorts: [14789] } }));
  return out;
}

const inNs = (ns: string, argv: string[]) => tryRun('ip', ['netns', 'exec', ns, ...argv], { timeout: 20_000 });
const nsInode = (path: string): number => statSync(path).ino;

describe('fabric up --hosts 2: the reference lab with its QEMU guests split over two emulated hosts (root)', function () {
  this.timeout(900_000);
  let state: LabState;
  let singleChecks: string[] = [];
  let testOut = '';

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    await cli(['down', LAB]);
    // The single-host run of the same lab: the checks the split run must also pass.
    const up = await cli(['up', singleFile]);
    expect(up.exitCode, up.stdout + up.stderr).to.equal(0);
    const t = await cli(['test', SINGLE]);
    singleChecks = report(t.stdout).checks.map((c) => `${c.suite}: ${c.title}`);
    const d = await cli(['down', SINGLE]);
    expect(d.exitCode, d.stdout).to.equal(0);
    expect(singleChecks.length).to.be.greaterThan(10);

    const r = await cli(['up', labFile, '--hosts', '2']);
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^ {2}vxlan .* 2 stitched links/m);
    expect(r.stdout).to.match(/probe .* answered: traffic-ready/);
    state = readState(LAB)!;
  });

  after(async () => {
    const taps = state ? layoutOf(state.model).vms.map((v) => v.tap) : [];
    const d = await cli(['down', LAB]);
    expect(d.exitCode, d.stdout + d.stderr).to.equal(0);
    expect(qemuUnder(failoverDir(), LAB), 'QEMU guests left').to.deep.equal([]);
    expect(existsSync(join(failoverDir(), LAB)), 'run directories left').to.equal(false);
    expect(readFailoverState(LAB)).to.equal(null);
    for (const t of taps) expect((await tryRun('ip', ['link', 'show', 'dev', t])).exitCode, t).to.not.equal(0);
    const ns = (await tryRun('ip', ['netns', 'list'])).stdout;
    expect(ns, 'namespaces left').to.not.match(new RegExp(`fh-${LAB}-|clab-${LAB}-`));
    for (const h of state?.split?.hosts ?? []) {
      for (const pid of [h.pids!.ovsdbServer, h.pids!.ovsVswitchd])
        expect(running(pid), `OVS daemon ${pid} of ${h.name} still runs`).to.equal(false);
      expect(existsSync(h.dir), `${h.dir} left`).to.equal(false);
    }
    expect(readState(LAB)).to.equal(null);
  });

  it('runs one ovsdb-server and one ovs-vswitchd inside each host namespace, and none of the bridges on this machine', async () => {
    const hosts = state.split!.hosts;
    expect(hosts.map((h) => h.name)).to.deep.equal(['h1', 'h2']);
    for (const h of hosts) {
      const inode = nsInode(`/run/netns/${h.netns}`);
      for (const pid of [h.pids!.ovsdbServer, h.pids!.ovsVswitchd])
        expect(nsInode(`/proc/${pid}/ns/net`), `${h.name} pid ${pid}`).to.equal(inode);
      const br = await tryRun('ovs-vsctl', [`--db=unix:${h.dir}/db.sock`, 'list-br']);
      expect(br.stdout.trim().split('\n').length).to.equal(
        state.split!.switches.filter((s) => s.host === h.name).length,
      );
    }
    const mine = await tryRun('ovs-vsctl', ['list-br']);
    expect(mine.stdout).to.not.contain(`${LAB}-`);
  });

  it("runs every QEMU guest in its hypervisor's host namespace, its tap (a host stack: its port) on the bridge there", async () => {
    const fs = readFailoverState(LAB)!;
    const hosts = new Map(state.split!.hosts.map((h) => [h.name, h]));
    const hostOf = new Map(state.split!.switches.map((s) => [s.node, hosts.get(s.host)!]));
    const layout = layoutOf(readState(LAB)!.model);
    expect(layout.vms.filter((v) => v.kind === 'qemu')).to.have.length(5);
    for (const v of layout.vms) {
      const h = hostOf.get(v.host)!;
      const hv = layout.hypervisors.find((x) => x.name === v.host)!;
      if (v.kind === 'qemu') {
        const spec = fs.guests[v.name]!.spec;
        expect(spec.netns, v.name).to.equal(h.netns);
        const pid = runDirPid(spec.runDir);
        expect(pid, `${v.name} runs`).to.be.a('number');
        expect(nsInode(`/proc/${pid}/ns/net`), `${v.name} pid ${pid}`).to.equal(nsInode(`/run/netns/${h.netns}`));
        const tap = await inNs(h.netns, ['ip', '-d', '-j', 'link', 'show', 'dev', v.tap]);
        expect(tap.exitCode, `${v.tap} in ${h.netns}`).to.equal(0);
        expect(JSON.stringify(JSON.parse(tap.stdout))).to.match(/"info_kind":"tun"/);
      } else expect((await inNs(h.netns, ['ip', 'link', 'show', 'dev', v.tap])).exitCode, v.tap).to.equal(0);
      expect(
        (await tryRun('ip', ['link', 'show', 'dev', v.tap])).exitCode,
        `${v.tap} not in the root namespace`,
      ).to.not.equal(0);
      const br = await tryRun('ovs-vsctl', [`--db=unix:${h.dir}/db.sock`, 'port-to-br', v.tap]);
      expect(br.stdout.trim(), v.tap).to.equal(hv.bridge);
    }
    // The failover pair of `fabric test` sits on different hosts: its move crosses them.
    expect(hostOf.get('hv3')!.name).to.not.equal(hostOf.get('ha3')!.name);
  });

  it('builds each stitched link as a VXLAN device towards the other host (VNI, dst-port 14789, MTU)', async () => {
    for (const s of state.split!.stitched) {
      for (const e of s.ends) {
        const h = state.split!.hosts.find((x) => x.name === e.host)!;
        const r = await inNs(e.nodeNetns ?? h.netns, ['ip', '-d', '-j', 'link', 'show', 'dev', e.ifname]);
        const [link] = JSON.parse(r.stdout) as {
          mtu: number;
          linkinfo: { info_kind: string; info_data: { id: number; remote: string; port: number; learning: boolean } };
        }[];
        expect(link!.linkinfo.info_kind).to.equal('vxlan');
        expect(link!.linkinfo.info_data).to.include({ id: s.vni, remote: e.remote, port: 14789, learning: true });
        expect(link!.mtu).to.equal(s.mtu);
      }
    }
  });

  it('listens for OpenFlow on each host management address only; other addresses refuse, the management network programs', async () => {
    const [h1, h2] = state.split!.hosts;
    const ss = await inNs(h1!.netns, ['ss', '-Hltn']);
    const of = ss.stdout.split('\n').filter((l) => /:66\d\d\s/.test(l));
    expect(of.length).to.equal(state.split!.switches.filter((s) => s.host === 'h1').length);
    for (const l of of) expect(l).to.include(`${h1!.mgmt}:`);
    const sw = state.split!.switches.find((s) => s.host === 'h1')!;
    const port = sw.connect.split(':')[2]!;
    // From the other host, at host 1's underlay address: nothing listens there.
    const under = await inNs(h2!.netns, ['ovs-ofctl', 'dump-flows', `tcp:${h1!.address}:${port}`]);
    expect(under.exitCode).to.not.equal(0);
    expect(under.stderr).to.match(/refused/i);
    // From a namespace outside the management network: no way there at all. (Not from this
    // machine's own namespace: its default route would carry the attempt off the machine.)
    const outside = `${LAB}-outside`;
    await tryRun('ip', ['netns', 'add', outside]);
    try {
      const far = await inNs(outside, ['ovs-ofctl', 'dump-flows', sw.connect]);
      expect(far.exitCode).to.not.equal(0);
      expect(far.stderr).to.match(/unreachable/i);
    } finally {
      await tryRun('ip', ['netns', 'del', outside]);
    }
    // From the management namespace, the programmed flows.
    const ok = await inNs(state.split!.mgmt, ['ovs-ofctl', '-O', 'OpenFlow15', 'dump-flows', sw.connect]);
    expect(ok.exitCode, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(/actions=/);
  });

  it('fabric test is green with every check of the single-host run', async () => {
    const r = await cli(['test', LAB]);
    testOut = r.stdout;
    const rep = report(r.stdout);
    expect(r.exitCode, r.stdout.slice(-3000)).to.equal(0);
    expect(rep.checks.map((c) => `${c.suite}: ${c.title}`)).to.deep.equal(singleChecks);
    expect(rep.summary.failed).to.equal(0);
    // tag-stack held every stitched hop to its outer VXLAN.
    const ts = rep.checks.find((c) => c.id === 'tag-stack/canaries-match-plan')!;
    expect(ts.state).to.equal('passed');
    expect(ts.stats?.stitchedHops, JSON.stringify(ts.stats)).to.be.greaterThan(0);
    const hops = rep.hops.flatMap((h) => h.hops);
    const stitchedHops = hops.filter((h) => state.split!.stitched.some((s) => s.id === h.link));
    expect(stitchedHops.length).to.be.greaterThan(0);
    for (const h of stitchedHops) {
      expect(h.ok, h.link).to.equal(true);
      expect(h.observed?.slice(0, 4).map((l) => l.name)).to.deep.equal(['eth', 'ipv4', 'udp', 'vxlan']);
    }
  });

  it("captures each stitched link end in its tunnel on its host's underlay, and no other link's frames carry it", async () => {
    const dir = evidenceDir(testOut);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as CaptureManifest;
    expect(manifest.decodeAs).to.include('udp.port==14789,vxlan');
    const split = state.split!;
    let stitchedFiles = 0;
    let tunnelled = 0;
    for (const f of manifest.files) {
      const s = split.stitched.find((x) => x.id === f.linkId);
      const frames = await framesOf(join(dir, f.file));
      if (s) {
        stitchedFiles++;
        const end = s.ends.find((e) => e.node === f.node)!;
        const host = split.hosts.find((h) => h.name === end.host)!;
        expect(f.via, f.file).to.deep.equal({ netns: host.netns, ifname: 'ul', vxlan: { vni: s.vni, dstPort: 14789 } });
        // A standby HA hypervisor's uplink carries nothing until its failover (on one machine too).
        if (f.linkClass === 'long-haul') expect(frames.length, f.file).to.be.greaterThan(0);
        tunnelled += frames.length;
        const addrs = split.hosts.map((h) => h.address);
        for (const ls of frames) {
          expect(
            ls.slice(0, 4).map((l) => l.name),
            f.file,
          ).to.deep.equal(['eth', 'ipv4', 'udp', 'vxlan']);
          const [, ip, udp, vx] = ls as [
            Layer,
            Extract<Layer, { name: 'ipv4' }>,
            Extract<Layer, { name: 'udp' }>,
            Extract<Layer, { name: 'vxlan' }>,
          ];
          expect(udp.dport).to.equal(14789);
          expect(vx.vni, f.file).to.equal(s.vni);
          expect([ip.src, ip.dst].sort(), f.file).to.deep.equal([...addrs].sort());
        }
        // Both directions of the link cross the end's host underlay (the long haul carries
        // requests and replies; a standby hypervisor's uplink may carry floods towards it only).
        const srcs = new Set(frames.map((ls) => (ls[1] as Extract<Layer, { name: 'ipv4' }>).src));
        if (f.linkClass === 'long-haul') expect(srcs.size, `${f.file}: directions`).to.equal(2);
      } else {
        expect(f.via, f.file).to.equal(undefined);
        for (const ls of frames)
          expect(
            ls.some((l) => l.name === 'udp' && l.dport === 14789),
            `${f.file}: a stitched tunnel's frame on ${f.linkId}`,
          ).to.equal(false);
      }
    }
    expect(stitchedFiles).to.equal(2 * split.stitched.length);
    expect(tunnelled).to.be.greaterThan(0);
  });

  it('carries cross-DC traffic as outer VXLAN with the stitched VNI on the underlay', async () => {
    // The long haul towards dc3's PE crosses the hosts: red's client in dc1 pings red's k3 in dc3.
    const s = state.split!.stitched.find((x) => x.ends.some((e) => e.node === 'dc3-pe'))!;
    const h = state.split!.hosts.find((x) => x.name === s.ends[0].host)!;
    // Only frames of that link's VNI (VXLAN header: bytes 4-6 of the UDP payload).
    const vni = ['and', `udp[12:4]&0xffffff00=${s.vni * 256}`];
    const cap = execa(
      'ip',
      [
        'netns',
        'exec',
        h.netns,
        'tcpdump',
        '-nn',
        '-l',
        '-c',
        '1',
        '-T',
        'vxlan',
        '-i',
        'ul',
        'udp',
        'port',
        '14789',
        ...vni,
      ],
      { reject: false, timeout: 15_000 },
    );
    let done = false;
    void cap.finally(() => (done = true));
    for (let i = 0; i < 20 && !done; i++)
      await inNs(`clab-${LAB}-red-c1-h1`, ['ping', '-c', '1', '-W', '1', '10.20.30.52']);
    const r = await cap;
    expect(r.stdout).to.match(new RegExp(`VXLAN, flags \\[I\\] \\(0x08\\), vni ${s.vni}\\b`));
  });

  it('fabric capture of a stitched link shows, through fabric inspect, the outer VXLAN and the inner stack', async () => {
    // The long haul towards dc3's PE crosses the hosts: red's client in dc1 pings red's k3 in dc3.
    const s = state.split!.stitched.find((x) => x.ends.some((e) => e.node === 'dc3-pe'))!;
    const id = s.id;
    const end = s.ends.find((e) => e.node === 'dc3-pe')!;
    // Detached: it returns once every capturer listens; the pings cross the link after that.
    const start = await cli(['capture', LAB, 'start', '--link', id, '--detach']);
    expect(start.exitCode, start.stdout + start.stderr).to.equal(0);
    const runId = /--run (\S+)/.exec(start.stdout)?.[1];
    expect(runId, start.stdout).to.be.a('string');
    const ping = await inNs(`clab-${LAB}-red-c1-h1`, ['ping', '-c', '3', '-i', '0.2', '-W', '2', '10.20.30.52']);
    const stop = await cli(['capture', LAB, 'stop', '--run', runId!]);
    expect(stop.exitCode, stop.stdout + stop.stderr).to.equal(0);
    expect(ping.exitCode, ping.stdout).to.equal(0);
    const dir = runDir(LAB, runId!);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as CaptureManifest;
    const mine = m.files.find((f) => f.node === end.node)!;
    expect(mine.via?.vxlan).to.deep.equal({ vni: s.vni, dstPort: 14789 });
    const file = join(dir, mine.file);
    const ins = await cli(['inspect', file]);
    expect(ins.exitCode, ins.stderr).to.equal(0);
    const lines = ins.stdout.split('\n').filter((l) => /ICMP/.test(l));
    expect(lines.length, ins.stdout.slice(0, 2000)).to.be.greaterThan(0);
    for (const l of lines) {
      expect(l).to.match(/IPv4 192\.0\.2\.[12] > 192\.0\.2\.[12] UDP \d+ > 14789/);
      expect(l).to.include(`VXLAN ${s.vni}`);
      expect(l).to.match(/MPLS \d+.*802\.1ad \d+ \| 802\.1Q \d+/);
    }
  });

  it('fabric test --mutate scores 100 %', async () => {
    const r = await cli(['test', LAB, '--mutate']);
    expect(r.stdout, r.stdout.slice(-3000)).to.match(/mutation score: (\d+)\/\1 \(100%\)/);
    expect(r.exitCode, r.stdout.slice(-3000)).to.equal(0);
  });
});
