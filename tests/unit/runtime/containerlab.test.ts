// Delegation to containerlab: the command lines built, finding the binary, the clear error when
// it is absent, and the topology it is given (local image, network-mode none, lab marker label,
// valid against containerlab's schema).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import {
  ContainerlabRuntime,
  deployArgs,
  destroyArgs,
  findContainerlab,
} from '../../../src/runtime/containerlab/index.js';
import { containerTopology, containerTopologyText } from '../../../src/runtime/containerlab/topology.js';
import { validateClab } from '../../../src/topology/clab.js';
import { smallLab } from '../../fixtures/runtime-labs.js';

describe('containerlab runtime', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fabric-clab-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('builds deploy and destroy argv (no shell, topology by -t)', () => {
    expect(deployArgs('/run/fabric/labs/mtdc.clab.yml')).to.deep.equal([
      'deploy',
      '-t',
      '/run/fabric/labs/mtdc.clab.yml',
    ]);
    expect(deployArgs('/x/a b.clab.yml', { reconfigure: true })).to.deep.equal([
      'deploy',
      '-t',
      '/x/a b.clab.yml',
      '--reconfigure',
    ]);
    expect(destroyArgs('/run/fabric/labs/mtdc.clab.yml')).to.deep.equal([
      'destroy',
      '-t',
      '/run/fabric/labs/mtdc.clab.yml',
      '--cleanup',
    ]);
  });

  it('finds an executable containerlab on PATH or through FABRIC_CONTAINERLAB', () => {
    const bin = join(dir, 'containerlab');
    writeFileSync(bin, '#!/bin/sh\nexit 0\n');
    expect(findContainerlab({ PATH: `/nonexistent:${dir}` })).to.equal(null); // not executable yet
    chmodSync(bin, 0o755);
    expect(findContainerlab({ PATH: `/nonexistent:${dir}` })).to.equal(bin);
    expect(findContainerlab({ PATH: '/nonexistent' })).to.equal(null);
    expect(findContainerlab({ PATH: '', FABRIC_CONTAINERLAB: bin })).to.equal(bin);
  });

  it('says clearly that containerlab is missing, before touching anything (E_CONTAINERLAB_MISSING)', async () => {
    const savedPath = process.env.PATH;
    const calls: string[] = [];
    const rt = new ContainerlabRuntime({
      ensureEngine: async () => {
        calls.push('engine');
        return { socket: '/var/run/docker.sock', pid: null, started: false, ms: 0 };
      },
      runner: async (file, args) => {
        calls.push([file, ...args].join(' '));
        return { command: '', exitCode: 0, stdout: '', stderr: '' };
      },
    });
    process.env.PATH = '/nonexistent';
    let err: unknown;
    try {
      await rt.deploy(smallLab('clm'));
    } catch (e) {
      err = e;
    } finally {
      process.env.PATH = savedPath;
    }
    expect(err).to.include({ code: 'E_CONTAINERLAB_MISSING' });
    expect((err as { hint?: string }).hint)
      .to.contain('--runtime netns')
      .and.contain('--runtime docker');
    expect(calls).to.deep.equal([]);
  });

  it('hands containerlab a valid topology: local images, network-mode none, the lab marker', () => {
    const model = smallLab('clt');
    const topo = containerTopology(model, (n) => (n === 'h2' ? 'my/img:2' : 'fabric/endpoint:abc'));
    expect(validateClab(topo)).to.deep.equal([]);
    const nodes = topo.topology.nodes as Record<
      string,
      { kind: string; image?: string; labels?: Record<string, string>; 'network-mode'?: string }
    >;
    expect(nodes.h1).to.deep.include({ kind: 'linux', image: 'fabric/endpoint:abc', 'network-mode': 'none' });
    expect(nodes.h2!.image).to.equal('my/img:2');
    expect(nodes.h1!.labels).to.include({ 'fabric-lab': 'clt' });
    // Bridges stay bridges (created by fabric before deploy), with no image and no network mode.
    expect(nodes['clt-sw']).to.include({ kind: 'ovs-bridge' });
    expect(nodes['clt-sw']).to.not.have.property('network-mode');
    const text = containerTopologyText(model, () => 'fabric/endpoint:abc', true);
    expect(parse(text)).to.deep.equal(containerTopology(model, () => 'fabric/endpoint:abc'));
  });
});
