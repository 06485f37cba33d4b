// The docker runtime on a real engine (root): the reference lab under another name (`dk`, so the
// netns suites' labs never clash), deployed through `fabric up --runtime docker` (tags included),
// containers/labels/network mode, status contract, ping + UDP inside tenants (same DC and across
// DCs), a small lab with the provider VXLAN path in containers, the bad inputs (missing image,
// a lab on the other runtime, a container that dies during deploy) and a clean teardown.
// Skipped only when dockerd cannot be started, with the reason printed.
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { run, tryRun } from '../../src/hostnet/exec.js';
import { getRuntime } from '../../src/runtime/index.js';
import { labContainers } from '../../src/runtime/docker/containers.js';
import { dockerClient, ensureDockerd } from '../../src/runtime/docker/engine.js';
import { endpointTarball } from '../../src/runtime/images/index.js';
import { listOvsBridges, listRootLinks } from '../../src/runtime/netns/system.js';
import { readState } from '../../src/runtime/state.js';
import type { StatusDoc } from '../../src/runtime/types.js';
import { smallLab } from '../fixtures/runtime-labs.js';
import { udpCount } from './udp-count.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'tests/integration/cli-runner.ts')];
const work = mkdtempSync(join(tmpdir(), 'fabric-dk-'));
const stateDir = join(work, 'state');
process.env.FABRIC_STATE_DIR = stateDir;
process.env.FABRIC_CAPTURE_DIR = join(work, 'captures');
const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/status.schema.json'), 'utf8')) as object;
const LAB = 'dk';
const EXITING_IMAGE = 'fabric/test-exits:1';

async function cli(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const r = await tryRun(process.execPath, [...CLI, ...args], { timeout: 600_000 });
  if (r.exitCode !== 0) throw new Error(`fabric ${args.join(' ')} failed (${r.exitCode}):\n${r.stderr}\n${r.stdout}`);
  return r;
}

async function ping(ns: string, ip: string): Promise<boolean> {
  const r = await tryRun('ip', ['netns', 'exec', ns, 'ping', '-c', '3', '-i', '0.2', '-W', '2', ip], {
    timeout: 20_000,
  });
  return r.exitCode === 0;
}

/** Everything of a lab still on the machine: containers, netns links, bridges, host interfaces, state. */
async function leftovers(lab: string, planned: string[] = []): Promise<string[]> {
  const cs = (await labContainers(dockerClient(), lab)).map((c) => `container ${c.name}`);
  const ns = (existsSync('/run/netns') ? readdirSync('/run/netns') : [])
    .filter((n) => n.startsWith(`clab-${lab}-`))
    .map((n) => `netns ${n}`);
  const br = [...(await listOvsBridges())].filter(([, l]) => l === lab).map(([n]) => `bridge ${n}`);
  const ifs = [...(await listRootLinks())]
    .filter(([n, a]) => a === `fabric-lab=${lab}` || planned.includes(n))
    .map(([n]) => `if ${n}`);
  const st = readState(lab) ? [`state ${lab}`] : [];
  return [...cs, ...ns, ...br, ...ifs, ...st];
}

async function expectCode(p: Promise<unknown>, code: string): Promise<Error> {
  try {
    await p;
  } catch (e) {
    expect(e, String(e)).to.include({ code });
    return e as Error;
  }
  throw new Error(`expected ${code}, got success`);
}

