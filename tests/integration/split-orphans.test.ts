// A split lab on its own (root): `fabric up --hosts hosts.yml` (the user's names and addresses,
// while a second split lab is up beside it), `status` and `test` never ask this
// machine's OVS (every ovs-vsctl, ovs-ofctl and ovs-appctl, recorded by wrappers first in PATH,
// names a host's database, a listener or a control socket); then, its state file deleted,
// `fabric down --all --prefix` finds the emulated hosts' namespaces (by their marker), stops their
// OVS daemons (by the PIDs of their pidfiles) and removes their folder with the lab's node
// namespaces; nothing of the lab is left.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { tryRun } from '../../src/hostnet/exec.js';
import { HOSTS_RUN_DIR } from '../../src/runtime/netns/split.js';
import { readState } from '../../src/runtime/state.js';
import { cli, networkLabCopy, ROOT } from './lab-copy.js';
import { leftovers } from './kill-helpers.js';
import { running } from '../helpers/proc.js';

const LAB = 'sorph';
const OTHER = 'sorpy';
const { work, labFile, text } = networkLabCopy(LAB);
const otherFile = join(work, 'other.yml');
writeFileSync(otherFile, text.replace(/^name: sorph$/m, `name: ${OTHER}`));

describe('fabric down --all: a split lab without its state file (root)', function () {
  this.timeout(600_000);

  // Another suite loaded in the same run sets these at import: this suite's own, while it runs.
  const saved = { state: process.env.FABRIC_STATE_DIR, captures: process.env.FABRIC_CAPTURE_DIR };
  before(function () {
    if (process.getuid?.() !== 0) this.skip();
    process.env.FABRIC_STATE_DIR = join(work, 'state');
    process.env.FABRIC_CAPTURE_DIR = join(work, 'captures');
  });

  after(async () => {
    await cli(['down', OTHER]);
    await cli(['down', '--all', '--prefix', LAB]);
    process.env.FABRIC_STATE_DIR = saved.state;
    process.env.FABRIC_CAPTURE_DIR = saved.captures;
  });

  it("up, status and test ask only the hosts' OVS; down --all without the state removes every host", async () => {
    const bin = join(work, 'wrap');
    const log = join(work, 'ovs-calls');
    mkdirSync(bin);
    writeFileSync(log, '');
    for (const c of ['ovs-vsctl', 'ovs-ofctl', 'ovs-appctl']) {
      writeFileSync(join(bin, c), `#!/bin/sh\necho "${c} $*" >> ${log}\nexec /usr/bin/${c} "$@"\n`);
      chmodSync(join(bin, c), 0o755);
    }
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      // The user's hosts: their names and addresses, not the defaults.
      const up = await cli(['up', labFile, '--hosts', join(ROOT, 'tests/golden/scaleout/emulated-hosts.yml')]);
      expect(up.exitCode, up.stdout + up.stderr).to.equal(0);
      expect(up.stdout).to.match(
        /^ {4}rack-a {2}fh-sorph-rack-a {2}172\.16\.5\.10\/24 {2}mgmt 10\.50\.0\.1 {2}ovsdb-server \d+, ovs-vswitchd \d+ {2}\d+ bridges$/m,
      );
      const st = await cli(['status', LAB]);
      expect(st.exitCode, st.stdout + st.stderr).to.equal(0);
      // A second split lab up at the same time (default hosts): nothing clashes, both answer.
      process.env.PATH = path;
      const up2 = await cli(['up', otherFile, '--hosts', '2']);
      expect(up2.exitCode, up2.stdout + up2.stderr).to.equal(0);
      process.env.PATH = `${bin}:${path}`;
      const t = await cli(['test', LAB]);
      expect(t.exitCode, t.stdout.slice(-3000)).to.equal(0);
    } finally {
      process.env.PATH = path;
    }
    const d2 = await cli(['down', OTHER]);
    expect(d2.exitCode, d2.stdout + d2.stderr).to.equal(0);
    expect(await leftovers(OTHER, work)).to.deep.equal([]);
    const inRoot = (await tryRun('ip', ['-o', 'addr', 'show'])).stdout;
    expect(inRoot, "lab addresses in this machine's namespace").to.not.match(/172\.16\.5\.1[01]|10\.50\.0\./);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls.length).to.be.greaterThan(20);
    // A host's database, a listener, a host daemon's control socket, or two flow files (no switch).
    const elsewhere = /--db=unix:\/run\/fabric\/hosts\/|\b(tcp|ssl):|-t \/run\/fabric\/hosts\/|diff-flows \/\S+ \/\S+$/;
    expect(
      calls.filter((c) => !elsewhere.test(c)),
      "calls to this machine's OVS",
    ).to.deep.equal([]);

    const split = readState(LAB)!.split!;
    const pids = split.hosts.flatMap((h) => [h.pids!.ovsdbServer, h.pids!.ovsVswitchd]);
    expect(pids.every(running)).to.equal(true);
    rmSync(join(work, 'state', `${LAB}.json`));
    expect((await leftovers(LAB, work)).filter((l) => l.startsWith('netns fh-')).length).to.equal(4);

    const d = await cli(['down', '--all', '--prefix', LAB]);
    expect(d.exitCode, d.stdout + d.stderr).to.equal(0);
    expect(d.stdout).to.match(new RegExp(`^lab ${LAB}: removed \\d+ namespaces`, 'm'));
    expect(await leftovers(LAB, work)).to.deep.equal([]);
    for (const pid of pids) expect(running(pid), `OVS daemon ${pid}`).to.equal(false);
    expect(existsSync(join(HOSTS_RUN_DIR, LAB))).to.equal(false);
    const ns = (await tryRun('ip', ['netns', 'list'])).stdout;
    expect(ns).to.not.match(new RegExp(`fh-${LAB}-|clab-${LAB}-`));
  });
});
