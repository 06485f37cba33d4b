import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FakeHostNet } from '../../../src/hostnet/fake.js';
import { useHostNet } from '../../../src/hostnet/index.js';
import { labsWithGuests, stopLabGuests } from '../../../src/lifecycle/index.js';
import { qemuRunDirOf } from '../../../src/lifecycle/orphans.js';

// A stand-in for QEMU: its argv[0] says qemu-system and its argv names the pidfile, as our QEMU's does.
function decoy(pidfile: string | null): ChildProcess {
  const args = ['-e', 'setTimeout(() => {}, 60000)', ...(pidfile ? ['--', '-pidfile', pidfile] : [])];
  return spawn(process.execPath, args, { argv0: 'qemu-system-x86_64', stdio: 'ignore' });
}

const alive = (p: ChildProcess) => p.exitCode === null && p.signalCode === null;
const waitSpawned = (p: ChildProcess) => new Promise((r) => p.once('spawn', r));
// Bounded: the exit event once the process is reaped, or give up after 3 s (then `alive` says so).
const waitExit = (p: ChildProcess) =>
  Promise.race([new Promise((r) => (alive(p) ? p.once('exit', r) : r(null))), new Promise((r) => setTimeout(r, 3000))]);

describe('lifecycle: stopLabGuests', () => {
  let work: string;
  let restore: () => void;
  const procs: ChildProcess[] = [];
  const env = { ...process.env };

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'fabric-lifecycle-'));
    process.env.FABRIC_FAILOVER_DIR = join(work, 'failover');
    process.env.FABRIC_STATE_DIR = join(work, 'state');
    process.env.FABRIC_CAPTURE_DIR = join(work, 'captures');
    restore = useHostNet(new FakeHostNet());
  });
  afterEach(() => {
    for (const p of procs) if (alive(p)) p.kill('SIGKILL');
    restore();
    process.env = { ...env };
    rmSync(work, { recursive: true, force: true });
  });

  it('stops by PID only the QEMU whose argv names the lab run directory pidfile, and removes run dirs', async () => {
    const ours = join(work, 'failover/lab1/hv.0');
    const target = join(work, 'failover/lab1/hv.1');
    const foreign = join(work, 'failover/lab1/p1.0');
    for (const d of [ours, target, foreign]) mkdirSync(d, { recursive: true });
    const a = decoy(join(ours, 'qemu.pid'));
    const b = decoy(join(target, 'qemu.pid'));
    const c = decoy(null); // a qemu-looking process whose argv does not name our pidfile
    procs.push(a, b, c);
    await Promise.all(procs.map(waitSpawned));
    writeFileSync(join(ours, 'qemu.pid'), `${a.pid}\n`);
    writeFileSync(join(target, 'qemu.pid'), `${b.pid}\n`);
    writeFileSync(join(foreign, 'qemu.pid'), `${c.pid}\n`);
    expect(labsWithGuests()).to.deep.equal(['lab1']);

    const rep = await stopLabGuests('lab1');
    await Promise.all([waitExit(a), waitExit(b)]);
    expect(rep.qemu.sort()).to.deep.equal([ours, target].sort());
    expect(rep.leftover).to.deep.equal([]);
    expect(alive(a) || alive(b)).to.equal(false);
    expect(alive(c)).to.equal(true);
    expect(existsSync(join(work, 'failover/lab1'))).to.equal(false);
    expect(labsWithGuests()).to.deep.equal([]);
  });

  it("finds and stops a guest whose run directory is gone by its argv, and only that lab's", async () => {
    const gone = decoy(join(work, 'failover/lab2/hv.1/qemu.pid'));
    const other = decoy(join(work, 'failover/lab3/hv.0/qemu.pid'));
    procs.push(gone, other);
    await Promise.all([gone, other].map(waitSpawned));
    expect(labsWithGuests()).to.deep.equal(['lab2', 'lab3']);
    const rep = await stopLabGuests('lab2');
    await waitExit(gone);
    expect(rep.qemu).to.deep.equal([join(work, 'failover/lab2/hv.1')]);
    expect(rep.leftover).to.deep.equal([]);
    expect(alive(gone)).to.equal(false);
    expect(alive(other)).to.equal(true);
  });

  it('deletes the taps marked with the lab, and no other interface', async () => {
    const fake = new FakeHostNet();
    restore();
    restore = useHostNet(fake);
    fake.addLink(null, 'lab4-c2_3', { alias: 'fabric-lab=lab4' });
    fake.addLink(null, 'lab5-c2_3', { alias: 'fabric-lab=lab5' });
    fake.addLink(null, 'eth0');
    const rep = await stopLabGuests('lab4');
    expect(rep.taps).to.deep.equal(['lab4-c2_3']);
    expect([...fake.links.keys()].map((k) => k.split('/').pop()).sort()).to.deep.equal(['eth0', 'lab5-c2_3']);
  });

  it('reads a run directory from a QEMU argv only in its exact shape under the failover folder', () => {
    const root = '/run/fabric/failover';
    const argv = (f: string, bin = 'qemu-system-x86_64') => [bin, '-name', 'x', '-pidfile', f];
    expect(qemuRunDirOf(argv(`${root}/lab1/hv.0/qemu.pid`), root)).to.deep.equal({
      lab: 'lab1',
      runDir: `${root}/lab1/hv.0`,
    });
    expect(qemuRunDirOf(argv(`${root}/lab1/hv.0/qemu.pid`), `${root}/`)?.lab).to.equal('lab1');
    for (const bad of [
      argv(`${root}/lab1/hv.0/qemu.pid`, 'sleep'),
      argv(`${root}/lab1/qemu.pid`),
      argv(`${root}/lab1/hv.0/other.pid`),
      argv(`${root}/../x/hv.0/qemu.pid`),
      argv(`/elsewhere/lab1/hv.0/qemu.pid`),
      argv(`${root}x/lab1/hv.0/qemu.pid`),
      ['qemu-system-x86_64', '-name', 'x'],
    ])
      expect(qemuRunDirOf(bad, root), bad.join(' ')).to.equal(null);
  });

  it('is a no-op for a lab with no records', async () => {
    const rep = await stopLabGuests('nothing');
    expect(rep).to.deep.equal({
      lab: 'nothing',
      qemu: [],
      taps: [],
      captures: [],
      runDirs: [],
      inNetns: [],
      leftover: [],
    });
  });
});
