// The faults suite on real parts (root): a renamed copy of the reference lab, `fabric test
// --suite faults` flaps the dedicated line, restarts the shared ovs-vswitchd (other labs' flows
// are saved and restored; this lab is re-programmed) and kills a provider router, with canaries
// and real traffic in every window. Expect green, each fault proven, and the lab back on plan.
// after() restores whatever a failed run may have left: daemon running, flows programmed,
// every interface of the lab up, then tears the lab down.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { run, tryRun } from '../../src/hostnet/exec.js';
import { getRuntime } from '../../src/runtime/index.js';
import { ensureOvs } from '../../src/hostnet/ovs-daemon.js';
import type { ConformanceReport } from '../../src/report/result.js';
import { loadContext } from '../../src/conformance/context.js';
import { reprogramLab } from '../../src/conformance/fault-probe.js';
import { cli as runCli, networkLabCopy } from './lab-copy.js';

const LAB = 'flti';
// The network alone: the fault windows need no guest (the failover is judged on the full lab).
const { work, labFile, model } = networkLabCopy(LAB);
const cli = (args: string[]) => runCli(args, 600_000);

interface FaultsDoc {
  steps: {
    step: { kind: string; name: string };
    applied: string[];
    notApplied: string[];
    recoverySeconds: number | null;
    frames: number;
    canaries: { during: number };
    drift: string[];
  }[];
}

describe('faults suite on the reference lab (root, real OVS daemon restart)', function () {
  let report: ConformanceReport;
  let faults: FaultsDoc;
  let out = '';

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    await getRuntime('netns')
      .destroy(LAB)
      .catch(() => undefined);
    const up = await cli(['up', labFile]);
    expect(up.exitCode, up.stderr + up.stdout).to.equal(0);
    const r = await cli(['test', LAB, '--suite', 'faults']);
    out = r.stdout + r.stderr;
    const m = /evidence: (\S+)\/ \(/.exec(r.stdout);
    if (!m) throw new Error(`no evidence folder in output:\n${out.slice(-4000)}`);
    report = JSON.parse(readFileSync(join(m[1], 'report.json'), 'utf8')) as ConformanceReport;
    faults = JSON.parse(readFileSync(join(m[1], 'faults.json'), 'utf8')) as FaultsDoc;
  });

  after(async function () {
    this.timeout(120_000);
    if (process.getuid?.() !== 0) return;
    // Whatever a failed run left: the daemon runs, every lab interface is up, flows programmed.
    await ensureOvs().catch(() => undefined);
    const status = await getRuntime('netns')
      .status(LAB)
      .catch(() => null);
    for (const l of status?.links ?? []) {
      for (const e of l.endpoints) {
        await tryRun(
          'ip',
          e.netns
            ? ['-n', e.netns, 'link', 'set', 'dev', e.ifname, 'up']
            : ['link', 'set', 'dev', e.hostIf ?? e.ifname, 'up'],
        );
      }
    }
    await loadContext(LAB)
      .then(reprogramLab)
      .catch(() => undefined);
    await getRuntime('netns')
      .destroy(LAB)
      .catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  it('is green: isolation in every window, each fault proven, recovery checked', () => {
    const failed = report.checks.filter((c) => c.state !== 'passed');
    expect(
      failed.map((c) => `${c.id}: ${c.message}`),
      out.slice(-4000),
    ).to.deep.equal([]);
    expect(report.checks.map((c) => c.id)).to.include.members([
      'faults/each-fault-took-effect',
      'faults/isolation-in-every-window',
      'faults/recovered',
      'faults/delivery-after-recovery',
    ]);
  });

  it('ran every declared fault for real, with canaries while it was on', () => {
    expect(faults.steps.map((s) => s.step.kind)).to.deep.equal(['link-flap', 'vswitchd-restart', 'node-kill']);
    for (const s of faults.steps) {
      expect(s.notApplied, s.step.name).to.deep.equal([]);
      expect(s.applied.length, s.step.name).to.be.greaterThan(0);
      expect(s.canaries.during, s.step.name).to.be.greaterThan(0);
      expect(s.frames, s.step.name).to.be.greaterThan(0);
      expect(s.recoverySeconds, s.step.name).to.not.equal(null);
      expect(s.drift, s.step.name).to.deep.equal([]);
    }
    const restart = faults.steps.find((s) => s.step.kind === 'vswitchd-restart');
    expect(restart?.applied.join(' ')).to.match(/pid \d+ -> \d+/);
  });

  it('turns red, with frames from the restart window, when bridges are left in standalone mode', async function () {
    // The restart trap (docs/design-facts.md): after a restart a standalone bridge behaves as NORMAL and joins all
    // tenants. Programmed, it isolates (the plan's flows replace NORMAL); only the restart leaks.
    const bridges = ['dc1-sw', 'red-c1-sw'].map((n) => `${LAB}-${n}`);
    const ctx = await loadContext(LAB);
    try {
      for (const b of bridges) await run('ovs-vsctl', ['set', 'Bridge', b, 'fail_mode=standalone']);
      await reprogramLab(ctx); // changing fail_mode flushes the bridge's flows
      process.env.FABRIC_FAULT_STEPS = 'ovs-vswitchd-restart';
      const r = await cli(['test', LAB, '--suite', 'faults']);
      expect(r.exitCode, r.stdout.slice(-3000)).to.equal(1);
      const m = /evidence: (\S+)\/ \(/.exec(r.stdout);
      const rep = JSON.parse(readFileSync(join(m![1]!, 'report.json'), 'utf8')) as ConformanceReport;
      const iso = rep.checks.find((c) => c.id === 'faults/isolation-in-every-window');
      expect(iso?.state).to.equal('failed');
      expect(iso?.message).to.contain('[ovs-vswitchd-restart: isolation/canaries-stay-in-tenant]');
      expect(iso?.evidence.length).to.be.greaterThan(0);
      // The evidence points into the restart window's own run folder.
      const faultsDoc = JSON.parse(readFileSync(join(m![1]!, 'faults.json'), 'utf8')) as {
        steps: { runDir: string }[];
      };
      expect(iso?.evidence[0]?.file.startsWith(faultsDoc.steps[0]!.runDir + '/')).to.equal(true);
    } finally {
      delete process.env.FABRIC_FAULT_STEPS;
      for (const b of bridges) await run('ovs-vsctl', ['set', 'Bridge', b, 'fail_mode=secure']);
      await reprogramLab(ctx);
    }
  });

  it('leaves the lab on plan and passing the default suites', async () => {
    const d = await cli(['flows', LAB, '--diff']);
    expect(d.exitCode, d.stdout).to.equal(0);
    const r = await cli(['test', LAB, '--suite', 'isolation', 'delivery', 'overlap']);
    expect(r.exitCode, r.stdout.slice(-3000)).to.equal(0);
    expect(model.name).to.equal(LAB);
  });
});
