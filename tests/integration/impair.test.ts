// Link impairment on real parts (root): a two-DC lab declares delay, jitter, loss, duplication,
// reordering and rate on its dedicated line; fabric up splices the relay in (tbf for the rate),
// the impairment suite measures the link from the captures of both its ends and is green; with
// the relay doing other than its record says (other duplication and reordering set behind the
// record's back) and with the impairment cleared at run time (fabric.yml still declares it) the
// same suite is red; fabric down leaves no relay process and no namespace behind.
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { cli } from './lab-copy.js';
import { hostNet } from '../../src/hostnet/index.js';
import type { ConformanceReport } from '../../src/report/result.js';

const LAB = 'imptest';
const work = mkdtempSync(join(tmpdir(), `fabric-${LAB}-`));
process.env.FABRIC_STATE_DIR = join(work, 'state');
process.env.FABRIC_CAPTURE_DIR = join(work, 'captures');
const labFile = join(work, 'fabric.yml');
writeFileSync(
  labFile,
  `name: ${LAB}
datacenters:
  dc1: {}
  dc2: {}
interconnects:
  - between: [dc1, dc2]
    impair: { delay: 20ms, jitter: 2ms, loss: 2%, duplicate: 2%, reorder: 5%, rate: 10mbit }
tenants:
  red:
    sites:
      - { name: c1, type: client, dc: dc1, systems: [ { name: h1, vlan: 100, ip: 10.20.30.10/24 } ] }
      - { name: k1, type: cloud, dc: dc2, systems: [ { name: v1, vlan: 100, ip: 10.20.30.50/24 } ] }
`,
);
const LINK = 'dc1-ic:p2--dc2-ic:p2';

