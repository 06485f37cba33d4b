// The docker runtime without an engine: container specs (containerlab names and labels, network
// mode none), start/keep/clash/died logic and the bad-input paths of deploy, against a mocked
// dockerode. The real engine is exercised by tests/integration/docker.test.ts.
import { lstatSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { DockerRuntime } from '../../../src/runtime/docker/index.js';
import {
  containerSpec,
  linkNetns,
  netnsLinkDangling,
  startContainers,
  type ContainerLike,
  type DockerLike,
  type NodeContainer,
} from '../../../src/runtime/docker/containers.js';
import { ensureDockerd, socketPath } from '../../../src/runtime/docker/engine.js';
import type { ImageClient } from '../../../src/runtime/images/index.js';
import { getRuntime, runtimeNames } from '../../../src/runtime/index.js';
import { readState, writeState } from '../../../src/runtime/state.js';
import type { LabState } from '../../../src/runtime/types.js';
import type { NodeModel } from '../../../src/topology/model.js';
import { smallLab } from '../../fixtures/runtime-labs.js';

interface Box {
  id: string;
  name: string;
  labels: Record<string, string>;
  running: boolean;
  exitCode: number;
  /** Stops right after start (an image whose command exits). */
  dies?: boolean;
  spec?: Record<string, unknown>;
}

type MockDocker = DockerLike & ImageClient & { boxes: Map<string, Box>; calls: string[] };

function mockDocker(opts: { images?: Set<string>; dying?: Set<string> } = {}): MockDocker {
  const boxes = new Map<string, Box>();
  const calls: string[] = [];
  const images = opts.images ?? new Set<string>();
  let n = 0;
  const find = (idOrName: string): Box | undefined =>
    boxes.get(idOrName) ?? [...boxes.values()].find((b) => b.id === idOrName);
  const notFound = (): Error => Object.assign(new Error('no such container'), { statusCode: 404 });
  const handle = (idOrName: string): ContainerLike => ({
    start: async () => {
      const b = find(idOrName);
      if (!b) throw notFound();
      calls.push(`start ${b.name}`);
      b.running = !b.dies;
      if (b.dies) b.exitCode = 3;
    },
    inspect: async () => {
      const b = find(idOrName);
      if (!b) throw notFound();
      return {
        Id: b.id,
        State: {
          Running: b.running,
          Pid: b.running ? 4242 : 0,
          ExitCode: b.exitCode,
          Status: b.running ? 'running' : 'exited',
        },
        Config: { Labels: b.labels },
      };
    },
    remove: async () => {
      const b = find(idOrName);
      if (!b) throw notFound();
      calls.push(`remove ${b.name}`);
      boxes.delete(b.name);
    },
    logs: async () => Buffer.from('\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0005boom\n'),
  });
  return {
    boxes,
    calls,
    createContainer: async (spec) => {
      const name = spec.name!;
      if (boxes.has(name)) throw Object.assign(new Error('conflict'), { statusCode: 409 });
      const box: Box = {
        id: `id${n++}`,
        name,
        labels: spec.Labels ?? {},
        running: false,
        exitCode: 0,
        dies: opts.dying?.has(name) ?? false,
        spec: spec as Record<string, unknown>,
      };
      boxes.set(name, box);
      calls.push(`create ${name}`);
      return { id: box.id };
    },
    getContainer: handle,
    listContainers: async (o) => {
      const want = (o.filters as Record<string, string[]>)?.label?.[0] ?? '';
      const [k, v] = want.split('=');
      return [...boxes.values()]
        .filter((b) => (v === undefined ? k! in b.labels : b.labels[k!] === v))
        .map((b) => ({ Id: b.id, Names: [`/${b.name}`], State: b.running ? 'running' : 'exited', Labels: b.labels }));
    },
    getImage: ((name: string) => ({
      inspect: async () => {
        if (images.has(name)) return { Id: name };
        throw Object.assign(new Error('no such image'), { statusCode: 404 });
      },
    })) as unknown as ImageClient['getImage'],
    importImage: (async () => Readable.from([])) as unknown as ImageClient['importImage'],
    modem: {
      followProgress: ((_s: unknown, done: (e: Error | null, o: unknown[]) => void) =>
        done(null, [])) as unknown as ImageClient['modem']['followProgress'],
    },
  };
}

const node = (name: string, extra: Partial<NodeModel> = {}): NodeModel => ({
  name,
  kind: 'linux',
  role: 'endpoint',
  dc: 'dc1',
  tenant: 'red',
  interfaces: [],
  labels: { 'fabric.tenant': 'red' },
  ...extra,
});
const plan = (lab: string, n: string, image = 'fabric/endpoint:abc'): NodeContainer => ({
  node: n,
  name: `clab-${lab}-${n}`,
  image,
  endpointImage: image.startsWith('fabric/endpoint'),
});
const specOpts = { topoFile: '/run/fabric/labs/lab1.clab.yml', labDir: '/run/fabric/labs/clab-lab1' };

describe('docker runtime: container spec', () => {
  it('follows containerlab names and labels, with network mode none and no docker0', () => {
    const s = containerSpec('lab1', node('h1'), plan('lab1', 'h1'), specOpts);
    expect(s.name).to.equal('clab-lab1-h1');
    // No libnetwork sandbox/endpoint at all (dockerd 20.10 deadlocks tearing them down).
    expect(s.NetworkDisabled).to.equal(true);
    expect(s.HostConfig?.NetworkMode).to.equal('none');
    expect(s.Labels).to.deep.include({
      containerlab: 'lab1',
      'clab-node-name': 'h1',
      'clab-node-longname': 'clab-lab1-h1',
      'clab-node-kind': 'linux',
      'clab-topo-file': '/run/fabric/labs/lab1.clab.yml',
      'clab-node-lab-dir': '/run/fabric/labs/clab-lab1/h1',
      'fabric-lab': 'lab1',
      'fabric-node': 'h1',
      'fabric.tenant': 'red',
    });
    expect(s.HostConfig?.NetworkMode).to.equal('none');
    expect(s.HostConfig?.CapAdd).to.deep.equal(['NET_ADMIN', 'NET_RAW']);
    expect(s.HostConfig?.Privileged).to.equal(undefined);
    expect(s.HostConfig?.RestartPolicy).to.deep.equal({ Name: 'no' });
    expect(s.Cmd).to.deep.equal(['/bin/busybox', 'sleep', 'infinity']);
  });

  it("keeps a user image's own command, and can run privileged", () => {
    const s = containerSpec('lab1', node('h1'), plan('lab1', 'h1', 'my/img:1'), { ...specOpts, privileged: true });
    expect(s.Image).to.equal('my/img:1');
    expect(s.Cmd).to.equal(undefined);
    expect(s.HostConfig?.Privileged).to.equal(true);
    expect(s.HostConfig?.CapAdd).to.equal(undefined);
  });
});

describe('docker runtime: starting containers (mocked dockerode)', () => {
  it('creates and starts missing containers, keeps running ones of the lab, replaces stopped ones', async () => {
    const d = mockDocker();
    const want = ['h1', 'h2'].map((n) => ({ node: node(n), c: plan('lab1', n) }));
    const first = await startContainers(d, 'lab1', want, specOpts);
    expect(first.map((s) => [s.name, s.created, s.pid])).to.deep.equal([
      ['clab-lab1-h1', true, 4242],
      ['clab-lab1-h2', true, 4242],
    ]);
    d.boxes.get('clab-lab1-h2')!.running = false;
    d.calls.length = 0;
    const again = await startContainers(d, 'lab1', want, specOpts);
    expect(again.map((s) => s.created)).to.deep.equal([false, true]);
    expect(d.calls).to.deep.equal(['remove clab-lab1-h2', 'create clab-lab1-h2', 'start clab-lab1-h2']);
  });

  it('refuses a container of the same name that is not part of the lab (E_NAME_CLASH)', async () => {
    const d = mockDocker();
    await d.createContainer({ name: 'clab-lab1-h1', Labels: { other: 'x' } });
    let err: unknown;
    try {
      await startContainers(d, 'lab1', [{ node: node('h1'), c: plan('lab1', 'h1') }], specOpts);
    } catch (e) {
      err = e;
    }
    expect(err).to.include({ code: 'E_NAME_CLASH' });
    expect(d.boxes.get('clab-lab1-h1')!.labels).to.deep.equal({ other: 'x' });
  });

  it('reports a container that stops right after start (E_CONTAINER_DIED, exit code and log)', async () => {
    const d = mockDocker({ dying: new Set(['clab-lab1-h2']) });
    let err: unknown;
    try {
      await startContainers(
        d,
        'lab1',
        ['h1', 'h2'].map((n) => ({ node: node(n), c: plan('lab1', n) })),
        specOpts,
      );
    } catch (e) {
      err = e;
    }
    expect(err).to.include({ code: 'E_CONTAINER_DIED' });
    expect((err as Error).message)
      .to.contain('clab-lab1-h2')
      .and.contain('exit code 3')
      .and.contain('boom');
  });
});

describe('docker runtime: netns links', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'fabric-nsdir-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('links /run/netns/<name> to the container pid and replaces a stale link', () => {
    linkNetns('clab-a-h1', 111, dir);
    expect(readlinkSync(join(dir, 'clab-a-h1'))).to.equal('/proc/111/ns/net');
    linkNetns('clab-a-h1', 222, dir);
    expect(lstatSync(join(dir, 'clab-a-h1')).isSymbolicLink()).to.equal(true);
    expect(readlinkSync(join(dir, 'clab-a-h1'))).to.equal('/proc/222/ns/net');
  });

  it('never replaces a real namespace of the same name (a netns-runtime lab): E_LAB_OTHER_RUNTIME', () => {
    writeFileSync(join(dir, 'clab-a-h2'), '');
    expect(() => linkNetns('clab-a-h2', 333, dir))
      .to.throw()
      .with.property('code', 'E_LAB_OTHER_RUNTIME');
  });

  it('tells a dead container by its dangling link before the engine does (live pid, gone pid, no link, real netns)', () => {
    linkNetns('clab-a-live', process.pid, dir);
    expect(netnsLinkDangling('clab-a-live', dir)).to.equal(false);
    linkNetns('clab-a-dead', 2 ** 22 + 1, dir); // above pid_max's ceiling: never a live process
    expect(netnsLinkDangling('clab-a-dead', dir)).to.equal(true);
    expect(netnsLinkDangling('clab-a-never', dir)).to.equal(false);
    expect(netnsLinkDangling('clab-a-h2', dir)).to.equal(false);
  });
});

