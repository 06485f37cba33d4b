// One `fabric program` drives switches on other machines (root): the reference lab's network is
// split over two emulated hosts, and fabric runs as an operator's machine on the lab's management
// network would, inside the management namespace, with only the lab file and the hosts file.
// It finds each switch at the OpenFlow listener the placement gives it, reads port numbers over
// OpenFlow, sees drift, programs every bridge and leaves none drifting; the lab then passes
// `fabric test`. From outside the management network the same command reaches nothing. Once each
// host has run the SSL script `fabric generate --tls` wrote for it, plain TCP reaches no switch
// and the lab controller's certificate programs them all over ssl:.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { tryRun } from '../../src/hostnet/exec.js';
import { emulatedHostsText } from '../../src/runtime/netns/split.js';
import { readState } from '../../src/runtime/state.js';
import type { LabState } from '../../src/runtime/types.js';
import { cli, cliIn, networkLabCopy } from './lab-copy.js';

const LAB = 'rpr';
const { work, labFile } = networkLabCopy(LAB);
const hostsFile = join(work, 'hosts.yml');
const OUTSIDE = `${LAB}-outside`;

describe('fabric program --hosts: switches on other machines, programmed over OpenFlow TCP and SSL (root)', function () {
  this.timeout(600_000);
  let state: LabState;

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    await cli(['down', LAB]);
    // The hosts the emulation places the lab on, as a user's hosts file names real machines.
    writeFileSync(hostsFile, emulatedHostsText(2));
    const r = await cli(['up', labFile, '--hosts', '2']);
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0);
    state = readState(LAB)!;
    expect(state.split?.switches.length).to.be.greaterThan(20);
  });

  after(async () => {
    await tryRun('ip', ['netns', 'del', OUTSIDE]);
    const d = await cli(['down', LAB]);
    expect(d.exitCode, d.stdout + d.stderr).to.equal(0);
    expect((await tryRun('ip', ['netns', 'list'])).stdout).to.not.match(
      new RegExp(`fh-${LAB}-|clab-${LAB}-|${OUTSIDE}`),
    );
  });

  it('sees drift, programs every bridge from the management network, and the lab passes fabric test', async () => {
    const mg = state.split!.mgmt;
    for (const s of state.split!.switches) {
      const w = await tryRun('ip', ['netns', 'exec', mg, 'ovs-ofctl', '-O', 'OpenFlow15', 'del-flows', s.connect]);
      expect(w.exitCode, w.stderr).to.equal(0);
    }
    const drift = await cliIn(mg, ['flows', labFile, '--diff', '--hosts', hostsFile]);
    expect(drift.exitCode, drift.stderr).to.equal(1);
    expect(drift.stdout.match(/DRIFT/g)?.length).to.equal(state.split!.switches.length);

    const p = await cliIn(mg, ['program', labFile, '--hosts', hostsFile]);
    expect(p.exitCode, p.stdout + p.stderr).to.equal(0);
    expect(p.stdout).to.match(
      new RegExp(
        `on ${state.split!.switches.length} bridges .* over OpenFlow TCP at ${state.split!.switches.length} listeners on 2 hosts`,
      ),
    );
    const clean = await cliIn(mg, ['flows', labFile, '--diff', '--hosts', hostsFile]);
    expect(clean.exitCode, clean.stdout).to.equal(0);
    expect(clean.stdout).to.not.match(/DRIFT/);

    const t = await cli(['test', LAB, '--no-failover']);
    expect(t.exitCode, t.stdout.slice(-3000)).to.equal(0);
  });

  it('reaches nothing from outside the management network, and names a switch without a listener', async () => {
    await tryRun('ip', ['netns', 'add', OUTSIDE]);
    const far = await cliIn(OUTSIDE, ['program', labFile, '--hosts', hostsFile], 120_000);
    expect(far.exitCode).to.not.equal(0);
    expect(far.stderr).to.match(/unreachable/i);
    expect(far.stderr).to.not.match(/\n\s+at /);

    // A host without its management address has no listener: refused before anything is sent.
    const noMgmt = join(work, 'no-mgmt.yml');
    writeFileSync(noMgmt, emulatedHostsText(2).replace(/, mgmt: 10\.99\.0\.2/, ''));
    const r = await cliIn(state.split!.mgmt, ['program', labFile, '--hosts', noMgmt], 120_000);
    expect(r.exitCode).to.not.equal(0);
    expect(r.stderr).to.match(/E_SWITCH_UNREACHABLE/);
    expect(r.stderr).to.match(/mgmt: in the hosts file/);
  });

  it('over ssl: once each host runs its generated SSL script, only the lab controller certificate programs', async () => {
    const out = join(work, 'out');
    const g = await cli(['generate', labFile, '--hosts', hostsFile, '--tls', '--out', out]);
    expect(g.exitCode, g.stderr).to.equal(0);
    const pki = join(out, `${LAB}.pki`);
    for (const h of state.split!.hosts) {
      // The host's own ovs-vsctl: its database is <dir>/db.sock, as OVS_RUNDIR says to the script.
      const r = await tryRun(
        'ip',
        [
          'netns',
          'exec',
          h.netns,
          'env',
          `OVS_RUNDIR=${h.dir}`,
          `FABRIC_SSL_DIR=${pki}`,
          'sh',
          join(out, `${LAB}.${h.name}.ovs-ssl.sh`),
          'up',
        ],
        { timeout: 120_000 },
      );
      expect(r.exitCode, r.stderr).to.equal(0);
    }
    // Every listener of each host is bound (the ports the placement gives them): polled, bounded.
    for (const h of state.split!.hosts) {
      const want = state
        .split!.switches.filter((x) => x.host === h.name)
        .map((x) => `${h.mgmt}:${x.connect.split(':')[2]}`);
      let missing = want;
      for (let i = 0; i < 100 && missing.length; i++) {
        const ss = (await tryRun('ip', ['netns', 'exec', h.netns, 'ss', '-Hltn'])).stdout;
        missing = want.filter((w) => !ss.includes(`${w} `));
        if (missing.length) await new Promise((r) => setTimeout(r, 100));
      }
      expect(missing, `pssl listeners of ${h.name} not bound`).to.deep.equal([]);
    }
    const mg = state.split!.mgmt;
    const tls = ['--hosts', hostsFile, '--tls', '--pki', pki];
    // Plain TCP reaches no switch any more.
    const plain = await cliIn(mg, ['flows', labFile, '--diff', '--hosts', hostsFile], 120_000);
    expect(plain.exitCode, plain.stdout + plain.stderr).to.equal(2);
    const sw = state.split!.switches[0]!;
    const ssl = sw.connect.replace(/^tcp:/, 'ssl:');
    const controller = [
      `--private-key=${pki}/controller-privkey.pem`,
      `--certificate=${pki}/controller-cert.pem`,
      `--ca-cert=${pki}/cacert.pem`,
    ];
    const wipe = await tryRun('ip', [
      'netns',
      'exec',
      mg,
      'ovs-ofctl',
      ...controller,
      '-O',
      'OpenFlow15',
      'del-flows',
      ssl,
    ]);
    expect(wipe.exitCode, wipe.stderr).to.equal(0);
    const drift = await cliIn(mg, ['flows', labFile, '--diff', ...tls]);
    expect(drift.exitCode, drift.stderr).to.equal(1);
    expect(drift.stdout.match(/DRIFT/g)?.length).to.equal(1);
    const p = await cliIn(mg, ['program', labFile, ...tls]);
    expect(p.exitCode, p.stdout + p.stderr).to.equal(0);
    expect(p.stdout).to.match(/over OpenFlow SSL at \d+ listeners on 2 hosts/);
    const clean = await cliIn(mg, ['flows', labFile, '--diff', ...tls]);
    expect(clean.exitCode, clean.stdout + clean.stderr).to.equal(0);
  });
});