function lastReport(out: string): ConformanceReport {
  const m = /evidence: (\S+)\/ \(/.exec(out);
  if (!m) throw new Error(`no evidence folder in output:\n${out}`);
  return JSON.parse(readFileSync(join(m[1], 'report.json'), 'utf8')) as ConformanceReport;
}

const states = (r: ConformanceReport): Record<string, string> =>
  Object.fromEntries(r.checks.filter((c) => c.suite === 'impairment').map((c) => [c.id, c.state]));

interface Measure {
  delayMs: { p50: number };
  sent: number;
  duplicates: number;
  reordered: number;
}

async function leftovers(): Promise<string[]> {
  return [...(await hostNet().ip.listNetns())].filter((n) => n.startsWith(`clab-${LAB}-`));
}

describe('link impairment measured from both ends (root, real OVS)', function () {
  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    await cli(['down', LAB]);
    const up = await cli(['up', labFile]);
    expect(up.exitCode, up.stderr + up.stdout).to.equal(0);
    expect(up.stdout).to.match(
      /impair .*dc1-ic:p2--dc2-ic:p2: inserted \(delay relay, jitter relay, loss relay, duplicate relay, reorder relay, rate tbf\)/,
    );
  });

  after(async () => {
    await cli(['down', LAB]);
    rmSync(work, { recursive: true, force: true });
  });

  it('the impairment suite is a default on this lab and green: the link does what was declared', async () => {
    const r = await cli(['test', LAB, '--grep', 'impairment']);
    const report = lastReport(r.stdout);
    expect(states(report), r.stdout.slice(-3000)).to.deep.equal({
      'impairment/delay': 'passed',
      'impairment/loss': 'passed',
      'impairment/duplicate': 'passed',
      'impairment/reorder': 'passed',
      'impairment/rate': 'passed',
    });
    const m = JSON.parse(readFileSync(join(report.runDir, 'impair', 'measure.json'), 'utf8')) as {
      links: { trains: { kind: string; measure: Measure }[] }[];
    };
    for (const t of m.links[0]!.trains.filter((x) => x.kind === 'frames')) {
      expect(t.measure.sent).to.equal(1000);
      expect(t.measure.delayMs.p50).to.be.within(19.5, 22);
      // Served, not just accepted: copies and out-of-order arrivals are seen at the far end.
      expect(t.measure.duplicates).to.be.greaterThan(0);
      expect(t.measure.reordered).to.be.greaterThan(0);
    }
  });

  it('is red when the relay duplicates and reorders other than declared (judged from the captures)', async () => {
    // Another duplication and reordering set at run time, then the record put back to the
    // declared block: the relay now does other than what the record (and fabric.yml) says, as
    // a relay whose settings read back right but which misbehaves would.
    const stateFile = join(work, 'state', 'impair', `${LAB}.json`);
    const declared = JSON.parse(readFileSync(stateFile, 'utf8')) as { links: { spec: unknown }[] };
    const set = await cli([
      'impair',
      LAB,
      LINK,
      '--delay',
      '20ms',
      '--jitter',
      '2ms',
      '--loss',
      '2%',
      '--rate',
      '10mbit',
    ]);
    expect(set.exitCode, set.stderr).to.equal(0);
    const now = JSON.parse(readFileSync(stateFile, 'utf8')) as { links: { spec: unknown }[] };
    now.links[0]!.spec = declared.links[0]!.spec;
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(now));
    renameSync(`${stateFile}.tmp`, stateFile);
    const r = await cli(['test', LAB, '--suite', 'impairment']);
    expect(r.exitCode).to.not.equal(0);
    const report = lastReport(r.stdout);
    const s = states(report);
    expect(s, r.stdout.slice(-3000)).to.include({
      'impairment/loss': 'passed',
      'impairment/duplicate': 'failed',
      'impairment/reorder': 'failed',
    });
    const why = (id: string): string => report.checks.find((c) => c.id === id)?.message ?? '';
    expect(why('impairment/duplicate')).to.match(/duplication declared 2\.00 %, measured 0\.00 %/);
    expect(why('impairment/reorder')).to.match(/reordering declared 5\.00 %, measured 0\.00 %/);
  });

  it('is red when the impairment is missing (cleared at run time, still declared)', async () => {
    const c = await cli(['impair', LAB, LINK, '--clear']);
    expect(c.exitCode, c.stderr).to.equal(0);
    const r = await cli(['test', LAB, '--suite', 'impairment']);
    expect(r.exitCode).to.not.equal(0);
    const s = states(lastReport(r.stdout));
    expect(s['impairment/delay']).to.equal('failed');
    expect(s['impairment/loss']).to.equal('failed');
    expect(s['impairment/rate']).to.equal('failed');
    expect(s['impairment/duplicate']).to.equal('failed');
    expect(s['impairment/reorder']).to.equal('failed');
  });

  it('fabric impair changes it at run time; fabric down leaves no relay and no namespace', async () => {
    const i = await cli(['impair', LAB, LINK, '--delay', '5ms', '--loss', '1%']);
    expect(i.exitCode, i.stderr).to.equal(0);
    expect(i.stdout).to.contain('delay 5ms loss 1% (inserted; delay relay, loss relay)');
    const bad = await cli(['impair', LAB, LINK, '--jitter', '9ms', '--delay', '1ms']);
    expect(bad.exitCode).to.equal(2);
    expect(bad.stderr).to.contain('E_IMPAIR_VALUE');
    const state = JSON.parse(readFileSync(join(work, 'state', 'impair', `${LAB}.json`), 'utf8')) as {
      links: { relay: { process: { pid: number } } }[];
    };
    const pid = state.links[0]!.relay.process.pid;
    const d = await cli(['down', LAB]);
    expect(d.exitCode, d.stderr).to.equal(0);
    expect(d.stdout).to.contain('stopped 1 impairment relays');
    expect(await leftovers()).to.deep.equal([]);
    expect(existsSync(join(work, 'state', 'impair', LAB))).to.equal(false);
    expect(() => process.kill(pid, 0)).to.throw();
  });
});