describe('docker runtime: engine', () => {
  it('reads DOCKER_HOST unix sockets, else the default socket', () => {
    expect(socketPath({ DOCKER_HOST: 'unix:///tmp/d.sock' })).to.equal('/tmp/d.sock');
    expect(socketPath({})).to.equal('/var/run/docker.sock');
  });

  it('names the socket when the engine does not answer (E_DOCKER_UNREACHABLE), and never starts a non-default one', async () => {
    const sock = join(tmpdir(), `fabric-no-docker-${process.pid}.sock`);
    let err: unknown;
    try {
      await ensureDockerd({ socket: sock, waitMs: 500 });
    } catch (e) {
      err = e;
    }
    expect(err).to.include({ code: 'E_DOCKER_UNREACHABLE' });
    expect((err as Error).message).to.contain(sock);
    expect((err as { hint?: string }).hint).to.match(/docker\.io/);
  });
});

describe('docker runtime: deploy bad input (mocked engine)', () => {
  let dir: string;
  const saved = process.env.FABRIC_STATE_DIR;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fabric-dkstate-'));
    process.env.FABRIC_STATE_DIR = dir;
  });
  after(() => {
    if (saved === undefined) delete process.env.FABRIC_STATE_DIR;
    else process.env.FABRIC_STATE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  const engine = (calls: string[]) => async () => {
    calls.push('engine');
    return { socket: '/var/run/docker.sock', pid: null, started: false, ms: 0 };
  };

  it('is registered as docker (and containerlab) beside netns', () => {
    expect(runtimeNames()).to.include.members(['netns', 'docker', 'containerlab']);
    expect(getRuntime('docker').name).to.equal('docker');
  });

  it('refuses a lab already deployed on another runtime before touching anything (E_LAB_OTHER_RUNTIME)', async () => {
    const model = smallLab('dko');
    const state: LabState = {
      stateVersion: 1,
      lab: 'dko',
      runtime: 'netns',
      phase: 'deployed',
      startedAt: 'x',
      updatedAt: 'x',
      planned: { netns: [], rootIfs: [], bridges: [] },
      created: { netns: [], rootIfs: [], bridges: [] },
      stages: [],
      model,
    };
    writeState(state);
    const calls: string[] = [];
    const d = mockDocker();
    const rt = new DockerRuntime({ docker: d, ensureEngine: engine(calls) });
    let err: unknown;
    try {
      await rt.deploy(model);
    } catch (e) {
      err = e;
    }
    expect(err).to.include({ code: 'E_LAB_OTHER_RUNTIME' });
    expect((err as Error).message).to.contain('netns');
    expect(calls).to.deep.equal([]);
    expect(d.calls).to.deep.equal([]);
    expect(readState('dko')!.runtime).to.equal('netns');
  });

  it('prints starting dockerd as a host change, and a reused engine as none', async () => {
    const model = smallLab('dkh');
    model.nodes.find((n) => n.name === 'h2')!.attributes = { image: 'nosuch/image:1' };
    for (const started of [true, false]) {
      const events: string[] = [];
      const rt = new DockerRuntime({
        docker: mockDocker(),
        ensureEngine: async () => ({ socket: '/run/d.sock', pid: started ? 4242 : null, started, ms: 0 }),
      });
      await rt.deploy(model, { onProgress: (ev) => events.push(ev.detail ?? '') }).catch(() => undefined);
      expect(events[0]).to.equal(
        started
          ? 'host change: started dockerd (pid 4242) outside systemd on /run/d.sock'
          : 'dockerd reused on /run/d.sock',
      );
    }
  });

  it('refuses a missing image before creating anything (E_IMAGE_MISSING, no state file)', async () => {
    const model = smallLab('dki');
    model.nodes.find((n) => n.name === 'h2')!.attributes = { image: 'nosuch/image:1' };
    const calls: string[] = [];
    const d = mockDocker();
    const rt = new DockerRuntime({ docker: d, ensureEngine: engine(calls) });
    let err: unknown;
    try {
      await rt.deploy(model);
    } catch (e) {
      err = e;
    }
    expect(err).to.include({ code: 'E_IMAGE_MISSING' });
    expect((err as Error).message)
      .to.contain('nosuch/image:1')
      .and.contain('h2');
    expect(calls).to.deep.equal(['engine']);
    expect(d.calls).to.deep.equal([]);
    expect(readState('dki')).to.equal(null);
  });

  it('down --all skips a silent engine: neither starts it nor asks it for containers', async () => {
    const calls: string[] = [];
    const d = mockDocker();
    const events: string[] = [];
    const rt = new DockerRuntime({ docker: d, ensureEngine: engine(calls), engineAnswers: async () => false });
    const reports = await rt.destroyAll({
      onlyIfRunning: true,
      labFilter: (l) => l === 'dk-unit-none',
      onProgress: (ev) => events.push(ev.detail ?? ''),
    });
    expect(reports).to.deep.equal([]);
    expect(calls).to.deep.equal([]);
    expect(d.calls).to.deep.equal([]);
    expect(events.join()).to.match(/does not answer: skipped/);
  });

  it("status names each linux node's container", async () => {
    const model = smallLab('dks');
    writeState({
      stateVersion: 1,
      lab: 'dks',
      runtime: 'docker',
      phase: 'deployed',
      startedAt: 'x',
      updatedAt: 'x',
      planned: { netns: [], rootIfs: [], bridges: [] },
      created: { netns: [], rootIfs: [], bridges: [] },
      stages: [],
      model,
    });
    const doc = await new DockerRuntime({ docker: mockDocker() }).status('dks');
    expect(doc.runtime).to.equal('docker');
    const h1 = doc.nodes.find((n) => n.name === 'h1')!;
    expect(h1).to.include({ container: 'clab-dks-h1', netns: 'clab-dks-h1' });
    expect(doc.nodes.find((n) => n.name === 'sw')!).to.include({ container: null, bridge: 'dks-sw' });
  });
});
