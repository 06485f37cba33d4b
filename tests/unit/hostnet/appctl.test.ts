// ovs-appctl through the real adapter, with a recording ovs-appctl first in PATH: a command about
// a bridge of an emulated host asks that host's ovs-vswitchd (`-t <its control socket>`), anything
// else this machine's; a switch on another machine, or bridges of two hosts at once, are refused.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { realHostNet } from '../../../src/hostnet/real.js';
import { dropOvsSites, useOvsSites, useRemoteSwitches } from '../../../src/hostnet/ovs-sites.js';
import { planLab } from '../../../src/runtime/netns/plan.js';
import { splitPlan, splitSites } from '../../../src/runtime/netns/split.js';
import { loadLab } from '../../../src/topology/index.js';
import { MTDC_NETWORK } from '../scaleout/labs.js';

describe('ovs-appctl: routed to the ovs-vswitchd that runs the bridge', () => {
  let bin: string;
  const path = process.env.PATH;
  let sites: ReturnType<typeof splitSites>;
  before(async () => {
    bin = mkdtempSync(join(tmpdir(), 'fabric-appctl-'));
    writeFileSync(join(bin, 'ovs-appctl'), '#!/bin/sh\necho "$*"\n');
    chmodSync(join(bin, 'ovs-appctl'), 0o755);
    process.env.PATH = `${bin}:${path}`;
    const model = await loadLab(MTDC_NETWORK);
    sites = splitSites(splitPlan(model, planLab(model), 2).record);
    useOvsSites(sites);
  });
  after(() => {
    process.env.PATH = path;
    dropOvsSites([...sites.map((s) => s.bridge), 'far-br']);
    rmSync(bin, { recursive: true, force: true });
  });
  const appctl = (args: string[], o?: { bridge?: string }) => realHostNet.ovs.appctl(args, o);

  it('sends fdb/flush, fdb/show and bridge/dump-flows of a host bridge to its host daemon', async () => {
    const h1 = sites.find((s) => s.netns.endsWith('-h1'))!;
    const h2 = sites.find((s) => s.netns.endsWith('-h2'))!;
    expect(h1.ctl).to.equal('/run/fabric/hosts/mtdc/h1/ovs-vswitchd.ctl');
    for (const verb of ['fdb/flush', 'fdb/show', 'bridge/dump-flows'])
      expect((await appctl([verb, h1.bridge])).trim()).to.equal(`-t ${h1.ctl} ${verb} ${h1.bridge}`);
    expect((await appctl(['fdb/flush', h2.bridge])).trim()).to.equal(`-t ${h2.ctl} fdb/flush ${h2.bridge}`);
    // A command naming no bridge goes where it is told, or to this machine's daemon.
    expect((await appctl(['coverage/show'], { bridge: h2.bridge })).trim()).to.equal(`-t ${h2.ctl} coverage/show`);
    expect((await appctl(['coverage/show'])).trim()).to.equal('coverage/show');
    expect((await appctl(['fdb/flush', 'lab-br0'])).trim()).to.equal('fdb/flush lab-br0');
    expect((await appctl(['-t', '/run/x.ctl', 'fdb/flush', h1.bridge])).trim()).to.equal(
      `-t /run/x.ctl fdb/flush ${h1.bridge}`,
    );
  });

  it('refuses bridges of two hosts at once, and a switch on another machine', async () => {
    const h1 = sites.find((s) => s.netns.endsWith('-h1'))!;
    const h2 = sites.find((s) => s.netns.endsWith('-h2'))!;
    let err: unknown;
    await appctl(['ofproto/trace', h1.bridge, h2.bridge]).catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/different emulated hosts/);
    useRemoteSwitches([{ bridge: 'far-br', connect: 'tcp:10.99.0.9:6653' }]);
    err = undefined;
    await appctl(['fdb/flush', 'far-br']).catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/another machine/);
  });

  it('refuses a control socket outside /run', () => {
    expect(() => useOvsSites([{ ...sites[0]!, ctl: '/tmp/x.ctl' }])).to.throw(/control socket/);
    expect(() => useOvsSites([{ ...sites[0]!, ctl: '/run/../etc/x.ctl' }])).to.throw(/control socket/);
  });
});
