// Nothing left running, and crash safety (root, real parts, QEMU TCG). A netns-only lab (labs/failover
// without its hypervisors) takes kill -9 of `up`, `test` and `capture` at five points each; a small
// hypervisor lab (a customer hypervisor, C1 with a pool of two, C2 as the evacuation target: three
// guests) takes `failover setup` then `fabric down --all`, and kill -9 of `failover` at five points:
// setup while its guests boot and while it stages them, trigger and failback while a migration
// runs, and the failover `fabric test` runs there. Every point is found from state (a progress
// line, a capture run's state file, a guest's pidfile), never from a delay. The netns-only lab on
// the docker runtime takes kill -9 of `up --runtime docker` at four progress points. After each
// kill `fabric down` must leave no namespace, link, bridge, tap, QEMU, tcpdump, container or run
// directory; after a killed `up`, a new `up` completes (naming the interrupted phase it found) or
// fails with a code.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { tryRun } from '../../src/hostnet/exec.js';
import { labContainers } from '../../src/runtime/docker/containers.js';
import { dockerClient, ensureDockerd } from '../../src/runtime/docker/engine.js';
import { loadLabText } from '../../src/topology/index.js';
import { changedIntent } from '../helpers/change-intent.js';
import { ROOT } from './lab-copy.js';
import { fabric, killAt, leftovers, pidfileOfGen, qemuOf, type KillPoint } from './kill-helpers.js';
import { captureReached } from './capture-state.js';

const work = mkdtempSync(join(tmpdir(), 'fabric-lc-'));
process.env.FABRIC_STATE_DIR = join(work, 'state');
process.env.FABRIC_CAPTURE_DIR = join(work, 'captures');
const base = readFileSync(join(ROOT, 'labs/failover/fabric.yml'), 'utf8');
const NET = 'lcn';
const HV = 'lcv';
const netFile = join(work, 'lcn.yml');
const hvFile = join(work, 'lcv.yml');
writeFileSync(netFile, base.replace(/^name: failover$/m, `name: ${NET}`).replace(/^hypervisors:[\s\S]*$/m, ''));
const hvText = base
  .replace(/^name: failover$/m, `name: ${HV}`)
  .replace(
    /^ {2}- \{ name: c2, (dc: \w+), type: ha, pool: 2(, mirrors: \w+)? \}.*$/m,
    '  - { name: c2, $1, type: ha$2 }',
  );
// Three guests, or the kill points below wait on guests that are not there.
if (/name: c2, [^}]*pool/.test(hvText)) throw new Error(`${hvFile}: C2 keeps its pool; the lab's C2 line changed`);
writeFileSync(hvFile, hvText);
// Every interface of a hypervisor bridge may be a tap of one of its guests.
const taps = loadLabText(hvText, hvFile)
  .nodes.filter((n) => n.role === 'hypervisor')
  .flatMap((n) => n.interfaces.map((i) => i.name));

async function downClean(lab: string, what: string): Promise<void> {
  const d = await fabric(['down', lab]);
  expect(d.exitCode, `${what}: down\n${d.stdout}\n${d.stderr}`).to.equal(0);
  expect(await leftovers(lab, work, taps), what).to.deep.equal([]);
}

async function ok(args: string[]): Promise<void> {
  const r = await fabric(args);
  expect(r.exitCode, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).to.equal(0);
}

async function up(file: string | string[]): Promise<void> {
  const r = await fabric(['up', ...[file].flat()]);
  expect(r.exitCode, `up\n${r.stdout}\n${r.stderr}`).to.equal(0);
}

/** The hypervisor lab up, with its guests booted (by `up` or `failover setup`) or left out. */
async function upHv(guests: boolean): Promise<void> {
  await up(guests ? hvFile : [hvFile, '--no-guests']);
  const set = existsSync(join(work, 'failover', `${HV}.json`));
  if (guests && !set) await ok(['failover', 'setup', HV]);
  if (!guests && set) await ok(['failover', 'teardown', HV]);
}

const stage = /^ {2}\S+ +[\d.]+ m?s/;

/** The phase a lab's state file records (null without one), read as `fabric up` will read it. */
function labPhase(lab: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(work, 'state', `${lab}.json`), 'utf8')) as { phase: string }).phase;
  } catch {
    return null;
  }
}
// Kill points reached before the verb ended by itself, per test: most must be real kills.
let killed = 0;

// Root hook: both suites share the work folder.
after(() => rmSync(work, { recursive: true, force: true }));

