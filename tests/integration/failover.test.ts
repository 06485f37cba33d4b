// Nested-hypervisor failover for real (root): labs/failover deployed under its own name, five
// TCG guests (customer virtual hypervisor + 2 paused pool VMs on C1 and 2 on C2 in the other DC), a guest that cannot boot,
// isolation + failover suites before and after, a watched failure failover (probe per tenant,
// captures on every tenant port), evacuation to C2 by QEMU migration, fail-back, a failover
// across DCs (C1 fails while it carries the site: C2 in dc2 takes it over the dedicated line)
// and its fail-back, bad input, and a teardown that leaves no QEMU, tap, bridge or namespace. No assertion on wall time.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { tryRun } from '../../src/hostnet/exec.js';
import { netnsName } from '../../src/names/index.js';
import { getRuntime, readState } from '../../src/runtime/index.js';
import { computePlan, programLab, verifyLab } from '../../src/tagging/index.js';
import { loadLabText } from '../../src/topology/index.js';
import type { ConformanceReport } from '../../src/report/result.js';
import {
  failbackWithProbe,
  failoverWithProbe,
  failoverStatus,
  layoutOf,
  readFailoverState,
  releaseHandles,
  runFailback,
  runFailover,
  setupFailover,
  takeLock,
  teardownFailover,
  type Timeline,
} from '../../src/failover/index.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'tests/integration/cli-runner.ts')];
const LAB = 'fot';
const work = mkdtempSync(join(tmpdir(), 'fabric-fot-'));
process.env.FABRIC_STATE_DIR = join(work, 'state');
process.env.FABRIC_CAPTURE_DIR = join(work, 'captures');
const labFile = join(work, 'fabric.yml');
const text = readFileSync(join(ROOT, 'labs/failover/fabric.yml'), 'utf8').replace(/^name: failover$/m, `name: ${LAB}`);
writeFileSync(labFile, text);
const figures: Record<string, unknown> = {};

