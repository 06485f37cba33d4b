// The generated containerlab file, proven without containerlab: the reference lab (as `cla`) is
// generated, deployed from the file alone (`fabric clab deploy`, the stand-in for `containerlab
// deploy`, running the lab's bridges script as a containerlab user would), adopted with `fabric
// attach`, tested (green, mutation score 100%), detached (the nodes stay) and destroyed (nothing
// left). A second part proves that no tenant node reaches another tenant's node outside the
// fabric, and shows that check red on the same file with containerlab's management network kept.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { labCopy, cli } from './lab-copy.js';
import { hostNet } from '../../src/hostnet/index.js';
import { dockerClient } from '../../src/runtime/docker/engine.js';
import { readClabFile } from '../../src/runtime/clabfile/parse.js';
import { readRecord } from '../../src/runtime/clabfile/record.js';
import { readState } from '../../src/runtime/state.js';
import { offFabricReach } from './clab-reach.js';

const LAB = 'cla';
const copy = labCopy('mtdc', LAB);
const FILE = join(copy.work, `${LAB}.clab.yml`);
const MGMT_FILE = join(copy.work, 'mgmt', `${LAB}.clab.yml`);

async function ok(args: string[]): Promise<string> {
  const r = await cli(args);
  if (r.exitCode !== 0)
    throw new Error(`fabric ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout.slice(-3000)}`);
  return r.stdout;
}

/** Whatever of the lab is still on the machine. */
async function leftovers(): Promise<string[]> {
  const f = readClabFile(FILE);
  const cs = await dockerClient().listContainers({ all: true, filters: { label: [`containerlab=${LAB}`] } });
  const ns = (existsSync('/run/netns') ? readdirSync('/run/netns') : []).filter((n) => n.startsWith(`clab-${LAB}-`));
  const brs = new Set(await hostNet().ovs.bridgeNames());
  const bridges = [...f.nodes.values()].filter((n) => n.kind === 'ovs-bridge' && brs.has(n.name)).map((n) => n.name);
  const ifs = new Set((await hostNet().ip.links(null)).map((l) => l.ifname));
  const ports = f.links
    .flatMap((l) => [l.a, l.b])
    .filter((e) => f.nodes.get(e.node)?.kind === 'ovs-bridge' && ifs.has(e.ifname));
  return [
    ...cs.map((c) => `container ${c.Names[0]}`),
    ...ns.map((n) => `netns ${n}`),
    ...bridges.map((b) => `bridge ${b}`),
    ...ports.map((p) => `if ${p.ifname}`),
    ...(readState(LAB) ? ['state file'] : []),
    ...(readRecord(LAB) ? ['deploy record'] : []),
  ];
}

describe('containerlab file: deployed from the file alone, attached, tested (root, dockerd + OVS)', function () {
  before(async function () {
    if (process.getuid?.() !== 0) {
      console.log('    [skip] clab suite: needs root');
      this.skip();
    }
    await ok(['images', 'build']);
    // The fabric part: labs/mtdc's hypervisors (if any) are not deployable by containerlab yet.
    await ok(['generate', copy.labFile, '--out', FILE, '--without-hypervisors']);
  });

  after(async function () {
    if (process.getuid?.() !== 0) return;
    if (readState(LAB)) await cli(['detach', LAB]);
    if (readRecord(LAB)) await cli(['clab', 'destroy', LAB]);
  });

  it('deploys the generated file as containerlab would: containers clab-cla-*, no management interface', async () => {
    const out = await ok(['clab', 'deploy', '-t', FILE]);
    expect(out).to.contain(`lab ${LAB} deployed`);
    const f = readClabFile(FILE);
    const linux = [...f.nodes.values()].filter((n) => n.kind === 'linux');
    const cs = await dockerClient().listContainers({ filters: { label: [`containerlab=${LAB}`] } });
    expect(cs.map((c) => c.Names[0]).sort()).to.deep.equal(linux.map((n) => `/clab-${LAB}-${n.name}`).sort());
  });

  it('no tenant node reaches another tenant outside the fabric', async () => {
    const r = await offFabricReach(readClabFile(FILE));
    expect(r.interfaces, 'interfaces outside the fabric').to.deep.equal([]);
    expect(r.reached).to.deep.equal([]);
  });

  it('fabric attach adopts it; fabric test --mutate is green and scores 100%', async () => {
    const out = await ok(['attach', copy.labFile, '--clab', FILE]);
    expect(out).to.contain(`lab ${LAB} attached`);
    expect(readState(LAB)?.runtime).to.equal('attached');
    const st = JSON.parse(await ok(['status', LAB, '--json'])) as {
      nodes: { name: string; container: string | null }[];
    };
    expect(st.nodes.find((n) => n.name === 'red-c1-h1')?.container).to.equal(`clab-${LAB}-red-c1-h1`);
    // --mutate runs the whole test first and mutates only a green lab.
    const m = await cli(['test', LAB, '--mutate']);
    expect(m.stdout, m.stdout.slice(-3000)).to.match(/mutation score: (\d+)\/\1 \(100%\)/);
    expect(m.exitCode, m.stdout.slice(-3000)).to.equal(0);
  });

  it('fabric detach removes only what fabric added: the containers still run, the bridges carry no flows', async () => {
    await ok(['detach', LAB]);
    expect(readState(LAB)).to.equal(null);
    const f = readClabFile(FILE);
    const cs = await dockerClient().listContainers({ filters: { label: [`containerlab=${LAB}`] } });
    expect(cs.length).to.equal([...f.nodes.values()].filter((n) => n.kind === 'linux').length);
    for (const b of [...f.nodes.values()].filter((n) => n.kind === 'ovs-bridge'))
      expect(await hostNet().ovs.dumpFlows(b.name, { version: 'OpenFlow15' }), b.name).to.deep.equal([]);
  });

  it('fabric clab destroy leaves nothing', async () => {
    await ok(['clab', 'destroy', LAB]);
    expect(await leftovers()).to.deep.equal([]);
  });

  it('the reach check is red on the same file with containerlab management network kept', async () => {
    // The same topology, every node back on containerlab's default management network.
    const text = readFileSync(FILE, 'utf8').replace(/^ +network-mode: none\n/gm, '');
    expect(text).to.not.equal(readFileSync(FILE, 'utf8'));
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(join(copy.work, 'mgmt'), { recursive: true });
    writeFileSync(MGMT_FILE, text);
    copyFileSync(join(copy.work, `${LAB}.bridges.sh`), join(copy.work, 'mgmt', `${LAB}.bridges.sh`));
    await ok(['clab', 'deploy', '-t', MGMT_FILE]);
    try {
      const r = await offFabricReach(readClabFile(MGMT_FILE));
      expect(r.interfaces.length, 'eth0 outside the fabric on tenant nodes').to.be.greaterThan(0);
      expect(r.reached.length, 'a tenant reaches another over the management bridge').to.be.greaterThan(0);
    } finally {
      await ok(['clab', 'destroy', LAB]);
    }
    expect(await leftovers()).to.deep.equal([]);
  });
});
