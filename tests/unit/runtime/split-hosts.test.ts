// `fabric up <lab> --hosts hosts.yml`: the lab emulated on the user's own hosts (names, underlay
// and management addresses from the file, placed as `fabric generate --hosts` places it), the
// subnets and the client address derived from them; files the emulation cannot run give golden,
// located errors; two labs' emulations share no namespace, folder or interface of the machine.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { DiagnosticsError } from '../../../src/errors/diagnostics.js';
import { generateForHosts, parseHosts } from '../../../src/scaleout/index.js';
import { planLab } from '../../../src/runtime/netns/plan.js';
import { splitPlan } from '../../../src/runtime/netns/split.js';
import { hostJobs, hostWiringLines } from '../../../src/runtime/netns/split-deploy.js';
import { commonPrefix, emulatedNets } from '../../../src/runtime/netns/split-hosts.js';
import { loadLab, loadLabText } from '../../../src/topology/index.js';
import type { LabModel } from '../../../src/topology/model.js';
import { golden } from '../../helpers/golden.js';
import { summary } from '../../../src/cli/up.js';
import type { LabState } from '../../../src/runtime/types.js';
import { MTDC_NETWORK } from '../scaleout/labs.js';

const ROOT = 'tests/golden/scaleout';
const hosts = (file: string) => parseHosts(readFileSync(file, 'utf8'), file);

describe('fabric up --hosts hosts.yml: the emulation on the user hosts', () => {
  let model: LabModel;
  before(async () => {
    model = await loadLab(MTDC_NETWORK);
  });

  it('takes names and addresses from the file, placed as fabric generate places them', () => {
    const hf = hosts(join(ROOT, 'emulated-hosts.yml'));
    const { record } = splitPlan(model, planLab(model), hf);
    expect(record.hosts.map((h) => [h.name, h.netns, h.address, h.mgmt])).to.deep.equal([
      ['rack-a', 'fh-mtdc-rack-a', '172.16.5.10', '10.50.0.1'],
      ['rack-b', 'fh-mtdc-rack-b', '172.16.5.11', '10.50.0.2'],
    ]);
    expect(record.client).to.equal('10.50.0.254');
    const gen = JSON.parse(generateForHosts(model, hf, 'x').record) as { switches: object[] };
    expect(record.switches).to.deep.equal(gen.switches);
    for (const s of record.switches) expect(s.listen).to.match(/^ptcp:\d+:10\.50\.0\.[12]$/);
    const lines = hostJobs(record).flatMap((j) => (j.kind === 'ip-batch' ? j.lines : []));
    expect(lines).to.include.members([
      'addr add 172.16.5.10/24 dev ul',
      'addr add 10.50.0.2/24 dev mg',
      'addr add 10.50.0.254/24 dev br',
    ]);
    expect(record.stitched.flatMap((s) => s.ends.map((e) => e.remote))).to.have.members([
      '172.16.5.11',
      '172.16.5.10',
      '172.16.5.11',
      '172.16.5.10',
    ]);
  });

  it('keeps the defaults for a number of hosts', () => {
    const { record } = splitPlan(model, planLab(model), 2);
    expect(record.hosts.map((h) => [h.address, h.mgmt])).to.deep.equal([
      ['192.0.2.1', '10.99.0.1'],
      ['192.0.2.2', '10.99.0.2'],
    ]);
    expect(record.client).to.equal('10.99.0.254');
    expect([record.underlayPrefix, record.mgmtPrefix]).to.deep.equal([24, 24]);
  });

  it('derives each subnet from the addresses (at most /24) and a free client address', () => {
    expect(commonPrefix(['10.1.0.1', '10.1.0.2'])).to.equal(24);
    expect(commonPrefix(['10.1.0.1', '10.1.1.2'])).to.equal(23);
    expect(commonPrefix(['10.0.0.1', '10.128.0.1'])).to.equal(8);
    expect(commonPrefix(['10.0.0.1', '192.168.0.1'])).to.equal(0);
    const hf = parseHosts(
      'hosts:\n  - { name: a, address: 192.0.2.1, mgmt: 10.7.0.254 }\n  - { name: b, address: 192.0.2.2, mgmt: 10.7.1.1 }\n',
      'h.yml',
    );
    // /23 of 10.7.0.0: 10.7.1.254 is free.
    expect(emulatedNets(hf)).to.deep.equal({ underlayPrefix: 24, mgmtPrefix: 23, client: '10.7.1.254' });
    const taken = parseHosts(
      'hosts:\n  - { name: a, address: 192.0.2.1, mgmt: 10.7.0.254 }\n  - { name: b, address: 192.0.2.2, mgmt: 10.7.0.1 }\n',
      'h.yml',
    );
    expect(emulatedNets(taken).client).to.equal('10.7.0.253');
  });

  it('gives two labs emulations that share nothing of the machine', async () => {
    const other = loadLabText(readFileSync(MTDC_NETWORK, 'utf8').replace(/^name: mtdc$/m, 'name: mtdc2'), 'x.yml');
    const a = splitPlan(model, planLab(model), 2);
    const b = splitPlan(other, planLab(other), 2);
    // The same addresses, each inside its own lab's namespaces; no namespace, folder or root interface shared.
    expect(a.record.hosts.map((h) => h.address)).to.deep.equal(b.record.hosts.map((h) => h.address));
    expect(a.plan.objects.netns.filter((n) => b.plan.objects.netns.includes(n))).to.deep.equal([]);
    expect(a.record.hosts.map((h) => h.dir).filter((d) => b.record.hosts.some((x) => x.dir === d))).to.deep.equal([]);
    expect([...a.plan.objects.rootIfs, ...b.plan.objects.rootIfs]).to.deep.equal([]);
    // Every wiring line creates its ends inside the lab's own namespaces.
    for (const { record } of [a, b]) {
      const mine = new Set([...record.hosts.map((h) => h.netns), record.underlay, record.mgmt]);
      for (const l of hostWiringLines(record)) {
        const ns = [...l.matchAll(/ netns (\S+)/g)].map((m) => m[1]!);
        expect(ns.length, l).to.equal(2);
        for (const n of ns) expect(mine.has(n), l).to.equal(true);
      }
    }
  });

  describe('refuses, located, a hosts file the emulation cannot run', () => {
    const dir = join(ROOT, 'emulated-bad');
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.yml'))
      .sort())
      it(`${file} → ${file.replace(/\.yml$/, '.err')}`, () => {
        const path = join(dir, file);
        let err: unknown;
        try {
          splitPlan(model, planLab(model), hosts(path));
        } catch (e) {
          err = e;
        }
        expect(err).to.be.instanceOf(DiagnosticsError);
        const d = err as DiagnosticsError;
        for (const x of d.diagnostics) {
          expect(x.file).to.equal(path);
          expect(x.line, x.message).to.be.a('number');
          expect(x.hint, x.message).to.be.a('string').and.not.equal('');
        }
        golden(path.replace(/\.yml$/, '.err'), d.format() + '\n');
      });
  });
});

