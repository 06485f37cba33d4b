// The generated <lab>.bridges.sh against the real Open vSwitch (root): `up` makes every bridge
// with fabric's options, twice without harm; after the ports exist the way containerlab makes
// them (veth ends added to the bridges), `ports` sets tx offload off, IPv6 off, VLANs and markers;
// `down` removes the lab's bridges and marked ports, twice without harm. A bridge another lab
// owns is refused. Lab `cbr`, a renamed copy of the reference lab.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { run, tryRun } from '../../src/hostnet/exec.js';
import { ensureOvs } from '../../src/hostnet/ovs-daemon.js';
import { bridgesScript } from '../../src/runtime/containerlab/bridges-script.js';
import { planLab } from '../../src/runtime/netns/plan.js';
import { writeFileSync, readFileSync } from 'node:fs';
import { loadLabText } from '../../src/topology/index.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const LAB = 'cbr';
const PEERS = `clab-${LAB}-peers`;
const model = loadLabText(
  readFileSync(join(ROOT, 'labs/mtdc/fabric.yml'), 'utf8').replace(/^name: mtdc$/m, `name: ${LAB}`),
  'fabric.yml',
);
const plan = planLab(model);
const bridges = plan.ovsBridges.map((b) => b.name);

async function vsctl(args: string[]): Promise<string> {
  return (await run('ovs-vsctl', ['--timeout=30', ...args])).stdout.trim();
}

async function ourBridges(): Promise<string[]> {
  const all = (await vsctl(['list-br'])).split('\n').filter(Boolean);
  return all.filter((b) => bridges.includes(b));
}

async function cleanup(): Promise<void> {
  for (const b of bridges) await tryRun('ovs-vsctl', ['--timeout=30', '--if-exists', 'del-br', b]);
  for (const e of plan.rootEnds) await tryRun('ip', ['link', 'del', 'dev', e.ifname]);
  await tryRun('ip', ['netns', 'delete', PEERS]);
}

describe('bridges script of a generated topology (root, real OVS)', function () {
  let dir: string;
  let script: string;
  const sh = (step: string) => tryRun('sh', [script, step], { timeout: 120_000 });

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    await ensureOvs();
    await cleanup();
    dir = mkdtempSync(join(tmpdir(), 'fabric-cbr-'));
    script = join(dir, `${LAB}.bridges.sh`);
    writeFileSync(script, bridgesScript(model));
  });

  after(async () => {
    await cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('up creates every bridge with the options fabric uses, and again without harm', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await sh('up');
      expect(r.exitCode, r.stderr).to.equal(0);
    }
    expect((await ourBridges()).sort()).to.deep.equal([...bridges].sort());
    const b = plan.ovsBridges.find((x) => x.node === 'green-c1-sw')!.name;
    expect(await vsctl(['get', 'Bridge', b, 'datapath_type'])).to.equal('netdev');
    expect(await vsctl(['get', 'Bridge', b, 'fail_mode'])).to.equal('secure');
    expect(await vsctl(['get', 'Bridge', b, 'protocols'])).to.contain('OpenFlow15');
    expect(await vsctl(['get', 'Bridge', b, 'external_ids:fabric-lab'])).to.match(/^"?cbr"?$/);
    expect(await vsctl(['get', 'Open_vSwitch', '.', 'other_config:vlan-limit'])).to.match(/^"?2"?$/);
    const flows = (await run('ovs-ofctl', ['dump-flows', b])).stdout;
    expect(flows).to.match(/priority=0 actions=NORMAL/);
  });

  it('ports: before the deploy it names the missing port; after it, tx off, IPv6 off, VLANs and markers', async () => {
    const early = await sh('ports');
    expect(early.exitCode).to.not.equal(0);
    expect(early.stderr).to.match(/port \S+ is missing: run containerlab deploy/);
    // What containerlab does for links to ovs-bridge nodes: a veth whose root end joins the bridge.
    await run('ip', ['netns', 'add', PEERS]);
    let n = 0;
    for (const l of plan.links) {
      const ends = [l.a, l.b];
      const root = ends.filter((e) => e.netns === null);
      if (root.length === 2)
        await run('ip', ['link', 'add', root[0]!.ifname, 'type', 'veth', 'peer', 'name', root[1]!.ifname]);
      else if (root.length === 1)
        await run('ip', ['link', 'add', root[0]!.ifname, 'type', 'veth', 'peer', 'name', `pe${n++}`, 'netns', PEERS]);
      for (const e of root) {
        const br = plan.ovsBridges.find((b) => b.ports.some((p) => p.name === e.ifname))!.name;
        await vsctl(['add-port', br, e.ifname]);
      }
    }
    const r = await sh('ports');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect((await sh('ports')).exitCode).to.equal(0);
    const access = plan.ovsBridges.find((b) => b.access)!;
    const p = access.ports.find((x) => x.accessVlan !== undefined)!;
    expect(await vsctl(['get', 'Port', p.name, 'tag'])).to.equal(String(p.accessVlan));
    expect(await vsctl(['get', 'Interface', p.name, 'external_ids:fabric-lab'])).to.match(/^"?cbr"?$/);
    expect((await run('ethtool', ['-k', p.name])).stdout).to.match(/^tx-checksumming: off/m);
    expect(readFileSync(`/proc/sys/net/ipv6/conf/${p.name}/disable_ipv6`, 'utf8').trim()).to.equal('1');
    expect(readFileSync(`/sys/class/net/${p.name}/ifalias`, 'utf8').trim()).to.equal('fabric-lab=cbr');
  });

  it('down removes the bridges and marked ports, and again without harm', async () => {
    await tryRun('ip', ['netns', 'delete', PEERS]);
    for (let i = 0; i < 2; i++) {
      const r = await sh('down');
      expect(r.exitCode, r.stderr).to.equal(0);
    }
    expect(await ourBridges()).to.deep.equal([]);
    const links = (await run('ip', ['-o', 'link', 'show'])).stdout;
    for (const e of plan.rootEnds)
      expect(links.includes(` ${e.ifname}:`) || links.includes(` ${e.ifname}@`), e.ifname).to.equal(false);
  });

  it("up refuses a bridge of the lab's name that another lab owns, and down leaves it", async () => {
    const b = bridges[0]!;
    await vsctl(['add-br', b, '--', 'set', 'Bridge', b, 'external_ids:fabric-lab=someone', 'datapath_type=netdev']);
    try {
      const r = await sh('up');
      expect(r.exitCode).to.not.equal(0);
      expect(r.stderr).to.contain(`OVS bridge ${b} exists and is not this lab's`);
      expect((await sh('down')).exitCode).to.not.equal(0);
      expect(await vsctl(['br-exists', b]).then(() => true)).to.equal(true);
    } finally {
      await tryRun('ovs-vsctl', ['--timeout=30', '--if-exists', 'del-br', b]);
    }
  });
});
