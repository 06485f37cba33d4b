// Transit through intermediate DCs on real parts (root): the ring of four DCs (two dedicated lines,
// two long-haul paths, no full mesh) comes up programmed, every default suite is green (reach
// judged from the intent), `fabric trace` follows a frame stitched in a transit DC with Tag3
// swapped per segment, and every mutation, the transit ones included, is killed from frames.
import { readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect } from 'chai';
import { getRuntime } from '../../src/runtime/index.js';
import { computePlan } from '../../src/tagging/index.js';
import { dcPath } from '../../src/tagging/dc-routes.js';
import { cli, labCopy } from './lab-copy.js';
import type { ConformanceReport } from '../../src/report/result.js';

const LAB = 'trr4';
const { work, labFile, model } = labCopy('ring4', LAB);
const plan = computePlan(model);

function lastReport(out: string): ConformanceReport {
  const m = /evidence: (\S+)\/ \(/.exec(out);
  if (!m) throw new Error(`no evidence folder in output:\n${out}`);
  return JSON.parse(readFileSync(join(m[1], 'report.json'), 'utf8')) as ConformanceReport;
}

describe('transit through intermediate DCs on a ring of four (root, real OVS)', function () {
  let report: ConformanceReport | undefined;

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    await getRuntime('netns')
      .destroy(LAB)
      .catch(() => undefined);
    const up = await cli(['up', labFile]);
    expect(up.exitCode, up.stderr + up.stdout).to.equal(0);
  });

  after(async () => {
    await getRuntime('netns')
      .destroy(LAB)
      .catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  it('plans a transit path for the DCs with no direct one, and shows it', async () => {
    expect(dcPath(plan, 'dc1', 'dc3')).to.have.length(3);
    const r = await cli(['plan', LAB]);
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/dc1-dc3\s+dc1 > dc[24] > dc3\s+dc[24]/);
  });

  it('fabric test is green on every default suite, reachability judged from the intent', async () => {
    const r = await cli(['test', LAB]);
    expect(r.exitCode, r.stdout.slice(-4000)).to.equal(0);
    report = lastReport(r.stdout);
    expect(report.summary.failed).to.equal(0);
    const reach = report.checks.filter((c) => c.id.startsWith('reach/'));
    expect(reach.map((c) => c.state)).to.deep.equal(['passed', 'passed', 'passed']);
    // The hop picture of red (dc1 → dc3) crosses the transit DC's switch.
    const red = report.hops.find((h) => h.tenant === 'red');
    expect(red?.hops.some((h) => h.from.startsWith('dc2-sw') || h.from.startsWith('dc4-sw'))).to.equal(true);
  });

  it('fabric trace follows a stitched frame: Tag3 of the transit DC, then of the destination DC', async () => {
    if (!report) throw new Error('no report from the green run');
    const runTag = basename(report.runDir)
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(-8);
    // red's unicast canary to its first peer (red-k3-v1, two DCs away).
    const r = await cli(['trace', report.runDir, '--contains', `red.c1.h1.${runTag}.1`, '--json']);
    expect(r.exitCode, r.stderr).to.equal(0);
    const t = JSON.parse(r.stdout) as { hops: { linkClass: string; stack: string; to: { node: string } }[] };
    const path = dcPath(plan, 'dc1', 'dc3') as string[];
    const tag = (dc: string) => plan.dcs.find((d) => d.name === dc)?.dcTag;
    const labels = t.hops.flatMap((h) => [...h.stack.matchAll(/MPLS (\d+) ttl \d+ \[S\]/g)].map((m) => Number(m[1])));
    expect([...new Set(labels)]).to.deep.equal([tag(path[1]), tag(path[2])]);
    expect(t.hops[t.hops.length - 1]?.to.node).to.equal('red-k3-v1');
  });

  it('--mutate kills every misprogramming, the transit ones included, and restores the flows', async () => {
    const r = await cli(['test', LAB, '--mutate']);
    expect(r.stdout, r.stdout.slice(-3000)).to.contain('mutation score: 7/7 (100%)');
    expect(r.stdout)
      .to.match(/wrong-tag3-at-transit/)
      .and.match(/stitch-floods-back/);
    expect(r.exitCode, r.stdout.slice(-3000)).to.equal(0);
    const d = await cli(['flows', LAB, '--diff']);
    expect(d.exitCode, d.stdout).to.equal(0);
  });
});
