// The partially virtualized arrangement for real (root, seed 000 FIG. 1-2): labs/failover-partial
// under its own name. red's customer VM runs on a traditional hypervisor (a host stack beside
// the physical hypervisor's bridge, VXLAN to its bridge device); a host failure moves it into a
// paused virtual hypervisor of C1's pool, the rest of the pool is evacuated to C2 by QEMU
// migration, and fail-back returns it to the host. Suites before and after; no assertion on time.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { tryRun } from '../../src/hostnet/exec.js';
import { getRuntime, readState } from '../../src/runtime/index.js';
import { programLab } from '../../src/tagging/index.js';
import { loadLabText } from '../../src/topology/index.js';
import type { ConformanceReport } from '../../src/report/result.js';
import {
  failbackWithProbe,
  failoverStatus,
  failoverWithProbe,
  releaseHandles,
  setupFailover,
  teardownFailover,
} from '../../src/failover/index.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'tests/integration/cli-runner.ts')];
const LAB = 'fop';
const work = mkdtempSync(join(tmpdir(), 'fabric-fop-'));
process.env.FABRIC_STATE_DIR = join(work, 'state');
process.env.FABRIC_CAPTURE_DIR = join(work, 'captures');
const labFile = join(work, 'fabric.yml');
const text = readFileSync(join(ROOT, 'labs/failover-partial/fabric.yml'), 'utf8').replace(
  /^name: failover-partial$/m,
  `name: ${LAB}`,
);
writeFileSync(labFile, text);

async function conformance(suites: string[]): Promise<ConformanceReport> {
  const r = await tryRun(process.execPath, [...CLI, 'test', LAB, '--no-failover', '--suite', ...suites], {
    timeout: 600_000,
  });
  const m = /evidence: (\S+)\/ \(/.exec(r.stdout);
  if (!m) throw new Error(`no evidence folder:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(readFileSync(join(m[1]!, 'report.json'), 'utf8')) as ConformanceReport;
}

const failed = (r: ConformanceReport): string[] =>
  r.checks.filter((c) => c.state !== 'passed').map((c) => `${c.id}: ${c.message}`);
const customerNs = `clab-${LAB}-hvc-host-v1`;

describe('failover from a traditional hypervisor (labs/failover-partial, root, QEMU TCG)', function () {
  this.timeout(900_000);

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    await getRuntime('netns')
      .destroy(LAB)
      .catch(() => undefined);
    await programLab(await getRuntime('netns').deploy(loadLabText(text, labFile)));
  });

  after(async () => {
    releaseHandles();
    await teardownFailover(LAB).catch(() => undefined);
    await getRuntime('netns')
      .destroy(LAB)
      .catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  it('sets up the host stack with its customer VM and a paused pool of two on C1; suites pass', async () => {
    await setupFailover(LAB);
    const st = await failoverStatus(LAB);
    expect(st.map((v) => [v.vm, v.hypervisor, v.state, v.qemu])).to.deep.equal([
      ['hvc-host', 'hvc', 'active', 'host up'],
      ['c1-p1', 'c1', 'inactive', 'paused'],
      ['c1-p2', 'c1', 'inactive', 'paused'],
      ['c2-p1', 'c2', 'inactive', 'paused'],
      ['c2-p2', 'c2', 'inactive', 'paused'],
    ]);
    expect((await tryRun('ip', ['-n', customerNs, '-br', 'addr', 'show', 'eth1'])).stdout).to.contain('10.20.30.50/24');
    const r = await conformance(['isolation', 'tag-stack', 'long-haul', 'failover']);
    expect(failed(r)).to.deep.equal([]);
  });

  it("host failure: the VM moves into C1's pool, the rest goes to C2, no cross-tenant frame; suites pass with the host down", async () => {
    const tl = await failoverWithProbe(
      LAB,
      { trigger: 'failure', host: 'hvc' },
      { seconds: 8, pps: 1000, leadMs: 1500 },
    );
    expect(tl.placement).to.deep.equal({
      'hvc-host': 'hvc',
      'c1-p1': 'c1',
      'c1-p2': 'c2',
      'c2-p1': 'c2',
      'c2-p2': 'c2',
    });
    expect(tl.crossTenantFrames).to.equal(0);
    expect(tl.stacksDuring?.violations, tl.stacksDuring?.samples.join('; ')).to.equal(0);
    expect(tl.stacksDuring?.checked).to.be.greaterThan(0);
    expect(tl.flows!.find((f) => f.tenant === 'red')!.received).to.be.greaterThan(0);
    const st = await failoverStatus(LAB);
    expect(st.find((v) => v.vm === 'hvc-host')).to.include({ state: 'failed', qemu: 'host down' });
    expect(st.find((v) => v.vm === 'c1-p1')).to.include({ state: 'active', qemu: 'running' });
    const r = await conformance(['isolation', 'tag-stack', 'long-haul', 'failover']);
    expect(failed(r)).to.deep.equal([]);
  });

  it('fail-back: the host returns and carries the site again; teardown removes the customer VM namespace and every QEMU', async () => {
    const fb = await failbackWithProbe(LAB, { seconds: 8, pps: 1000, leadMs: 1500 });
    expect(fb.placement).to.deep.equal({
      'hvc-host': 'hvc',
      'c1-p1': 'c1',
      'c1-p2': 'c1',
      'c2-p1': 'c2',
      'c2-p2': 'c2',
    });
    expect(fb.crossTenantFrames).to.equal(0);
    // The incremental update carried what C1's copy had learned (the client's address) home.
    expect(fb.steps.find((x) => x.step === 'move')?.detail).to.match(/^[1-9]\d* neighbour entr/);
    expect((fb.verified ?? []).some((v) => v.startsWith('v1 in hvc-host'))).to.equal(true);
    const r = await conformance(['isolation', 'failover']);
    expect(failed(r)).to.deep.equal([]);
    releaseHandles();
    await teardownFailover(LAB);
    expect((await tryRun('ip', ['netns', 'list'])).stdout).to.not.contain(customerNs);
    expect((await tryRun('pgrep', ['-f', `${work}/failover/${LAB}/`])).stdout.trim()).to.equal('');
    expect(readState(LAB)?.phase).to.equal('deployed');
  });
});
