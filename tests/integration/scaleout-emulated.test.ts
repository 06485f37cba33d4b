// Two emulated hosts (network namespaces, each with its own ovsdb-server and ovs-vswitchd) join
// the stitched link of mtdc's generated per-host files: the link is built from the vxlan link of
// each host's file exactly as containerlab builds one (a kernel VXLAN device towards the other
// host, renamed to the endpoint's interface and added to the endpoint's OVS bridge), and both
// bridges are programmed over OpenFlow TCP at the listeners the placement record names, from a
// namespace on the lab's management network. A connection from outside it is refused. (root)
import { expect } from 'chai';
import { rm, mkdir } from 'node:fs/promises';
import { execa } from 'execa';
import { parse } from 'yaml';
import { hostNet } from '../../src/hostnet/index.js';
import { loadLab } from '../../src/topology/index.js';
import { generateForHosts, parseHosts, type SwitchReach } from '../../src/scaleout/index.js';
import { MTDC_NETWORK } from '../unit/scaleout/labs.js';

const ID = String(process.pid % 100000);
const NS = {
  h1: `fmh${ID}-h1`,
  h2: `fmh${ID}-h2`,
  m: `fmh${ID}-m`,
  o: `fmh${ID}-o`,
  e1: `fmh${ID}-e1`,
  e2: `fmh${ID}-e2`,
};
const DIR = `/run/fabric-mh-${ID}`;
const MGMT = { h1: '10.99.77.1', h2: '10.99.77.2', m: '10.99.77.254' };

const sh = (file: string, args: string[], reject = true) => execa(file, args, { reject, timeout: 20000 });
const inNs = (ns: string, args: string[], reject = true) => sh('ip', ['netns', 'exec', ns, ...args], reject);

interface VxlanLink {
  type: string;
  endpoint: { node: string; interface: string };
  remote: string;
  vni: number;
  'dst-port': number;
  mtu: number;
  labels: Record<string, string>;
}

/** The host's own ovsdb-server and ovs-vswitchd, started as `fabric up --hosts` starts an emulated host's. */
async function startOvs(host: 'h1' | 'h2'): Promise<string> {
  await hostNet().daemon.startAt(NS[host], `${DIR}/${host}`);
  return `--db=unix:${DIR}/${host}/db.sock`;
}

const stopOvs = (host: 'h1' | 'h2') => hostNet().daemon.stopAt(`${DIR}/${host}`);

async function veth(a: [string, string], b: [string, string], mtu = 1500): Promise<void> {
  await sh('ip', [
    'link',
    'add',
    `${a[1]}`,
    'netns',
    a[0],
    'mtu',
    String(mtu),
    'type',
    'veth',
    'peer',
    'name',
    b[1],
    'netns',
    b[0],
    'mtu',
    String(mtu),
  ]);
  for (const [ns, ifname] of [a, b]) {
    await inNs(ns, ['ip', 'link', 'set', ifname, 'up']);
    await inNs(ns, ['ethtool', '-K', ifname, 'tx', 'off'], false);
  }
}

async function pingOk(): Promise<boolean> {
  const r = await inNs(NS.e1, ['ping', '-c', '1', '-W', '1', '10.20.30.2'], false);
  return r.exitCode === 0;
}

