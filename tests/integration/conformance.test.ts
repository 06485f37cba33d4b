// Tag programming and conformance on real parts (root): the reference lab (renamed) comes up
// programmed with its virtual hypervisors booted and customer VMs answering, independent captures decoded by tshark show the documented stacks, `fabric test`
// is green, every listed mutation and a hand-made one turn it red with frame evidence, and an
// ovs-vswitchd-style flow wipe leaves secure bridges dropping, never leaking.
import { readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { run, tryRun } from '../../src/hostnet/exec.js';
import { getRuntime } from '../../src/runtime/index.js';
import type { StatusDoc } from '../../src/runtime/types.js';
import { computePlan } from '../../src/tagging/index.js';
import { cli, referenceLabCopy } from './lab-copy.js';
import type { ConformanceReport } from '../../src/report/result.js';
import { startCapture, type CaptureStatusDoc } from '../../src/capture/index.js';

const LAB = 'cfm';
const { work, labFile, model } = referenceLabCopy(LAB);
const plan = computePlan(model);

function lastReport(out: string): ConformanceReport {
  const m = /evidence: (\S+)\/ \(/.exec(out);
  if (!m) throw new Error(`no evidence folder in output:\n${out}`);
  return JSON.parse(readFileSync(join(m[1], 'report.json'), 'utf8')) as ConformanceReport;
}

describe('tag programming and conformance on the reference lab (root, real OVS)', function () {
  let status: StatusDoc;

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    await getRuntime('netns')
      .destroy(LAB)
      .catch(() => undefined);
    const up = await cli(['up', labFile]);
    expect(up.exitCode, up.stderr + up.stdout).to.equal(0);
    expect(up.stdout).to.match(/tags .* flows, \d+ groups on \d+ bridges/);
    // The guests stage: 5 QEMU virtual hypervisors; every customer VM answered from every DC.
    expect(up.stdout).to.match(/^ {2}guests .* 5 virtual hypervisors/m);
    expect(up.stdout).to.match(/^ {2}vms .* (\d+)\/\1 answered: .* from dc1, dc2, dc3$/m);
    status = await getRuntime('netns').status(LAB);
  });

  after(async () => {
    // fabric down stops the guests too (QEMU by PID, taps, run directories).
    const d = await cli(['down', LAB]);
    expect(d.exitCode, d.stdout + d.stderr).to.equal(0);
    expect(existsSync(join(work, 'failover', LAB)), 'run directories left').to.equal(false);
    rmSync(work, { recursive: true, force: true });
  });

  it('programs exactly the planned flows (fabric flows --diff)', async () => {
    const r = await cli(['flows', LAB, '--diff']);
    expect(r.exitCode, r.stdout).to.equal(0);
    expect(r.stdout).to.not.contain('DRIFT');
  });

  it("shows the documented stacks to tcpdump + tshark with the plan's decode hints", async () => {
    const linkOf = (cls: string, pick: (l: StatusDoc['links'][number]) => boolean) => {
      const l = status.links.find((x) => x.class === cls && pick(x));
      if (!l) throw new Error(`no ${cls} link`);
      return l;
    };
    const p1p2 = linkOf('long-haul', (l) => l.endpoints.every((e) => ['p1', 'p2'].includes(e.node)));
    const prov = linkOf('provider', () => true);
    // Plain tcpdump on one end of each link (the capture orchestrator only waits until it listens).
    const session = await startCapture(status as unknown as CaptureStatusDoc, {
      selection: { links: [p1p2.id, prov.id], nodes: ['p1', 'prov-a'] },
      root: join(work, 'indep'),
      merge: false,
    });
    await tryRun('ip', ['netns', 'exec', `clab-${LAB}-red-c1-h1`, 'ping', '-c', '4', '-i', '0.3', '10.20.30.52'], {
      timeout: 20_000,
    });
    const manifest = await session.stop();
    const fileOf = (linkId: string) =>
      join(session.runDir, manifest.files.find((f) => f.linkId === linkId)?.file as string);
    const files = { lh: fileOf(p1p2.id), prov: fileOf(prov.id) };
    const hints = Object.keys(plan.decodeHints).flatMap((l) => ['-d', `mpls.label==${l},pwethnocw`]);
    const fields = async (file: string, f: string[]) =>
      (await run('tshark', ['-r', file, ...hints, '-T', 'fields', ...f.flatMap((x) => ['-e', x])])).stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
    const redC1 = plan.sites.find((s) => s.tenant === 'red' && s.site === 'c1');
    const redDom = plan.domains.find((d) => d.tenant === 'red' && d.ownVlan === 100);
    const dc3 = plan.dcs.find((d) => d.name === 'dc3')?.dcTag;
    const lsp = plan.lsps.find((l) => l.from === 'dc1' && l.to === 'dc3');
    const hop = lsp?.hops.find((h) => h.from.node === 'p1');
    const lh = (
      await fields(files.lh, ['mpls.label', 'mpls.ttl', 'ieee8021ad.id', 'vlan.id', 'ip.src', 'ip.dst'])
    ).find((r) => r[4] === '10.20.30.10');
    expect(lh, 'an echo request on p1-p2').to.not.equal(undefined);
    expect(lh?.[0]).to.equal(`${hop?.label},${dc3}`);
    expect(lh?.[1]).to.equal(`${hop?.ttl},64`);
    expect(lh?.[2]).to.equal(String(redC1?.hostTag));
    expect(lh?.[3]).to.equal(String(redDom?.customerTag));
    const pv = (await fields(files.prov, ['ip.src', 'udp.dstport', 'vxlan.vni', 'mpls.label'])).find((r) =>
      r[0].endsWith(',10.20.30.10'),
    );
    expect(pv, 'an echo request on the provider link').to.not.equal(undefined);
    expect(pv?.[0]).to.equal(`${plan.provider?.local},10.20.30.10`);
    expect(pv?.[1]).to.equal('4789');
    expect(pv?.[2]).to.equal(String(plan.provider?.vni));
  });

  it('fabric test is green on every suite with 0 skipped, a watched failover and fail-back included, with evidence on disk', async () => {
    const r = await cli(['test', LAB]);
    expect(r.exitCode, r.stdout.slice(-4000) + r.stderr.slice(-2000)).to.equal(0);
    const rep = lastReport(r.stdout);
    expect(rep.summary.failed).to.equal(0);
    expect(rep.summary.skipped).to.equal(0);
    expect(rep.checks.length).to.be.at.least(13);
    expect(rep.suites).to.include('failover');
    expect(rep.checks.filter((c) => c.suite === 'failover').every((c) => c.state === 'passed')).to.equal(true);
    // The failover timeline: a failure of hv3 (blue's k3 over the long haul) and its fail-back.
    expect(rep.failover?.map((m) => `${m.action} ${m.site}`)).to.deep.equal(['failover blue/k3', 'failback blue/k3']);
    for (const m of rep.failover ?? []) {
      expect(m.restorationMs, m.action).to.not.equal(null);
      expect(m.crossTenantFrames, m.action).to.equal(0);
    }
    expect(readFileSync(join(rep.runDir, 'report.html'), 'utf8')).to.contain('id="failover"');
    for (const s of ['failover', 'failback']) expect(r.stderr).to.match(new RegExp(`\\[stage\\] ${s} +[\\d.]+ s`));
    expect(existsSync(join(rep.runDir, 'manifest.json'))).to.equal(true);
    expect(rep.hops.length).to.equal(3);
  });

  it('--mutate kills every listed misprogramming from frames and restores the flows', async () => {
    const r = await cli(['test', LAB, '--mutate']);
    expect(r.stdout, r.stdout.slice(-3000)).to.contain('mutation score: 5/5 (100%)');
    expect(r.exitCode, r.stdout.slice(-3000)).to.equal(0);
    const d = await cli(['flows', LAB, '--diff']);
    expect(d.exitCode, d.stdout).to.equal(0);
  });

  it('a hand-made misprogramming (wrong DC label on the dedicated line) turns it red and points to frames', async () => {
    const ic = status.nodes.find((n) => n.name === 'dc1-ic');
    const dc2Tag = plan.dcs.find((d) => d.name === 'dc2')?.dcTag;
    const dump = (await run('ovs-ofctl', ['-O', 'OpenFlow15', 'dump-flows', ic?.bridge as string, '--no-stats']))
      .stdout;
    const flow = dump.split('\n').find((l) => l.includes(`set_field:${dc2Tag}->mpls_label`));
    expect(flow, dump).to.not.equal(undefined);
    const match = (flow as string)
      .trim()
      .split(' actions=')[0]
      .replace(/cookie=\S+,?\s*/, '')
      .replace(/^table=0,\s*/, '');
    const actions = (flow as string)
      .split(' actions=')[1]
      .replace(`set_field:${dc2Tag}->mpls_label`, `set_field:${dc2Tag! + 77}->mpls_label`);
    await run('ovs-ofctl', [
      '-O',
      'OpenFlow15',
      '--strict',
      'mod-flows',
      ic?.bridge as string,
      `${match},actions=${actions}`,
    ]);
    const r = await cli(['test', LAB, '--suite', 'tag-stack', 'delivery']);
    expect(r.exitCode).to.equal(1);
    const rep = lastReport(r.stdout);
    const failed = rep.checks.filter((c) => c.state === 'failed');
    expect(failed.map((c) => c.id)).to.include('tag-stack/canaries-match-plan');
    expect(
      failed
        .flatMap((c) => c.evidence)
        .some((e) => e.file.endsWith('.pcap') && e.frame > 0 && e.decoded.includes(`MPLS ${dc2Tag! + 77}`)),
    ).to.equal(true);
    const p = await cli(['program', LAB]);
    expect(p.exitCode, p.stderr).to.equal(0);
  });

  it('after the flows are wiped (as an ovs-vswitchd restart does) secure bridges drop and nothing crosses tenants, until fabric program', async () => {
    for (const n of status.nodes.filter((x) => x.kind === 'ovs-bridge' && x.role !== 'access-switch'))
      await run('ovs-ofctl', ['-O', 'OpenFlow15', 'del-flows', n.bridge as string]);
    const r = await cli(['test', LAB, '--suite', 'isolation', 'delivery']);
    const rep = lastReport(r.stdout);
    const ids = (s: string) => rep.checks.find((c) => c.id === s)?.state;
    expect(ids('isolation/canaries-stay-in-tenant')).to.equal('passed');
    expect(ids('isolation/no-fabric-tag-at-client')).to.equal('passed');
    expect(ids('delivery/every-destination')).to.equal('failed');
    const p = await cli(['program', LAB]);
    expect(p.exitCode).to.equal(0);
    const again = await cli(['test', LAB, '--suite', 'delivery']);
    expect(again.exitCode, again.stdout.slice(-2000)).to.equal(0);
  });
});
