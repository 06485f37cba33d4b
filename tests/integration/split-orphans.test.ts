// `fabric down --all --prefix` on a split lab whose state file is gone (root): the emulated
// hosts' namespaces (found by their marker), their OVS daemons (by the PIDs of their pidfiles)
// and their folder are removed, with the lab's node namespaces; nothing of the lab is left.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { tryRun } from '../../src/hostnet/exec.js';
import { HOSTS_RUN_DIR } from '../../src/runtime/netns/split.js';
import { readState } from '../../src/runtime/state.js';
import { cli, networkLabCopy } from './lab-copy.js';
import { leftovers } from './kill-helpers.js';

const LAB = 'sorph';
const { work, labFile } = networkLabCopy(LAB);

function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

describe('fabric down --all: a split lab without its state file (root)', function () {
  this.timeout(600_000);

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
  });

  after(async () => {
    await cli(['down', '--all', '--prefix', LAB]);
  });

  it('finds and removes the emulated hosts, their daemons and their folder', async () => {
    const up = await cli(['up', labFile, '--hosts', '2']);
    expect(up.exitCode, up.stdout + up.stderr).to.equal(0);
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
