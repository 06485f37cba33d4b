// A split lab's bridges are all in its emulated hosts' databases, so deploying, programming,
// checking and removing it never asks this machine's OVS: no `list Bridge` of this machine's
// database (over the fake adapter), and port numbers read only from the hosts' databases (the
// real adapter, with a recording ovs-vsctl first in PATH).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FakeHostNet } from '../../../src/hostnet/fake.js';
import { dropOvsSites, useHostNet, useOvsSites } from '../../../src/hostnet/index.js';
import { realHostNet } from '../../../src/hostnet/real.js';
import { NetnsRuntime } from '../../../src/runtime/netns/index.js';
import { planLab } from '../../../src/runtime/netns/plan.js';
import { splitPlan, splitSites } from '../../../src/runtime/netns/split.js';
import { computePlan, renderPrograms } from '../../../src/tagging/index.js';
import { applyPrograms } from '../../../src/tagging/apply.js';
import { loadLab } from '../../../src/topology/index.js';
import type { LabModel } from '../../../src/topology/model.js';
import { MTDC_NETWORK } from '../scaleout/labs.js';

describe("a split lab never asks this machine's OVS", () => {
  let model: LabModel;
  let work: string;
  const saved = process.env.FABRIC_STATE_DIR;
  let sites: ReturnType<typeof splitSites> = [];
  before(async () => {
    model = await loadLab(MTDC_NETWORK);
    sites = splitSites(splitPlan(model, planLab(model), 2).record, model);
  });
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'fabric-own-'));
    process.env.FABRIC_STATE_DIR = join(work, 'state');
  });
  afterEach(() => {
    dropOvsSites(sites.map((s) => s.bridge));
    if (saved === undefined) delete process.env.FABRIC_STATE_DIR;
    else process.env.FABRIC_STATE_DIR = saved;
    rmSync(work, { recursive: true, force: true });
  });

  it('up, programming and down: no list of the machine database, port numbers asked per bridge', async () => {
    const fake = new FakeHostNet();
    for (const s of sites) fake.addBridge(s.bridge);
    // The fake does not read ovs-vsctl transactions: the ports are there already.
    for (const b of planLab(model).ovsBridges) for (const p of b.ports) await fake.ovs.addPort(b.name, p.name);
    const restore = useHostNet(fake);
    try {
      const rt = new NetnsRuntime();
      await rt.deploy(model, { hosts: 2 });
      await applyPrograms(renderPrograms(model, computePlan(model)));
      await rt.destroy(model.name);
    } finally {
      restore();
    }
    const ops = fake.calls.map((c) => c.op);
    expect(ops).to.include('daemon.startAt');
    expect(ops).to.include('daemon.stopAt');
    for (const op of ['ovs.bridges', 'daemon.ensure']) expect(ops, `the machine OVS asked (${op})`).to.not.include(op);
    // An empty list runs no command.
    for (const c of fake.calls.filter((x) => x.op === 'ovs.delBridges')) expect(c.args[0]).to.deep.equal([]);
    const ofp = fake.calls.filter((c) => c.op === 'ovs.ofports');
    expect(ofp.length).to.be.greaterThan(0);
    for (const c of ofp)
      expect((c.args[0] as string[] | undefined)?.length, 'ofports without its bridges').to.be.greaterThan(0);
  });

  it('reads port numbers from the hosts databases alone when every bridge asked is elsewhere', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'fabric-vsctl-'));
    const log = join(bin, 'calls');
    writeFileSync(log, '');
    writeFileSync(join(bin, 'ovs-vsctl'), `#!/bin/sh\necho "$*" >> ${log}\necho '"p1",1'\n`);
    chmodSync(join(bin, 'ovs-vsctl'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      useOvsSites(sites);
      const ports = await realHostNet.ovs.ofports(sites.map((s) => s.bridge));
      expect(ports.get('p1')).to.equal(1);
      const calls = readFileSync(log, 'utf8').trim().split('\n');
      expect(calls.length).to.equal(2);
      for (const c of calls) expect(c).to.match(/^--db=unix:\/run\/fabric\/hosts\/mtdc\/h[12]\/db\.sock /);
      // A bridge of this machine among them: its database is asked too.
      writeFileSync(log, '');
      await realHostNet.ovs.ofports([sites[0]!.bridge, 'lab-br0']);
      const mixed = readFileSync(log, 'utf8').trim().split('\n');
      expect(mixed.filter((c) => !c.startsWith('--db=')).length).to.equal(1);
      expect(mixed.length).to.equal(2);
    } finally {
      process.env.PATH = path;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