async function conformance(suites: string[]): Promise<ConformanceReport> {
  const r = await tryRun(process.execPath, [...CLI, 'test', LAB, '--no-failover', '--suite', ...suites], {
    timeout: 600_000,
  });
  const m = /evidence: (\S+)\/ \(/.exec(r.stdout);
  if (!m) throw new Error(`no evidence folder:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(readFileSync(join(m[1]!, 'report.json'), 'utf8')) as ConformanceReport;
}

function failed(r: ConformanceReport): string[] {
  return r.checks.filter((c) => c.state !== 'passed').map((c) => `${c.id}: ${c.message}`);
}

async function qemuPids(): Promise<number[]> {
  const r = await tryRun('pgrep', ['-f', `${work}/failover/${LAB}/`]);
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

describe('failover on labs/failover (root, QEMU TCG, real OVS)', function () {
  this.timeout(900_000);

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    await getRuntime('netns')
      .destroy(LAB)
      .catch(() => undefined);
    const state = await getRuntime('netns').deploy(loadLabText(text, labFile));
    await programLab(state);
  });

  after(async () => {
    releaseHandles();
    await teardownFailover(LAB).catch(() => undefined);
    await getRuntime('netns')
      .destroy(LAB)
      .catch(() => undefined);
    // The suite may run alone (no earlier suite made reports/).
    mkdirSync(join(ROOT, 'reports'), { recursive: true });
    writeFileSync(join(ROOT, 'reports', 'failover-figures.json'), JSON.stringify(figures, null, 1) + '\n');
    rmSync(work, { recursive: true, force: true });
  });

  it('a guest that fails to boot gives E_GUEST_BOOT and leaves no QEMU, tap or failover state', async () => {
    const err = await setupFailover(LAB, { extraAppend: ['rdinit=/nonexistent'], bootTimeoutMs: 120_000 }).then(
      () => null,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(err?.code, err?.message).to.equal('E_GUEST_BOOT');
    releaseHandles();
    expect(await qemuPids()).to.deep.equal([]);
    expect(readFailoverState(LAB)).to.equal(null);
    for (const v of layoutOf(readState(LAB)!.model).vms)
      expect((await tryRun('ip', ['link', 'show', v.tap])).exitCode, v.tap).to.not.equal(0);
    // The fabric is as programmed before.
    expect(
      (await verifyLab(readState(LAB)!.model)).filter((d) => d.missing.length || d.unexpected.length),
    ).to.deep.equal([]);
  });

  it('sets up the customer virtual hypervisor and a paused pool of two on C1', async () => {
    await setupFailover(LAB);
    const st = await failoverStatus(LAB);
    expect(st.map((v) => [v.vm, v.hypervisor, v.state, v.qemu])).to.deep.equal([
      ['hvc-v1', 'hvc', 'active', 'running'],
      ['c1-p1', 'c1', 'inactive', 'paused'],
      ['c1-p2', 'c1', 'inactive', 'paused'],
      ['c2-p1', 'c2', 'inactive', 'paused'],
      ['c2-p2', 'c2', 'inactive', 'paused'],
    ]);
  });

  it('before: isolation, tag stacks and the failover suite pass', async () => {
    const r = await conformance(['isolation', 'tag-stack', 'failover']);
    expect(failed(r)).to.deep.equal([]);
    expect(r.checks.filter((c) => c.suite === 'failover')).to.have.length.greaterThan(2);
  });

  it('bad input: unknown host and a second trigger during a failover are refused, nothing moves', async () => {
    const e1 = await runFailover(LAB, { trigger: 'failure', host: 'nohost' }).then(
      () => null,
      (e: { code?: string }) => e,
    );
    expect(e1?.code).to.equal('E_FAILOVER_HOST');
    const lock = takeLock(LAB, 'failover failure hvc (test holds the lock)');
    try {
      const e2 = await runFailover(LAB, { trigger: 'maintenance', host: 'hvc' }).then(
        () => null,
        (e: { code?: string; message: string }) => e,
      );
      expect(e2?.code).to.equal('E_FAILOVER_BUSY');
      expect(e2?.message).to.match(/already in progress/);
    } finally {
      lock.release();
    }
    expect(layoutOf(readState(LAB)!.model).hypervisors.find((h) => h.site)?.name).to.equal('hvc');
  });

  let tl: Timeline;
  it('failure of the customer hypervisor: activate on C1, move, re-tag, evacuate to C2, verify; no cross-tenant frame', async () => {
    tl = await failoverWithProbe(LAB, { trigger: 'failure', host: 'hvc' }, { seconds: 10, pps: 1000, leadMs: 1500 });
    figures.failover = tl;
    expect(tl.steps.map((s) => s.step)).to.include.members([
      'fail-host',
      'activate',
      'move',
      'retag',
      'evacuate',
      'verify',
    ]);
    expect(tl.placement).to.deep.equal({ 'hvc-v1': 'hvc', 'c1-p1': 'c1', 'c1-p2': 'c2', 'c2-p1': 'c2', 'c2-p2': 'c2' });
    expect(tl.migrations.map((m) => [m.vm, m.from, m.to])).to.deep.equal([['c1-p2', 'c1', 'c2']]);
    expect(tl.crossTenantFrames).to.equal(0);
    // Tag stacks during the move: every train frame on a tenant port (VXLAN in 802.1Q 4000 on the taps).
    expect(tl.stacksDuring?.violations, tl.stacksDuring?.samples.join('; ')).to.equal(0);
    expect(tl.stacksDuring?.checked).to.be.greaterThan(0);
    const red = tl.flows!.find((f) => f.tenant === 'red')!;
    const green = tl.flows!.find((f) => f.tenant === 'green')!;
    // The customer VM answered after the move (replies after the outage), green was never moved.
    expect(red.received).to.be.greaterThan(0);
    expect(red.longestRun === null || red.longestRun.last < red.sent).to.equal(true);
    expect(green.received).to.be.greaterThan(0);
    expect(tl.flowDiff.added).to.be.greaterThan(0);
    // The evacuated VM's QEMU is a new process whose tap is on C2's bridge.
    const st = await failoverStatus(LAB);
    expect(st.find((v) => v.vm === 'c1-p2')).to.include({ hypervisor: 'c2', qemu: 'paused' });
    expect(st.find((v) => v.vm === 'c1-p1')).to.include({ hypervisor: 'c1', state: 'active', qemu: 'running' });
  });

  it('status --json links each VM to the hypervisor it runs on (c1-p2 on c2)', async () => {
    const r = await tryRun(process.execPath, [...CLI, 'status', LAB, '--json']);
    const doc = JSON.parse(r.stdout) as {
      nodes: { name: string; hypervisor: string | null }[];
      links: { id: string; class: string; endpoints: { node: string; hostIf: string | null }[] }[];
    };
    expect(Object.fromEntries(doc.nodes.filter((n) => n.hypervisor).map((n) => [n.name, n.hypervisor]))).to.deep.equal({
      'hvc-v1': 'hvc',
      'c1-p1': 'c1',
      'c1-p2': 'c2',
      'c2-p1': 'c2',
      'c2-p2': 'c2',
    });
    const l = doc.links.find((x) => x.class === 'hypervisor' && x.endpoints.some((e) => e.node === 'c1-p2'))!;
    expect(l.endpoints.map((e) => e.node)).to.deep.equal(['c1-p2', 'c2']);
    expect((await tryRun('ovs-vsctl', ['port-to-br', l.endpoints[1]!.hostIf!])).stdout.trim()).to.equal(
      readState(LAB)!.model.nodes.find((n) => n.name === 'c2')!.bridge,
    );
  });

  it('after failover: isolation, tag stacks (VXLAN on the VTEP links), outer-IP placement and the failover suite pass (same IP and MAC from every DC)', async () => {
    const r = await conformance(['isolation', 'tag-stack', 'long-haul', 'failover']);
    expect(failed(r)).to.deep.equal([]);
  });

  it('a second failover of the same host is refused: it no longer hosts the site', async () => {
    const e = await runFailover(LAB, { trigger: 'failure', host: 'hvc' }).then(
      () => null,
      (x: { code?: string }) => x,
    );
    expect(e?.code).to.equal('E_FAILOVER_HOST');
  });

  it("fail-back: the site returns to hvc, C1's VM to the pool, the evacuee back to C1; no cross-tenant frame", async () => {
    const fb = await failbackWithProbe(LAB, { seconds: 10, pps: 1000, leadMs: 1500 });
    figures.failback = fb;
    expect(fb.placement).to.deep.equal({ 'hvc-v1': 'hvc', 'c1-p1': 'c1', 'c1-p2': 'c1', 'c2-p1': 'c2', 'c2-p2': 'c2' });
    expect(fb.crossTenantFrames).to.equal(0);
    // The incremental update carried what C1's copy had learned (the client's address) home.
    expect(fb.steps.find((x) => x.step === 'move')?.detail).to.match(/^[1-9]\d* neighbour entr/);
    expect(fb.stacksDuring?.violations, fb.stacksDuring?.samples.join('; ')).to.equal(0);
    const r = await conformance(['isolation', 'failover']);
    expect(failed(r)).to.deep.equal([]);
  });

  it('failure of C1 while it carries the site: the mirror evacuated to C2 in dc2 takes over there, across the dedicated line (a migrated guest, activated)', async () => {
    const first = await runFailover(LAB, { trigger: 'failure', host: 'hvc' });
    expect(first.placement).to.include({ 'c1-p1': 'c1', 'c1-p2': 'c2' });
    const tl2 = await failoverWithProbe(
      LAB,
      { trigger: 'failure', host: 'c1' },
      { seconds: 6, pps: 1000, leadMs: 1000 },
    );
    figures.secondFailover = tl2;
    expect(tl2.placement).to.deep.equal({
      'hvc-v1': 'hvc',
      'c1-p1': 'c1',
      'c1-p2': 'c2',
      'c2-p1': 'c2',
      'c2-p2': 'c2',
    });
    // A move across DCs: the site's attachment (Tag1) is now in dc2, and both DC switches took a delta.
    const holder = layoutOf(readState(LAB)!.model).hypervisors.find((h) => h.site);
    expect([holder?.name, holder?.dc]).to.deep.equal(['c2', 'dc2']);
    expect(computePlan(readState(LAB)!.model).sites.find((x) => x.tenant === 'red' && x.site === 'vm')?.dc).to.equal(
      'dc2',
    );
    expect(tl2.steps.find((x) => x.step === 'retag')?.detail).to.match(/ on dc1-sw, dc2-sw$/);
    const st = await failoverStatus(LAB);
    expect(st.find((v) => v.vm === 'c1-p2')).to.include({ hypervisor: 'c2', state: 'active', qemu: 'running' });
    expect(tl2.crossTenantFrames).to.equal(0);
    expect(tl2.stacksDuring?.violations, tl2.stacksDuring?.samples.join('; ')).to.equal(0);
    // Restored: the migrated guest answers before the train ends.
    const red = tl2.flows!.find((f) => f.tenant === 'red')!;
    expect(red.received).to.be.greaterThan(0);
    expect(red.longestRun === null || red.longestRun.last < red.sent, JSON.stringify(red.longestRun)).to.equal(true);
    // After the move: isolation, and the customer VM answering at 10.20.30.50 with its declared MAC
    // from red's clients in dc1 and in dc2 (no stale MAC entry sends its frames to dc1).
    const r = await conformance(['isolation', 'failover']);
    expect(failed(r)).to.deep.equal([]);
    expect(r.checks.find((c) => c.id === 'failover/customer-vms-same-ip-and-mac')?.stats?.asked).to.equal(2);
  });

  it('fail-back from dc2 returns the site to hvc in dc1', async () => {
    const fb = await runFailback(LAB);
    figures.crossDcFailback = { restorationMs: fb.restorationMs, steps: fb.steps };
    const holder = layoutOf(readState(LAB)!.model).hypervisors.find((h) => h.site);
    expect([holder?.name, holder?.dc]).to.deep.equal(['hvc', 'dc1']);
    expect(fb.steps.find((x) => x.step === 'retag')?.detail).to.match(/ on dc1-sw, dc2-sw$/);
    // The verify step compared the live flows with the plan; the clients of both DCs reach the VM
    // at home with its MAC (a conformance run here would double this step's time).
    for (const client of ['red-c0-h1', 'red-c1-h1']) {
      const ns = netnsName(LAB, client);
      const ping = await tryRun('ip', [
        'netns',
        'exec',
        ns,
        'ping',
        '-n',
        '-c',
        '2',
        '-i',
        '0.3',
        '-W',
        '2',
        '10.20.30.50',
      ]);
      expect(ping.stdout, client).to.match(/ [12] received/);
      const neigh = await tryRun('ip', ['netns', 'exec', ns, 'ip', 'neigh', 'show', '10.20.30.50']);
      expect(neigh.stdout, client).to.include('02:00:00:00:00:50');
    }
  });

  it('teardown leaves no QEMU, tap, run directory or failover state', async () => {
    const taps = layoutOf(readState(LAB)!.model).vms.map((v) => v.tap);
    releaseHandles();
    await teardownFailover(LAB);
    expect(await qemuPids()).to.deep.equal([]);
    for (const t of taps) expect((await tryRun('ip', ['link', 'show', t])).exitCode, t).to.not.equal(0);
    expect(existsSync(join(work, 'failover', LAB))).to.equal(false);
    expect(readFailoverState(LAB)).to.equal(null);
  });
});
