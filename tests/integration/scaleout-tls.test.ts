// Secure OpenFlow between hosts: an emulated host (a network namespace with its own ovsdb-server
// and ovs-vswitchd) runs a bridge of mtdc's placement with the `pssl:` listener and SSL table that
// `fabric generate --hosts --tls` names, from the lab PKI fabric makes. From the management
// network, ovs-ofctl with the lab's controller certificate programs it; a certificate from another
// lab's CA, a plain TCP connection, and any connection from outside the management network are
// refused. (root)
import { expect } from 'chai';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { hostNet } from '../../src/hostnet/index.js';
import { ensureLabPki } from '../../src/hostnet/pki.js';
import { loadLab } from '../../src/topology/index.js';
import { generateForHosts, parseHosts, pkiDir, type SwitchReach, type TlsFiles } from '../../src/scaleout/index.js';
import { MTDC_NETWORK } from '../unit/scaleout/labs.js';

const ID = String(process.pid % 100000);
const NS = { h: `fts${ID}-h`, m: `fts${ID}-m`, o: `fts${ID}-o` };
const DIR = `/run/fabric-tls-${ID}`;
const MGMT = { h: '10.99.78.1', m: '10.99.78.254' };

const sh = (file: string, args: string[], reject = true) => execa(file, args, { reject, timeout: 20000 });
const inNs = (ns: string, args: string[], reject = true) => sh('ip', ['netns', 'exec', ns, ...args], reject);

async function veth(a: [string, string], b: [string, string]): Promise<void> {
  await sh('ip', ['link', 'add', a[1], 'netns', a[0], 'type', 'veth', 'peer', 'name', b[1], 'netns', b[0]]);
  for (const [ns, ifname] of [a, b]) await inNs(ns, ['ip', 'link', 'set', ifname, 'up']);
}

/** The host's own ovsdb-server and ovs-vswitchd, started as `fabric up --hosts` starts an emulated host's. */
async function startOvs(): Promise<string> {
  await hostNet().daemon.startAt(NS.h, `${DIR}/ovs`);
  return `--db=unix:${DIR}/ovs/db.sock`;
}

const stopOvs = () => hostNet().daemon.stopAt(`${DIR}/ovs`);

/** ovs-ofctl with a key, certificate and CA (absolute paths), bounded by its own timeout. */
const ofctl = (ns: string, tls: TlsFiles | null, args: string[]) =>
  inNs(
    ns,
    [
      'ovs-ofctl',
      '-t',
      '5',
      ...(tls
        ? [`--private-key=${tls.privateKey}`, `--certificate=${tls.certificate}`, `--ca-cert=${tls.caCert}`]
        : []),
      ...args,
    ],
    false,
  );

const abs = (t: TlsFiles): TlsFiles => ({
  privateKey: join(DIR, t.privateKey),
  certificate: join(DIR, t.certificate),
  caCert: join(DIR, t.caCert),
});