describe("fabric up's summary of a split lab", () => {
  it('lists each emulated host: namespace, addresses, daemon PIDs, bridges', async () => {
    const model = await loadLab(MTDC_NETWORK);
    const { record } = splitPlan(model, planLab(model), hosts(join(ROOT, 'emulated-hosts.yml')));
    record.hosts[0]!.pids = { ovsdbServer: 101, ovsVswitchd: 102 };
    const state = { model, runtime: 'netns', split: record } as unknown as LabState;
    const text = summary(state, 1234);
    const n = (h: string) => record.switches.filter((s) => s.host === h).length;
    expect(text).to.contain('  hosts    2 emulated; underlay in fh-mtdc-ul (MTU 1600), management in fh-mtdc-mg');
    expect(text).to.contain(
      `    rack-a  fh-mtdc-rack-a  172.16.5.10/24  mgmt 10.50.0.1  ovsdb-server 101, ovs-vswitchd 102  ${n('rack-a')} bridges`,
    );
    expect(text).to.contain(
      `    rack-b  fh-mtdc-rack-b  172.16.5.11/24  mgmt 10.50.0.2  no daemons  ${n('rack-b')} bridges`,
    );
    expect(n('rack-a') + n('rack-b')).to.equal(record.switches.length);
    expect(summary({ ...state, split: undefined } as LabState, 1)).to.not.contain('emulated');
  });
});