describe('scale-out on two emulated hosts (namespaces, one ovs-vswitchd each)', function () {
  this.timeout(120000);
  let reach: SwitchReach[] = [];
  let links: Record<'h1' | 'h2', VxlanLink> | undefined;

  before(async () => {
    // The reference lab's network alone (no guests): its placement splits the dedicated line.
    const lab = await loadLab(MTDC_NETWORK);
    const hosts = parseHosts(
      `hosts:\n  - { name: a, address: 192.0.2.10, mgmt: ${MGMT.h1} }\n  - { name: b, address: 192.0.2.11, mgmt: ${MGMT.h2} }\n`,
      'hosts.yml',
    );
    const out = generateForHosts(lab, hosts, 'fabric.yml');
    reach = (JSON.parse(out.record) as { switches: SwitchReach[] }).switches;
    const vx = (host: string) =>
      (parse(out.files.find((f) => f.host === host)!.text) as { topology: { links: VxlanLink[] } }).topology.links.find(
        (l) => l.type === 'vxlan' && l.labels['fabric.id'] === 'dc1-ic:p2--dc2-ic:p2',
      )!;
    links = { h1: vx('a'), h2: vx('b') };
    for (const ns of Object.values(NS)) await sh('ip', ['netns', 'add', ns]);
    for (const ns of Object.values(NS)) await inNs(ns, ['ip', 'link', 'set', 'lo', 'up']);
    // The underlay between the hosts, carrying the stitched link's MTU + 50.
    await veth([NS.h1, 'ul'], [NS.h2, 'ul'], 1600);
    await inNs(NS.h1, ['ip', 'addr', 'add', '192.0.2.10/24', 'dev', 'ul']);
    await inNs(NS.h2, ['ip', 'addr', 'add', '192.0.2.11/24', 'dev', 'ul']);
    // The management network: a bridge in the management namespace, one veth per host.
    await inNs(NS.m, ['ip', 'link', 'add', 'mbr', 'type', 'bridge']);
    await inNs(NS.m, ['ip', 'link', 'set', 'mbr', 'up']);
    await inNs(NS.m, ['ip', 'addr', 'add', `${MGMT.m}/24`, 'dev', 'mbr']);
    for (const h of ['h1', 'h2'] as const) {
      await veth([NS[h], 'mg'], [NS.m, `m-${h}`]);
      await inNs(NS.m, ['ip', 'link', 'set', `m-${h}`, 'master', 'mbr']);
      await inNs(NS[h], ['ip', 'addr', 'add', `${MGMT[h]}/24`, 'dev', 'mg']);
    }
    // Outside the management network: a machine next to host 1.
    await veth([NS.h1, 'ol'], [NS.o, 'ol']);
    await inNs(NS.h1, ['ip', 'addr', 'add', '203.0.113.1/30', 'dev', 'ol']);
    await inNs(NS.o, ['ip', 'addr', 'add', '203.0.113.2/30', 'dev', 'ol']);
    await mkdir(DIR, { recursive: true });
    const ips = { h1: '10.20.30.1/24', h2: '10.20.30.2/24' };
    for (const h of ['h1', 'h2'] as const) {
      const db = await startOvs(h);
      const l = links[h];
      const sw = reach.find((r) => r.node === (h === 'h1' ? 'dc1-ic' : 'dc2-ic'))!;
      const br = l.endpoint.node;
      expect(sw.bridge).to.equal(br);
      await sh('ovs-vsctl', [
        db,
        'add-br',
        br,
        '--',
        'set',
        'Bridge',
        br,
        'datapath_type=netdev',
        'fail_mode=secure',
        'protocols=OpenFlow10,OpenFlow13,OpenFlow15',
        '--',
        'set-controller',
        br,
        sw.listen,
      ]);
      // containerlab's vxlan link: the device on the host (parent: the route to the remote),
      // learning, its dst-port and MTU, renamed to the endpoint's interface, then a bridge port.
      await inNs(NS[h], [
        'ip',
        'link',
        'add',
        'vxtmp',
        'type',
        'vxlan',
        'id',
        String(l.vni),
        'dev',
        'ul',
        'remote',
        l.remote,
        'dstport',
        String(l['dst-port']),
        'learning',
      ]);
      await inNs(NS[h], ['ip', 'link', 'set', 'vxtmp', 'mtu', String(l.mtu), 'name', l.endpoint.interface]);
      await inNs(NS[h], ['ip', 'link', 'set', l.endpoint.interface, 'up']);
      await sh('ovs-vsctl', [db, 'add-port', br, l.endpoint.interface]);
      // One tenant system behind each bridge.
      const e = h === 'h1' ? NS.e1 : NS.e2;
      await veth([e, 'eth1'], [NS[h], 'sys']);
      await inNs(e, ['ip', 'addr', 'add', ips[h], 'dev', 'eth1']);
      await sh('ovs-vsctl', [db, 'add-port', br, 'sys']);
    }
  });

  after(async () => {
    await stopOvs('h1');
    await stopOvs('h2');
    for (const ns of Object.values(NS)) await sh('ip', ['netns', 'del', ns], false);
    await rm(DIR, { recursive: true, force: true });
  });

  it('every listener binds to its host management address only', async () => {
    for (const h of ['h1', 'h2'] as const) {
      const r = await inNs(NS[h], ['ss', '-Hltn']);
      const ofListeners = r.stdout.split('\n').filter((line) => /:66\d\d\s/.test(line));
      expect(ofListeners.length, r.stdout).to.be.greaterThan(0);
      for (const line of ofListeners) expect(line).to.include(`${MGMT[h]}:`).and.not.include('0.0.0.0:66');
    }
  });

  it('nothing crosses before programming (secure bridges); after programming over OpenFlow TCP, the stitched link carries the ping', async () => {
    expect(await pingOk(), 'no flows, no forwarding').to.equal(false);
    for (const node of ['dc1-ic', 'dc2-ic']) {
      const sw = reach.find((r) => r.node === node)!;
      await inNs(NS.m, ['ovs-ofctl', 'add-flow', sw.connect, 'priority=0,actions=NORMAL']);
    }
    let ok = false;
    for (let i = 0; i < 10 && !ok; i++) ok = await pingOk();
    expect(ok, 'ping across the stitched link').to.equal(true);
  });

  it('the underlay shows the outer VXLAN with the generated VNI on UDP 14789', async () => {
    const cap = execa(
      'ip',
      [
        'netns',
        'exec',
        NS.h1,
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
        'dst',
        'port',
        '14789',
      ],
      {
        reject: false,
        timeout: 15000,
      },
    );
    let done = false;
    void cap.finally(() => (done = true));
    for (let i = 0; i < 20 && !done; i++) await pingOk();
    const r = await cap;
    expect(r.stdout).to.match(new RegExp(`VXLAN.*vni ${links!.h1.vni}`));
  });

  it('a connection from outside the lab management network is refused', async () => {
    const sw = reach.find((r) => r.node === 'dc1-ic')!;
    const port = sw.connect.split(':')[2];
    // Host 1's other addresses: nothing listens there.
    for (const addr of ['203.0.113.1', '192.0.2.10']) {
      const r = await inNs(NS.o, ['ovs-ofctl', 'dump-flows', `tcp:${addr}:${port}`], false);
      expect(r.exitCode, `${addr}: ${r.stderr}`).to.not.equal(0);
    }
    const direct = await inNs(NS.o, ['ovs-ofctl', 'dump-flows', `tcp:203.0.113.1:${port}`], false);
    expect(direct.stderr).to.match(/refused/i);
    // The management address is not reachable from outside at all.
    const mgmt = await inNs(NS.o, ['ovs-ofctl', 'dump-flows', sw.connect], false);
    expect(mgmt.exitCode).to.not.equal(0);
    // From the management network, the same switch answers.
    const inside = await inNs(NS.m, ['ovs-ofctl', 'dump-flows', sw.connect]);
    expect(inside.stdout).to.match(/actions=NORMAL/);
  });
});