describe('scale-out: pssl OpenFlow listeners with the lab PKI (emulated host, own ovs-vswitchd)', function () {
  this.timeout(120000);
  let sw: SwitchReach;
  let host: TlsFiles;
  let controller: TlsFiles;
  let otherController: TlsFiles;

  before(async () => {
    const lab = await loadLab(MTDC_NETWORK);
    const hosts = parseHosts(
      `hosts:\n  - { name: a, address: 192.0.2.10, mgmt: ${MGMT.h} }\n  - { name: b, address: 192.0.2.11 }\n`,
      'hosts.yml',
    );
    const rec = JSON.parse(generateForHosts(lab, hosts, 'fabric.yml', true).record) as {
      switches: SwitchReach[];
      hosts: { name: string; ssl?: TlsFiles }[];
      controller: TlsFiles;
    };
    sw = rec.switches[0]!;
    host = abs(rec.hosts.find((h) => h.name === 'a')!.ssl!);
    controller = abs(rec.controller);
    await ensureLabPki(join(DIR, pkiDir(lab.name)), lab.name, ['a', 'controller']);
    // Another lab's PKI, same member names: only its CA differs.
    await ensureLabPki(join(DIR, 'other', pkiDir(lab.name)), 'other', ['controller']);
    otherController = abs({
      privateKey: join('other', rec.controller.privateKey),
      certificate: join('other', rec.controller.certificate),
      caCert: join('other', rec.controller.caCert),
    });
    for (const ns of Object.values(NS)) await sh('ip', ['netns', 'add', ns]);
    for (const ns of Object.values(NS)) await inNs(ns, ['ip', 'link', 'set', 'lo', 'up']);
    await veth([NS.h, 'mg'], [NS.m, 'mg']);
    await inNs(NS.h, ['ip', 'addr', 'add', `${MGMT.h}/24`, 'dev', 'mg']);
    await inNs(NS.m, ['ip', 'addr', 'add', `${MGMT.m}/24`, 'dev', 'mg']);
    await veth([NS.h, 'ol'], [NS.o, 'ol']);
    await inNs(NS.h, ['ip', 'addr', 'add', '203.0.113.1/30', 'dev', 'ol']);
    await inNs(NS.o, ['ip', 'addr', 'add', '203.0.113.2/30', 'dev', 'ol']);
    const db = await startOvs();
    await sh('ovs-vsctl', [db, 'set-ssl', host.privateKey, host.certificate, host.caCert]);
    await sh('ovs-vsctl', [
      db,
      'add-br',
      sw.bridge,
      '--',
      'set',
      'Bridge',
      sw.bridge,
      'datapath_type=netdev',
      'fail_mode=secure',
      'protocols=OpenFlow10,OpenFlow13,OpenFlow15',
      '--',
      'set-controller',
      sw.bridge,
      sw.listen,
    ]);
    // Bounded wait for the listener (ovs-vswitchd binds it on its next reconfiguration).
    const port = sw.listen.split(':')[1]!;
    let up = false;
    for (let i = 0; i < 50 && !up; i++) {
      up = (await inNs(NS.h, ['ss', '-Hltn'])).stdout.includes(`${MGMT.h}:${port}`);
      if (!up) await sh('ovs-vsctl', [db, '--timeout=1', 'sync'], false);
    }
    expect(up, 'pssl listener up').to.equal(true);
  });

  after(async () => {
    await stopOvs();
    for (const ns of Object.values(NS)) await sh('ip', ['netns', 'del', ns], false);
    await rm(DIR, { recursive: true, force: true });
  });

  it('the record names pssl on the management address and ssl to it', () => {
    expect(sw.listen).to.match(new RegExp(`^pssl:\\d+:${MGMT.h.replace(/\./g, '\\.')}$`));
    expect(sw.connect).to.equal(`ssl:${MGMT.h}:${sw.listen.split(':')[1]}`);
  });

  it('the listener binds to the management address only', async () => {
    const r = await inNs(NS.h, ['ss', '-Hltn']);
    const lines = r.stdout.split('\n').filter((l) => /:66\d\d\s/.test(l));
    expect(lines, r.stdout).to.have.length(1);
    expect(lines[0]).to.include(`${MGMT.h}:`);
  });

  it("ovs-ofctl with the lab's controller certificate programs the switch over SSL", async () => {
    const add = await ofctl(NS.m, controller, ['add-flow', sw.connect, 'priority=0,actions=NORMAL']);
    expect(add.exitCode, add.stderr).to.equal(0);
    const dump = await ofctl(NS.m, controller, ['dump-flows', sw.connect]);
    expect(dump.exitCode, dump.stderr).to.equal(0);
    expect(dump.stdout).to.match(/priority=0 actions=NORMAL/);
  });

  it("a certificate from another lab's CA is refused, and so is plain TCP", async () => {
    // The other lab's controller, trusting this lab's CA: the switch refuses its certificate.
    const foreign = await ofctl(NS.m, { ...otherController, caCert: controller.caCert }, [
      'add-flow',
      sw.connect,
      'priority=9,actions=drop',
    ]);
    expect(foreign.exitCode, 'foreign certificate').to.not.equal(0);
    expect(foreign.stderr).to.not.match(/no such file/i);
    // The switch saw the handshake and refused it (not a missing file on our side).
    const log = await readFile(`${DIR}/ovs/ovs-vswitchd.log`, 'utf8');
    expect(log).to.match(/SSL_accept|stream_ssl/);
    // The other lab's controller with its own CA: neither side trusts the other.
    const other = await ofctl(NS.m, otherController, ['dump-flows', sw.connect]);
    expect(other.exitCode, 'other lab').to.not.equal(0);
    const tcp = await ofctl(NS.m, null, ['dump-flows', `tcp:${sw.connect.slice('ssl:'.length)}`]);
    expect(tcp.exitCode, 'plain tcp').to.not.equal(0);
    // Nothing of theirs reached the table.
    const dump = await ofctl(NS.m, controller, ['dump-flows', sw.connect]);
    expect(dump.stdout).to.not.match(/priority=9/);
    expect(dump.stdout).to.match(/priority=0 actions=NORMAL/);
  });

  it('a connection from outside the management network is refused, even with the right certificate', async () => {
    const port = sw.listen.split(':')[1]!;
    const direct = await ofctl(NS.o, controller, ['dump-flows', `ssl:203.0.113.1:${port}`]);
    expect(direct.exitCode).to.not.equal(0);
    expect(direct.stderr).to.match(/refused/i);
    const mgmt = await ofctl(NS.o, controller, ['dump-flows', sw.connect]);
    expect(mgmt.exitCode).to.not.equal(0);
  });
});
