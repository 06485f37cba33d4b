// `fabric up --hosts 2` on the reference lab's network (root): two emulated hosts, each a
// namespace running its own ovsdb-server and ovs-vswitchd with its share of the lab, the stitched
// links as containerlab-style kernel VXLAN between the hosts' addresses, every bridge programmed
// over its OpenFlow TCP listener on its host's management address. `fabric test` runs every check
// of the single-host run and is green, the mutation score is 100 %, and `fabric down` leaves no
// host, daemon, folder or namespace behind.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { tryRun } from '../../src/hostnet/exec.js';
import type { ConformanceReport } from '../../src/report/result.js';
import { readState } from '../../src/runtime/state.js';
import type { LabState } from '../../src/runtime/types.js';
import { cli, networkLabCopy } from './lab-copy.js';

const LAB = 'spu';
const SINGLE = 'sps';
const { work, labFile, text } = networkLabCopy(LAB);
const singleFile = join(work, 'single.yml');
writeFileSync(singleFile, text.replace(/^name: spu$/m, `name: ${SINGLE}`));

function report(out: string): ConformanceReport {
  const m = /evidence: (\S+)\/ \(/.exec(out);
  if (!m) throw new Error(`no evidence folder in output:\n${out.slice(-2000)}`);
  return JSON.parse(readFileSync(join(m[1]!, 'report.json'), 'utf8')) as ConformanceReport;
}

const inNs = (ns: string, argv: string[]) => tryRun('ip', ['netns', 'exec', ns, ...argv], { timeout: 20_000 });
const nsInode = (path: string): number => statSync(path).ino;
/** A process that has exited may stay a zombie until its parent reaps it: that is not running. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

describe('fabric up --hosts 2: the reference lab network split over two emulated hosts (root)', function () {
  this.timeout(900_000);
  let state: LabState;
  let singleChecks: string[] = [];

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
    const d = await cli(['down', LAB]);
    expect(d.exitCode, d.stdout + d.stderr).to.equal(0);
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
    const rep = report(r.stdout);
    expect(r.exitCode, r.stdout.slice(-3000)).to.equal(0);
    expect(rep.checks.map((c) => `${c.suite}: ${c.title}`)).to.deep.equal(singleChecks);
    expect(rep.summary.failed).to.equal(0);
  });

  it('carries cross-DC traffic as outer VXLAN with the stitched VNI on the underlay', async () => {
    const s = state.split!.stitched.find((x) => x.id === 'dc1-ic:p2--dc2-ic:p2')!;
    const h = state.split!.hosts.find((x) => x.name === s.ends[0].host)!;
    const cap = execa(
      'ip',
      ['netns', 'exec', h.netns, 'tcpdump', '-nn', '-l', '-c', '1', '-T', 'vxlan', '-i', 'ul', 'udp', 'port', '14789'],
      { reject: false, timeout: 15_000 },
    );
    let done = false;
    void cap.finally(() => (done = true));
    for (let i = 0; i < 20 && !done; i++)
      await inNs(`clab-${LAB}-red-c1-h1`, ['ping', '-c', '1', '-W', '1', '10.20.30.20']);
    const r = await cap;
    expect(r.stdout).to.match(/VXLAN, flags \[I\] \(0x08\), vni \d+/);
  });

  it('fabric test --mutate scores 100 %', async () => {
    const r = await cli(['test', LAB, '--mutate']);
    expect(r.stdout, r.stdout.slice(-3000)).to.match(/mutation score: (\d+)\/\1 \(100%\)/);
    expect(r.exitCode, r.stdout.slice(-3000)).to.equal(0);
  });
});
