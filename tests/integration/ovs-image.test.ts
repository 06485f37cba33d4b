// The fabric OVS image, proven with the file that names it: the smallest lab's clabernetes Topology
// embeds a containerlab definition whose switches are `linux` nodes of fabric/ovs:1 with exec
// lines that start ovsdb-server and ovs-vswitchd and build the bridge. That definition is deployed
// by the containerlab stand-in (`fabric clab deploy`), and ovs-vsctl / ovs-ofctl inside the switch
// containers answer with the bridge, its ports (access VLAN, trunk) and the access switch's flow;
// one `fabric program --containers` then programs every switch inside its container. (root, dockerd)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse, stringify } from 'yaml';
import { labCopy, cli } from './lab-copy.js';
import { dockerClient } from '../../src/runtime/docker/engine.js';
import { readRecord } from '../../src/runtime/clabfile/record.js';

const LAB = 'fovs';
const copy = labCopy('tiny', LAB, 'tests/golden/topology/ok/minimal/fabric.yml');
const C9S = join(copy.work, `${LAB}.c9s.yml`);
const DEF = join(copy.work, `${LAB}.clab.yml`);

async function ok(args: string[]): Promise<string> {
  const r = await cli(args);
  if (r.exitCode !== 0)
    throw new Error(`fabric ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout.slice(-3000)}`);
  return r.stdout;
}

/** A command inside a container (docker exec), its printable output and exit code. */
async function inContainer(name: string, cmd: string[]): Promise<{ out: string; code: number | null }> {
  const ex = await dockerClient().getContainer(name).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await ex.start({ hijack: true, stdin: false });
  let out = '';
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${name}: ${cmd.join(' ')} did not end in 20 s`)), 20_000);
    stream.on('data', (d: Buffer) => (out += d.toString('latin1')));
    stream.on('end', () => {
      clearTimeout(timer);
      res();
    });
  });
  const r = await ex.inspect();
  // Docker frames each chunk with an 8-byte header: keep the printable text.
  return { out: out.replace(/[^\x20-\x7e\n]/g, ''), code: r.ExitCode };
}

describe('fabric/ovs:1: the clabernetes definition of a lab runs its switches (root, dockerd)', function () {
  this.timeout(600_000);

  before(async () => {
    await ok(['images', 'build', '--role', 'ovs', 'host']);
    await ok(['generate', copy.labFile, '--clabernetes', '--out', C9S]);
    const resource = parse(readFileSync(C9S, 'utf8')) as { spec: { definition: { containerlab: string } } };
    const topo = parse(resource.spec.definition.containerlab) as { name: string };
    expect(topo.name).to.equal(LAB);
    writeFileSync(DEF, stringify(topo));
  });

  after(async () => {
    if (readRecord(LAB)) await cli(['clab', 'destroy', LAB]);
  });

  it('deploys the definition: the switch containers run fabric/ovs:1 and their exec lines succeed', async () => {
    const out = await ok(['clab', 'deploy', '-t', DEF]);
    expect(out).to.contain(`lab ${LAB} deployed`);
    const cs = await dockerClient().listContainers({ filters: { label: [`containerlab=${LAB}`] } });
    const images = new Map(cs.map((c) => [c.Names[0], (c as unknown as { Image: string }).Image]));
    expect(images.get(`/clab-${LAB}-red-c1-sw`)).to.equal('fabric/ovs:1');
    expect(images.get(`/clab-${LAB}-dc1-sw`)).to.equal('fabric/ovs:1');
  });

  it('ovs-vsctl inside the access switch shows its bridge, the access port and the trunk', async () => {
    const br = `${LAB}-red-c1-sw`;
    const show = await inContainer(`clab-${LAB}-red-c1-sw`, ['ovs-vsctl', 'show']);
    expect(show.code, show.out).to.equal(0);
    expect(show.out).to.contain(`Bridge ${br}`).and.contain('datapath_type: netdev').and.contain('fail_mode: secure');
    const access = await inContainer(`clab-${LAB}-red-c1-sw`, ['ovs-vsctl', 'get', 'Port', 'fovs-rd-c1-sw_2', 'tag']);
    expect(access.out.trim()).to.equal('10');
    const trunk = await inContainer(`clab-${LAB}-red-c1-sw`, ['ovs-vsctl', 'get', 'Port', 'fovs-rd-c1-sw_1', 'trunks']);
    expect(trunk.out.trim()).to.equal('[10]');
    const limit = await inContainer(`clab-${LAB}-red-c1-sw`, [
      'ovs-vsctl',
      'get',
      'Open_vSwitch',
      '.',
      'other_config:vlan-limit',
    ]);
    expect(limit.out.trim()).to.equal('"2"');
  });

  it('ovs-ofctl inside the containers answers: the access switch has its NORMAL flow, the DC switch none yet', async () => {
    const acc = await inContainer(`clab-${LAB}-red-c1-sw`, ['ovs-ofctl', 'dump-flows', `${LAB}-red-c1-sw`]);
    expect(acc.code, acc.out).to.equal(0);
    expect(acc.out).to.match(/priority=0 actions=NORMAL/);
    const dc = await inContainer(`clab-${LAB}-dc1-sw`, ['ovs-ofctl', 'show', `${LAB}-dc1-sw`]);
    expect(dc.code, dc.out).to.equal(0);
    expect(dc.out).to.contain(`${LAB}-dc1-sw_1`);
    const flows = await inContainer(`clab-${LAB}-dc1-sw`, ['ovs-ofctl', 'dump-flows', `${LAB}-dc1-sw`]);
    expect(flows.out).to.not.contain('actions=');
  });

  it('one fabric program drives the switches in their containers (docker exec); flows --diff then finds no drift', async () => {
    const drift = await cli(['flows', copy.labFile, '--diff', '--containers']);
    expect(drift.exitCode, drift.stdout + drift.stderr).to.equal(1);
    expect(drift.stdout).to.match(/^dc1-sw\s+DRIFT \d+ missing/m);
    const p = await ok(['program', copy.labFile, '--containers']);
    expect(p).to.match(/ on (\d+) bridges .* through docker exec in \1 containers/);
    const clean = await cli(['flows', copy.labFile, '--diff', '--containers']);
    expect(clean.exitCode, clean.stdout + clean.stderr).to.equal(0);
    expect(clean.stdout).to.not.match(/DRIFT/);
    const flows = await inContainer(`clab-${LAB}-dc1-sw`, [
      'ovs-ofctl',
      '-O',
      'OpenFlow15',
      'dump-flows',
      `${LAB}-dc1-sw`,
    ]);
    expect(flows.out.match(/actions=/g)?.length ?? 0).to.be.greaterThan(5);
  });

  it('destroy leaves nothing of the lab', async () => {
    await ok(['clab', 'destroy', LAB]);
    const cs = await dockerClient().listContainers({ all: true, filters: { label: [`containerlab=${LAB}`] } });
    expect(cs).to.deep.equal([]);
  });
});