describe('docker runtime (root, real dockerd + OVS)', function () {
  const docker = getRuntime('docker');
  const netns = getRuntime('netns');
  const LABS = [LAB, 'dks', 'dkd', 'dkm', 'dko'];

  before(async function () {
    if (process.getuid?.() !== 0) {
      console.log('    [skip] docker runtime suite: needs root');
      this.skip();
    }
    try {
      const e = await ensureDockerd();
      console.log(
        `    dockerd ${e.started ? `started by the suite (pid ${e.pid})` : 'already running'} on ${e.socket}`,
      );
    } catch (err) {
      console.log(`    [skip] docker runtime suite: dockerd cannot start: ${(err as Error).message}`);
      this.skip();
    }
    for (const lab of LABS) {
      await docker.destroy(lab).catch(() => undefined);
      await netns.destroy(lab).catch(() => undefined);
    }
  });

  after(async () => {
    for (const lab of LABS) await docker.destroy(lab).catch(() => undefined);
    await netns.destroy('dko').catch(() => undefined);
    await dockerClient()
      .getImage(EXITING_IMAGE)
      .remove({ force: true })
      .catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  describe('the reference lab (labs/mtdc as lab dk) through fabric up --runtime docker', () => {
    let up: string;
    let status: StatusDoc;
    let planned: string[] = [];

    before(async () => {
      const dir = join(work, 'lab');
      rmSync(dir, { recursive: true, force: true });
      await run('mkdir', ['-p', dir]);
      // The reference lab's network alone: the containers are the subject (guests are judged on netns).
      const text = readFileSync(join(ROOT, 'tests/fixtures/labs/mtdc-network/fabric.yml'), 'utf8').replace(
        /^name: mtdc$/m,
        `name: ${LAB}`,
      );
      expect(text).to.match(new RegExp(`^name: ${LAB}$`, 'm'));
      writeFileSync(join(dir, 'fabric.yml'), text);
      up = (await cli(['up', join(dir, 'fabric.yml'), '--runtime', 'docker'])).stdout;
      planned = readState(LAB)!.planned.rootIfs;
      status = JSON.parse((await cli(['status', LAB, '--json'])).stdout) as StatusDoc;
    });

    it('runs every stage, tag programming included', () => {
      for (const stage of ['engine', 'image', 'containers', 'veth', 'ns-config', 'tags'])
        expect(up).to.match(new RegExp(`^\\s+${stage}\\s`, 'm'));
      expect(up).to.contain(`lab ${LAB} is up`).and.contain('runtime docker');
    });

    it('makes one container per linux node with containerlab names and labels, network mode none', async () => {
      const state = readState(LAB)!;
      const linux = state.model.nodes.filter((n) => n.kind === 'linux');
      const cs = await labContainers(dockerClient(), LAB);
      expect(cs.map((c) => c.name).sort()).to.deep.equal(linux.map((n) => `clab-${LAB}-${n.name}`).sort());
      for (const c of cs) {
        const info = await dockerClient().getContainer(c.id).inspect();
        expect(info.State.Running, c.name).to.equal(true);
        expect(info.HostConfig.NetworkMode).to.equal('none');
        const node = c.name.slice(`clab-${LAB}-`.length);
        expect(info.Config.Labels).to.include({
          containerlab: LAB,
          'clab-node-name': node,
          'clab-node-kind': 'linux',
          'fabric-lab': LAB,
        });
        expect(existsSync(info.Config.Labels['clab-topo-file']!), 'clab-topo-file exists').to.equal(true);
        const role = state.model.nodes.find((n) => n.name === node)!.role;
        expect(info.Config.Image, node).to.equal(role === 'provider' ? 'fabric/router:1' : 'fabric/host:1');
      }
    });

    it("the images' own tools work inside the containers: ip shows VXLAN with its dstport, tcpdump and ethtool run", async () => {
      const vx = await cli(['exec', LAB, 'prov-a', '--', 'ip', '-d', 'link', 'show', 'vx0']);
      expect(vx.stdout).to.match(/vxlan id \d+ .*dstport 4789/s);
      const td = await cli(['exec', LAB, 'red-c1-h1', '--', 'tcpdump', '--version']);
      expect(td.stdout + td.stderr).to.match(/tcpdump version/);
      const et = await cli(['exec', LAB, 'red-c1-h1', '--', 'ethtool', '-k', 'eth1']);
      expect(et.stdout).to.match(/tx-checksumming: off/);
    });

    it('status --json follows the contract; every container endpoint is reachable through its netns link', async () => {
      const validate = new Ajv({ strict: true }).compile(schema);
      expect(validate(status), JSON.stringify(validate.errors)).to.equal(true);
      expect(status.runtime).to.equal('docker');
      for (const n of status.nodes) {
        if (n.kind === 'linux') expect(n.container, n.name).to.equal(`clab-${LAB}-${n.name}`).and.equal(n.netns);
        else expect(n.container).to.equal(null);
      }
      const root = await listRootLinks();
      for (const l of status.links) {
        for (const e of l.endpoints) {
          if (e.netns) {
            expect(lstatSync(`/run/netns/${e.netns}`).isSymbolicLink()).to.equal(true);
            const r = await run('ip', ['-n', e.netns, '-j', 'link', 'show', 'dev', e.ifname]);
            expect((JSON.parse(r.stdout) as { flags: string[] }[])[0]!.flags, `${e.node}:${e.ifname}`).to.include('UP');
          } else expect(root.has(e.hostIf!), e.hostIf!).to.equal(true);
        }
      }
    });

    it('has only lab links inside a container (no docker eth0), tx checksum offload off and IPv6 off', async () => {
      const ns = `clab-${LAB}-red-c1-h1`;
      const links = JSON.parse((await run('ip', ['-n', ns, '-j', 'link', 'show'])).stdout) as { ifname: string }[];
      expect(links.map((l) => l.ifname).sort()).to.deep.equal(['eth1', 'lo']);
      const k = await run('ip', ['netns', 'exec', ns, 'ethtool', '-k', 'eth1']);
      expect(k.stdout).to.match(/^tx-checksumming: off$/m);
      const v6 = await run('ip', ['netns', 'exec', ns, 'cat', '/proc/sys/net/ipv6/conf/all/disable_ipv6']);
      expect(v6.stdout.trim()).to.equal('1');
    });

    it('carries ping and UDP inside a tenant in one DC and across DCs (after tag programming)', async () => {
      const h1 = `clab-${LAB}-red-c1-h1`;
      expect(await ping(h1, '10.20.30.50'), 'dc1 client → dc1 cloud').to.equal(true);
      expect(await udpCount(h1, `clab-${LAB}-red-k1-v1`, '10.20.30.50')).to.equal(20);
      expect(await ping(h1, '10.20.30.20'), 'dc1 → dc2 (interconnect)').to.equal(true);
      expect(await udpCount(h1, `clab-${LAB}-red-c2-h1`, '10.20.30.20')).to.equal(20);
      expect(await ping(h1, '10.20.30.52'), 'dc1 → dc3 (long haul)').to.equal(true);
      expect(await udpCount(`clab-${LAB}-green-c1-h1`, `clab-${LAB}-green-k3-v1`, '10.20.30.52')).to.equal(20);
    });

    it("keeps tenants apart: red's ARP and ping never reach a green or blue endpoint (same IPs, same MACs)", async () => {
      const others = readState(LAB)!
        .model.nodes.filter((n) => n.kind === 'linux' && n.role === 'endpoint' && n.tenant !== 'red')
        .map((n) => `clab-${LAB}-${n.name}`);
      expect(others.length).to.be.greaterThan(10);
      const rx = async (): Promise<number[]> =>
        Promise.all(
          others.map(async (ns) =>
            Number(
              (
                await run('ip', ['netns', 'exec', ns, 'cat', '/sys/class/net/eth1/statistics/rx_packets'])
              ).stdout.trim(),
            ),
          ),
        );
      const h1 = `clab-${LAB}-red-c1-h1`;
      await run('ip', ['-n', h1, 'neigh', 'flush', 'all']);
      // Control: a red endpoint in the same VLAN does see the ARP broadcast (the counter works).
      const control = async (): Promise<number> =>
        Number(
          (
            await run('ip', [
              'netns',
              'exec',
              `clab-${LAB}-red-k1-v1`,
              'cat',
              '/sys/class/net/eth1/statistics/rx_packets',
            ])
          ).stdout.trim(),
        );
      const before = await rx();
      const c0 = await control();
      expect(await ping(h1, '10.20.30.20')).to.equal(true);
      expect(await ping(h1, '10.20.30.52')).to.equal(true);
      const after = await rx();
      expect(await control()).to.be.greaterThan(c0);
      expect(after.map((v, i) => v - before[i]!)).to.deep.equal(others.map(() => 0));
    });

    it('passes the conformance suites on containers (isolation, tag-stack, long-haul, delivery, overlap, flows)', async () => {
      const suites = ['isolation', 'tag-stack', 'long-haul', 'delivery', 'overlap', 'flows'];
      const r = await cli(['test', LAB, '--suite', ...suites]);
      const m = /evidence: (\S+)\/ \(/.exec(r.stdout);
      expect(m, r.stdout.slice(-3000)).to.not.equal(null);
      const rep = JSON.parse(readFileSync(join(m![1]!, 'report.json'), 'utf8')) as {
        runtime: string;
        suites: string[];
        summary: { passed: number; failed: number };
        checks: { id: string; state: string; message?: string }[];
      };
      expect(rep.runtime).to.equal('docker');
      expect(rep.suites).to.deep.equal(suites);
      expect(rep.checks.filter((c) => c.state !== 'passed').map((c) => `${c.id}: ${c.message}`)).to.deep.equal([]);
      expect(rep.summary.passed).to.be.at.least(13);
      // Captures were taken inside the containers' namespaces (client ends) and on host-side OVS ports.
      const manifest = JSON.parse(readFileSync(join(m![1]!, 'manifest.json'), 'utf8')) as {
        files: { netns: string | null; packets: number }[];
      };
      expect(manifest.files.some((f) => f.netns?.startsWith(`clab-${LAB}-`) && f.packets > 0)).to.equal(true);
    });

    it('up again converges without recreating containers', async () => {
      const before = (await labContainers(dockerClient(), LAB)).map((c) => c.id).sort();
      const out = (await cli(['up', join(work, 'lab', 'fabric.yml'), '--runtime', 'docker', '--no-after'])).stdout;
      expect(out).to.match(/containers .*0 containers started, \d+ kept/);
      expect((await labContainers(dockerClient(), LAB)).map((c) => c.id).sort()).to.deep.equal(before);
      expect(await ping(`clab-${LAB}-red-c1-h1`, '10.20.30.50')).to.equal(true);
    });

    it('fabric down removes containers, netns links, veths, bridges and the state file', async () => {
      await cli(['down', LAB]);
      expect(await leftovers(LAB, planned)).to.deep.equal([]);
    });
  });

  describe('a small lab: NORMAL access bridge and the provider VXLAN path inside containers', () => {
    before(async () => {
      await docker.deploy(smallLab('dks'));
    });
    after(async () => {
      await docker.destroy('dks');
    });

    it('passes ping and UDP across the access switch (no tags needed)', async () => {
      expect(await ping('clab-dks-h1', '10.20.30.2')).to.equal(true);
      expect(await udpCount('clab-dks-h1', 'clab-dks-h2', '10.20.30.2')).to.equal(20);
    });

    it('passes ping and UDP over VXLAN + bridge netdevs built inside provider containers', async () => {
      expect(await ping('clab-dks-h4', '10.99.0.5')).to.equal(true);
      expect(await udpCount('clab-dks-h4', 'clab-dks-h5', '10.99.0.5')).to.equal(20);
    });
  });

  describe('bad input: a clear error and nothing half-deployed', () => {
    it('a missing image: E_IMAGE_MISSING, nothing created', async () => {
      const m = smallLab('dkm');
      m.nodes.find((n) => n.name === 'h3')!.attributes = { image: 'fabric/nosuch:0' };
      const err = await expectCode(docker.deploy(m), 'E_IMAGE_MISSING');
      expect(err.message).to.contain('fabric/nosuch:0');
      expect(await leftovers('dkm')).to.deep.equal([]);
    });

    it('a lab already deployed on the netns runtime: E_LAB_OTHER_RUNTIME, the netns lab untouched', async () => {
      await netns.deploy(smallLab('dko'));
      await expectCode(docker.deploy(smallLab('dko')), 'E_LAB_OTHER_RUNTIME');
      expect(readState('dko')!.runtime).to.equal('netns');
      expect(lstatSync('/run/netns/clab-dko-h1').isSymbolicLink()).to.equal(false);
      expect(await labContainers(dockerClient(), 'dko')).to.deep.equal([]);
      await netns.destroy('dko');
      expect(await leftovers('dko')).to.deep.equal([]);
    });

    it('a container that dies during deploy: E_CONTAINER_DIED, the lab rolled back', async () => {
      // The endpoint rootfs with a command that exits at once.
      const { tar } = await endpointTarball();
      const d = dockerClient();
      const stream = await d.importImage(Readable.from([tar]), {
        repo: 'fabric/test-exits',
        tag: '1',
        changes: ['CMD ["/bin/busybox","true"]'],
      } as object);
      await new Promise<void>((res, rej) =>
        d.modem.followProgress(stream, (err: Error | null) => (err ? rej(err) : res())),
      );
      const m = smallLab('dkd');
      m.nodes.find((n) => n.name === 'h2')!.attributes = { image: EXITING_IMAGE };
      const err = await expectCode(docker.deploy(m), 'E_CONTAINER_DIED');
      expect(err.message).to.contain('clab-dkd-h2');
      expect(await leftovers('dkd')).to.deep.equal([]);
    });
  });
});
