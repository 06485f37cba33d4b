// The role images generated topologies name: what each carries (the tools their exec lines and
// fabric's probes need), the content label that decides a rebuild, and the missing-image error
// that names the build command.
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { imageMissing, requireImages, type ImageClient } from '../../../src/runtime/images/index.js';
import { buildRoleImages, ensureRoleImage, roleTarball } from '../../../src/runtime/images/roles.js';
import { fabricImage, imageRoleOf, IMAGE_ROLES } from '../../../src/topology/kinds/linux/images.js';
import { run } from '../../../src/hostnet/exec.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** dockerode image calls with labels, recorded. */
function mockEngine(): ImageClient & { imports: Record<string, unknown>[]; labels: Map<string, string> } {
  const labels = new Map<string, string>();
  const imports: Record<string, unknown>[] = [];
  return {
    imports,
    labels,
    getImage: ((name: string) => ({
      inspect: async () => {
        if (!labels.has(name)) throw Object.assign(new Error('no such image'), { statusCode: 404 });
        return { Id: name, Config: { Labels: { 'fabric-content': labels.get(name) } } };
      },
    })) as unknown as ImageClient['getImage'],
    importImage: (async (stream: Readable, opts: Record<string, unknown>) => {
      for await (const _ of stream) void _;
      imports.push(opts);
      const hash = (opts.changes as string[]).find((c) => c.startsWith('LABEL fabric-content='))!.split('=')[1]!;
      labels.set(`${opts.repo as string}:${opts.tag as string}`, hash);
      return Readable.from(['{"status":"sha256:1"}']);
    }) as unknown as ImageClient['importImage'],
    modem: {
      followProgress: ((_s: unknown, done: (err: Error | null, out: unknown[]) => void) =>
        done(null, [])) as unknown as ImageClient['modem']['followProgress'],
    },
  };
}

describe('runtime images: fabric/<role> images', () => {
  it('tags are fixed text per role; providers are routers, everything else hosts', () => {
    expect(IMAGE_ROLES.map(fabricImage)).to.deep.equal(['fabric/host:1', 'fabric/router:1', 'fabric/ovs:1']);
    expect(imageRoleOf({ role: 'provider' })).to.equal('router');
    expect(imageRoleOf({ role: 'endpoint' })).to.equal('host');
  });

  it('carry iproute2 ip (VXLAN with dstport), ethtool and tcpdump; routers also bridge; ovs the OVS daemons, tools and schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fabric-role-'));
    try {
      for (const role of IMAGE_ROLES) {
        const { tar } = await roleTarball(role);
        const file = join(dir, `${role}.tar`);
        writeFileSync(file, tar);
        const list = (await run('tar', ['-tf', file])).stdout.split('\n');
        for (const p of ['usr/sbin/ip', 'usr/sbin/ethtool', 'usr/bin/tcpdump', 'bin/busybox', 'sbin/sysctl'])
          expect(list, `${role}: ${p}`).to.include(p);
        expect(list.includes('usr/sbin/bridge'), role).to.equal(role === 'router');
        const ovs = ['usr/sbin/ovsdb-server', 'usr/sbin/ovs-vswitchd', 'usr/bin/ovs-vsctl', 'usr/bin/ovs-ofctl'];
        for (const p of [...ovs, 'usr/share/openvswitch/vswitch.ovsschema', 'run/openvswitch/', 'etc/openvswitch/'])
          expect(list.includes(p), `${role}: ${p}`).to.equal(role === 'ovs');
        const passwd = (await run('tar', ['-xOf', file, 'etc/passwd'])).stdout;
        expect(passwd).to.match(/^tcpdump:/m);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('imports each role once, with the content hash as a label, and rebuilds when the content differs', async () => {
    const d = mockEngine();
    const first = await buildRoleImages(d);
    expect(first.map((r) => [r.tag, r.built])).to.deep.equal([
      ['fabric/host:1', true],
      ['fabric/router:1', true],
      ['fabric/ovs:1', true],
    ]);
    expect(d.imports[0]!.changes).to.include(`LABEL fabric-content=${first[0]!.hash}`);
    expect((await buildRoleImages(d)).map((r) => r.built)).to.deep.equal([false, false, false]);
    d.labels.set('fabric/host:1', 'stale');
    expect((await ensureRoleImage(d, 'host')).built).to.equal(true);
    expect(d.imports).to.have.length(4);
  });

  it('a missing fabric image names `fabric images build`; never pulls', async () => {
    const d = mockEngine();
    let err: unknown;
    try {
      await requireImages(d, new Map([['fabric/host:1', ['red-c1-h1']]]));
    } catch (e) {
      err = e;
    }
    expect(err).to.include({ code: 'E_IMAGE_MISSING' });
    expect((err as { hint?: string }).hint).to.contain('fabric images build');
    expect(imageMissing('other/img:2', []).hint).to.contain('fabric images build');
    expect(d.imports).to.have.length(0);
  });
});