describe('lifecycle: nothing left running, crash safety (root, QEMU TCG)', function () {
  this.timeout(900_000);

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    for (const l of [NET, HV]) await fabric(['down', l]);
  });

  after(async () => {
    for (const l of [NET, HV]) await fabric(['down', l]);
  });

  beforeEach(() => {
    killed = 0;
  });
  afterEach(function () {
    if (this.currentTest?.title.startsWith('kill -9') && this.currentTest.state === 'passed')
      expect(killed, `${this.currentTest.title}: points reached before the verb ended`).to.be.at.least(4);
  });

  it('fabric down --all stops the failover guests (QEMU, taps) and removes their run directories', async () => {
    await upHv(true);
    expect(qemuOf(work)).to.have.length(3);
    // --all limited by --prefix: the machine is shared with other labs. `fabric down <lab>` with
    // guests running follows every failover kill point below.
    const d = await fabric(['down', '--all', '--prefix', HV]);
    expect(d.exitCode, `${d.stdout}\n${d.stderr}`).to.equal(0);
    expect(d.stdout).to.contain(`lab ${HV}: stopped 3 QEMU guests`);
    expect(await leftovers(HV, work, taps), 'after down --all').to.deep.equal([]);
  });

  it('kill -9 of up at 5 progress points: a new up completes or names what it found; down leaves nothing', async () => {
    for (let k = 1; k <= 5; k++) {
      const r = await killAt(['up', netFile], { match: stage, lines: k });
      killed += r.killed ? 1 : 0;
      if (k % 2) {
        const phase = labPhase(NET);
        const again = await fabric(['up', netFile]);
        const what = `up after kill ${k} (state phase ${phase}):\n${again.stdout}\n${again.stderr}`;
        expect(again.exitCode === 0 || /E_[A-Z_]+/.test(again.stderr), what).to.equal(true);
        // A completed up over an interrupted one says what it found.
        if (again.exitCode === 0 && phase && phase !== 'deployed')
          expect(again.stdout, what).to.contain(`found lab ${NET} in phase ${phase}`);
      }
      await downClean(NET, `up killed at stage line ${k} (killed: ${r.killed})`);
    }
  });

  for (const [verb, args, points] of [
    // test: after each of its first five stages (context, learn, capture start, traffic, canaries).
    [
      'test',
      ['test', NET, '--suite', 'isolation'],
      [1, 2, 3, 4, 5].map((k) => ({ match: /^ {2}\[stage\] /, lines: k })),
    ],
    // capture: run folder made, first capturer spawned, all spawned, all listening, stopping.
    [
      'capture',
      ['capture', NET, 'start', '--duration', '3'],
      (['state', 'spawning', 'spawned', 'capturing', 'stopping'] as const).map((at) => ({
        when: () => captureReached(join(work, 'captures', NET), at),
        label: `capture: ${at}`,
      })),
    ],
  ] as const)
    it(`kill -9 of ${verb} at 5 points: down leaves nothing`, async () => {
      for (const p of points) {
        await up(netFile);
        // One run folder at a time: the state checks read the newest run.
        rmSync(join(work, 'captures', NET), { recursive: true, force: true });
        const r = await killAt([...args], p);
        killed += r.killed ? 1 : 0;
        const label = 'label' in p ? p.label : `${verb}: stage line ${p.lines}`;
        await downClean(NET, `${label} (killed: ${r.killed})`);
        process.stdout.write(`      ${label}: killed ${r.killed}\n`);
      }
    });

  it('kill -9 of failover setup (twice), trigger, failback and test mid-failover: down leaves no QEMU, tap or run directory', async () => {
    const runs = join(work, 'failover', HV);
    const setup = ['failover', 'setup', HV];
    const trigger = ['failover', 'trigger', HV, '--kind', 'failure', '--host', 'hvc'];
    const failback = ['failover', 'failback', HV];
    // State-based points: setup while its guests boot (a pidfile of generation 0, before the
    // "booted" line) and with its guests booted (staging the mirrors); trigger while the
    // evacuee's migration target runs; failback while the evacuee's return migration runs; and
    // fabric test while the failover it runs on a lab with hypervisors migrates the evacuee.
    const test = ['test', HV, '--suite', 'failover'];
    const points: [string[], KillPoint][] = [
      [setup, { when: () => pidfileOfGen(runs, 0), label: 'setup: guests booting' }],
      [setup, { match: /^ {2}booted \d+ virtual/, label: 'setup: guests booted' }],
      [trigger, { when: () => pidfileOfGen(runs, 1), label: 'trigger: migration target started' }],
      [failback, { when: () => pidfileOfGen(runs, 2), label: 'failback: return migration started' }],
      [test, { when: () => pidfileOfGen(runs, 1), label: "test: its failover's migration target started" }],
    ];
    for (const [args, p] of points) {
      const t0 = Date.now();
      await upHv(args !== setup);
      if (args === failback) await ok(trigger);
      const r = await killAt(args, p);
      killed += r.killed ? 1 : 0;
      await downClean(HV, `${p.label} (killed: ${r.killed})\n${r.stdout}`);
      process.stdout.write(`      ${p.label}: killed ${r.killed}, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    }
  });
});

describe('lifecycle: a converging up (root)', function () {
  this.timeout(300_000);
  const lab = 'lcc';
  const file = join(work, 'lcc.yml');
  const text = base.replace(/^name: failover$/m, `name: ${lab}`).replace(/^hypervisors:[\s\S]*$/m, '');

  before(function () {
    if (process.getuid?.() !== 0) this.skip();
  });
  after(async () => {
    await fabric(['down', lab]);
  });

  async function hostMatches(t: string, prev?: string): Promise<void> {
    const m = loadLabText(t, file);
    const ns = (await tryRun('ip', ['netns', 'list'])).stdout
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter((n) => n.startsWith(`clab-${lab}-`))
      .sort();
    expect(ns).to.deep.equal(
      m.nodes
        .filter((n) => n.kind === 'linux')
        .map((n) => `clab-${lab}-${n.name}`)
        .sort(),
    );
    const br = (
      await tryRun('ovs-vsctl', ['--bare', '--columns=name', 'find', 'Bridge', `external_ids:fabric-lab=${lab}`])
    ).stdout
      .split('\n')
      .filter(Boolean)
      .sort();
    expect(br).to.deep.equal(
      m.nodes
        .filter((n) => n.kind === 'ovs-bridge')
        .map((n) => n.bridge ?? n.name)
        .sort(),
    );
    // No port of a dropped link is left behind on a kept bridge.
    const old = prev ? loadLabText(prev, file) : m;
    for (const n of m.nodes.filter((x) => x.kind === 'ovs-bridge')) {
      const dropped = (old.nodes.find((o) => o.name === n.name)?.interfaces ?? []).map((i) => i.name);
      const ports = (await tryRun('ovs-vsctl', ['list-ports', n.bridge ?? n.name])).stdout.split('\n').filter(Boolean);
      const known = n.interfaces.map((i) => i.name);
      expect(
        ports.filter((p) => dropped.includes(p) && !known.includes(p)),
        n.name,
      ).to.deep.equal([]);
    }
  }

  it('prints the difference (--dry-run changes nothing), then removes what was dropped and adds what is new', async () => {
    writeFileSync(file, text);
    await up(file);
    await hostMatches(text);
    const changed = changedIntent(text);
    writeFileSync(file, changed);
    const dry = await fabric(['up', file, '--dry-run']);
    expect(dry.exitCode, dry.stderr).to.equal(0);
    expect(dry.stdout).to.match(/nodes 1 added, 2 removed, 2 changed; links 1 added, 2 removed/);
    expect(dry.stdout).to.contain('- node green-c1-h1');
    await hostMatches(text);
    const r = await fabric(['up', file]);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).to.equal(0);
    expect(r.stdout)
      .to.contain('+ node red-c0-h2')
      .and.to.match(/prune .*2 links removed/);
    await hostMatches(changed, text);
    const t = await fabric(['test', lab, '--suite', 'isolation']);
    expect(t.exitCode, `${t.stdout}\n${t.stderr}`).to.equal(0);
    const again = await fabric(['up', file, '--dry-run']);
    expect(again.stdout).to.contain('no difference');
  });
});

describe('lifecycle: kill -9 of up on the docker runtime (root, dockerd)', function () {
  this.timeout(600_000);
  const lab = 'lcd';
  const file = join(work, 'lcd.yml');
  writeFileSync(file, base.replace(/^name: failover$/m, `name: ${lab}`).replace(/^hypervisors:[\s\S]*$/m, ''));

  /** The netns leftovers, plus the lab's containers (by label), state file and container topology. */
  async function dockerLeftovers(): Promise<string[]> {
    const cs = (await labContainers(dockerClient(), lab)).map((c) => `container ${c.name}`);
    const files = [join(work, 'state', `${lab}.json`), join(work, 'state', `${lab}.clab.yml`)].filter((f) =>
      existsSync(f),
    );
    return [...(await leftovers(lab, work)), ...cs, ...files.map((f) => `file ${f}`)];
  }

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    try {
      // The engine is the product's: the docker runtime starts dockerd itself when its socket is silent.
      await ensureDockerd();
    } catch (err) {
      console.log(`    [skip] docker crash suite: dockerd cannot start: ${(err as Error).message}`);
      this.skip();
    }
    await fabric(['down', lab]);
  });
  after(async () => {
    await fabric(['down', lab]);
  });

  it('kill -9 of up --runtime docker at 4 progress points: down leaves no container, namespace, bridge or file', async () => {
    let reached = 0;
    // After: the engine and image stages, the OVS daemon check, the containers, the veths.
    for (const k of [2, 3, 4, 5]) {
      const r = await killAt(['up', file, '--runtime', 'docker'], { match: stage, lines: k });
      reached += r.killed ? 1 : 0;
      const d = await fabric(['down', lab]);
      expect(d.exitCode, `down after kill at stage line ${k}\n${d.stdout}\n${d.stderr}`).to.equal(0);
      expect(
        await dockerLeftovers(),
        `up --runtime docker killed at stage line ${k} (killed: ${r.killed})`,
      ).to.deep.equal([]);
    }
    expect(reached, 'points reached before up ended').to.be.at.least(3);
  });
});
