// fabric clab deploy against a fake host and a mock engine: everything comes from the file
// (containers, veth lines with MACs/MTU into the containers, OVS ports, exec lines as words), and
// a failure at any step rolls back to nothing.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { FakeHostNet } from '../../../src/hostnet/fake.js';
import { useHostNet } from '../../../src/hostnet/index.js';
import { deployFromFile } from '../../../src/runtime/clabfile/deploy.js';
import type { ExecCapable } from '../../../src/runtime/clabfile/containers.js';
import { readRecord } from '../../../src/runtime/clabfile/record.js';
import { generateClab, loadLabText } from '../../../src/topology/index.js';

const INTENT = readFileSync(new URL('../../golden/topology/ok/minimal/fabric.yml', import.meta.url), 'utf8');

interface Mock {
  docker: ExecCapable;
  alive: Set<string>;
  execs: string[][];
  removed: string[];
}

function mock(opts: { failExec?: string; images?: string[] } = {}): Mock {
  const alive = new Set<string>();
  const labels = new Map<string, Record<string, string>>();
  const execs: string[][] = [];
  const removed: string[] = [];
  const images = new Set(opts.images ?? ['fabric/endpoint:1']);
  const docker = {
    createContainer: async (spec: { name: string; Labels: Record<string, string> }) => {
      labels.set(spec.name, spec.Labels);
      return { id: spec.name };
    },
    getContainer: (id: string) => ({
      start: async () => void alive.add(id),
      inspect: async () => ({
        Id: id,
        State: { Running: alive.has(id), Pid: 4242, ExitCode: 0, Status: 'running' },
        Config: { Labels: labels.get(id) ?? null },
      }),
      remove: async () => {
        removed.push(id);
        alive.delete(id);
        labels.delete(id);
      },
      logs: async () => '',
      exec: async (o: { Cmd: string[] }) => {
        execs.push([id, ...o.Cmd]);
        const s = new PassThrough();
        return {
          start: async () => {
            setImmediate(() => s.end());
            return s;
          },
          inspect: async () => ({ ExitCode: o.Cmd.join(' ') === opts.failExec ? 1 : 0, Running: false }),
        };
      },
    }),
    listContainers: async () => [...labels].map(([n, l]) => ({ Id: n, Names: [`/${n}`], State: 'running', Labels: l })),
    getImage: (name: string) => ({
      inspect: async () => {
        if (images.has(name)) return {};
        throw Object.assign(new Error('no such image'), { statusCode: 404 });
      },
    }),
  };
  return { docker: docker as unknown as ExecCapable, alive, execs, removed };
}

describe('fabric clab deploy (fake host, mock engine)', () => {
  const work = mkdtempSync(join(tmpdir(), 'clabdeploy-'));
  const file = join(work, 'tiny.clab.yml');
  let fake: FakeHostNet;
  let restore: () => void;
  before(() => {
    process.env.FABRIC_STATE_DIR = join(work, 'state');
    // The generated file already says network-mode: none on every container node.
    const text = generateClab(loadLabText(INTENT, 'fabric.yml'), 'fabric.yml').replace(
      /image: \S+/g,
      'image: fabric/endpoint:1',
    );
    writeFileSync(file, text);
  });
  beforeEach(() => {
    fake = new FakeHostNet();
    restore = useHostNet(fake);
  });
  afterEach(() => restore());
  const opts = (m: Mock) => ({
    docker: m.docker,
    ensureEngine: async () => ({}),
    netnsDir: join(work, 'netns'),
    settleMs: 0,
  });

  it('deploys from the file: containers, veth pairs into them, OVS ports, exec lines as words; destroy leaves nothing', async () => {
    const m = mock();
    const rec = await deployFromFile(file, opts(m));
    expect(rec.containers).to.include('clab-tiny-red-c1-h1');
    const lines = fake.callsOf('ip.batch').flatMap((c) => c[0] as string[]);
    expect(
      lines.some((l) =>
        /^link add name eth1 address 02:\S+ mtu 1500 netns clab-tiny-red-c1-h1 type veth peer name \S+ mtu 1500$/.test(
          l,
        ),
      ),
      lines.join('\n'),
    ).to.equal(true);
    const tx = fake.callsOf('ovs.transaction').map((c) => (c[0] as string[]).join(' '));
    expect(tx.some((t) => t.includes('add-port tiny-red-c1-sw'))).to.equal(true);
    expect(m.execs).to.deep.include(['clab-tiny-red-c1-h1', 'ip', 'address', 'add', '192.0.2.10/24', 'dev', 'eth1']);
    expect(readRecord('tiny')?.phase).to.equal('deployed');
    const { destroyFromFile } = await import('../../../src/runtime/clabfile/destroy.js');
    await destroyFromFile('tiny', opts(m));
    expect(m.alive.size).to.equal(0);
    expect(readRecord('tiny')).to.equal(null);
  });

  it('a failing exec line (E_CLAB_EXEC) rolls the whole lab back', async () => {
    const m = mock({ failExec: 'ip address add 192.0.2.10/24 dev eth1' });
    let err: unknown;
    await deployFromFile(file, opts(m)).catch((e: unknown) => (err = e));
    expect(err).to.include({ code: 'E_CLAB_EXEC' });
    expect(m.alive.size, 'no container left').to.equal(0);
    expect(readRecord('tiny')).to.equal(null);
    expect(fake.callsOf('ovs.delBridges').length).to.be.greaterThan(0);
  });

  it('a missing image is refused before anything is created, naming fabric images build', async () => {
    const m = mock({ images: [] });
    let err: unknown;
    await deployFromFile(file, opts(m)).catch((e: unknown) => (err = e));
    expect(err).to.include({ code: 'E_IMAGE_MISSING' });
    expect((err as { hint: string }).hint).to.contain('fabric images build');
    expect(fake.callsOf('ip.batch')).to.deep.equal([]);
    expect(readRecord('tiny')).to.equal(null);
  });
});
