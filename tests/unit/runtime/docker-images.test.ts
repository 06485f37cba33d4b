// Local image building: the ustar writer (checked by GNU tar), ldd parsing, the endpoint rootfs,
// and the import/cache/missing-image logic against a mocked dockerode.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { run } from '../../../src/hostnet/exec.js';
import {
  ENDPOINT_CMD,
  ENDPOINT_REPO,
  endpointTarball,
  ensureEndpointImage,
  requireImages,
  type ImageClient,
} from '../../../src/runtime/images/index.js';
import { endpointRootfs, parseLdd } from '../../../src/runtime/images/rootfs.js';
import { sha256, splitPath, tarBuffer, type TarEntry } from '../../../src/runtime/images/tar.js';

const entries: TarEntry[] = [
  { type: 'dir', path: '/bin' },
  { type: 'file', path: '/bin/hello', data: Buffer.from('hello world\n'), mode: 0o755 },
  { type: 'symlink', path: '/bin/hi', target: '/bin/hello' },
  { type: 'file', path: `/deep/${'d'.repeat(90)}/${'f'.repeat(60)}`, data: Buffer.alloc(1000, 1) },
];

describe('runtime images: tar writer', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'fabric-tar-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an archive GNU tar lists and extracts byte for byte', async () => {
    const file = join(dir, 'a.tar');
    writeFileSync(file, tarBuffer(entries));
    const list = await run('tar', ['-tvf', file]);
    expect(list.stdout).to.match(/^drwxr-xr-x root\/root .* bin\/$/m);
    expect(list.stdout).to.match(/^-rwxr-xr-x root\/root\s+12 .* bin\/hello$/m);
    expect(list.stdout).to.match(/bin\/hi -> \/bin\/hello$/m);
    const out = join(dir, 'x');
    await run('mkdir', ['-p', out]);
    await run('tar', ['-xf', file, '-C', out]);
    const cat = await run('cat', [join(out, 'bin/hello')]);
    expect(cat.stdout).to.equal('hello world\n');
    expect((await run('readlink', [join(out, 'bin/hi')])).stdout.trim()).to.equal('/bin/hello');
    const deep = await run('stat', ['-c', '%s', join(out, 'deep', 'd'.repeat(90), 'f'.repeat(60))]);
    expect(deep.stdout.trim()).to.equal('1000');
  });

  it('is deterministic and block aligned', () => {
    const a = tarBuffer(entries);
    expect(sha256(a)).to.equal(sha256(tarBuffer(entries)));
    expect(a.length % 512).to.equal(0);
    expect(sha256(tarBuffer([...entries.slice(0, 1)]))).to.not.equal(sha256(a));
  });

  it('splits long paths into ustar prefix + name and refuses what cannot fit', () => {
    expect(splitPath('a/b')).to.deep.equal({ name: 'a/b', prefix: '' });
    const long = `${'p'.repeat(120)}/name`;
    expect(splitPath(long)).to.deep.equal({ name: 'name', prefix: 'p'.repeat(120) });
    expect(() => splitPath('x'.repeat(300))).to.throw(/too long/);
  });
});

describe('runtime images: endpoint rootfs', () => {
  it('parses ldd output (libraries and the loader, no vdso, no junk)', () => {
    const text = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibbpf.so.1 => /lib/x86_64-linux-gnu/libbpf.so.1 (0x00007fe6)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007fe5)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007fe6)',
      '\tlibbad.so => /tmp/x;rm -rf / (0x1)',
      '\tlibgone.so => not found',
    ].join('\n');
    expect(parseLdd(text)).to.deep.equal([
      '/lib/x86_64-linux-gnu/libbpf.so.1',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
  });

  it('holds busybox, the real ip and ethtool with their libraries, and busybox applets', async () => {
    const rootfs = await endpointRootfs();
    const byPath = new Map(rootfs.map((e) => [e.path, e]));
    expect(byPath.get('/bin/busybox')?.type).to.equal('file');
    expect(byPath.get('/usr/sbin/ip')?.type).to.equal('file');
    expect(byPath.get('/lib64/ld-linux-x86-64.so.2')?.type).to.equal('file');
    expect([...byPath.keys()].some((p) => /\/libmnl\.so/.test(p))).to.equal(true);
    expect(byPath.get('/bin/sh')).to.deep.include({ type: 'symlink', target: '/bin/busybox' });
    expect(byPath.get('/bin/sleep')).to.deep.include({ type: 'symlink', target: '/bin/busybox' });
    // The real tools are not shadowed by busybox applets of the same name.
    expect([...byPath.values()].filter((e) => e.type === 'symlink' && /\/(ip|ethtool)$/.test(e.path))).to.deep.equal(
      [],
    );
    expect(byPath.get('/tmp')).to.deep.include({ type: 'dir', mode: 0o1777 });
  });

  it('tags the image by content hash, stable across calls', async () => {
    const a = await endpointTarball();
    const b = await endpointTarball();
    expect(a.tag).to.match(new RegExp(`^${ENDPOINT_REPO}:[0-9a-f]{12}$`));
    expect(a.tag).to.equal(`${ENDPOINT_REPO}:${sha256(a.tar).slice(0, 12)}`);
    expect(b.tag).to.equal(a.tag);
  });
});

/** dockerode image calls, recorded. */
function mockImages(
  present: Set<string>,
): ImageClient & { imports: { opts: Record<string, unknown>; bytes: number }[] } {
  const imports: { opts: Record<string, unknown>; bytes: number }[] = [];
  return {
    imports,
    getImage: ((name: string) => ({
      inspect: async () => {
        if (present.has(name)) return { Id: name };
        throw Object.assign(new Error('no such image'), { statusCode: 404 });
      },
    })) as unknown as ImageClient['getImage'],
    importImage: (async (stream: Readable, opts: Record<string, unknown>) => {
      let bytes = 0;
      for await (const chunk of stream) bytes += (chunk as Buffer).length;
      imports.push({ opts, bytes });
      present.add(`${opts.repo as string}:${opts.tag as string}`);
      return Readable.from(['{"status":"sha256:1"}']);
    }) as unknown as ImageClient['importImage'],
    modem: {
      followProgress: ((_s: unknown, done: (err: Error | null, out: unknown[]) => void) =>
        done(null, [{ status: 'sha256:1' }])) as unknown as ImageClient['modem']['followProgress'],
    },
  };
}

describe('runtime images: import and cache', () => {
  it('imports the rootfs once (repo, hash tag, sleep-infinity CMD), then reuses the tag', async () => {
    const d = mockImages(new Set());
    const first = await ensureEndpointImage(d);
    expect(first.built).to.equal(true);
    expect(d.imports).to.have.length(1);
    const { tar, tag } = await endpointTarball();
    expect(d.imports[0]!.bytes).to.equal(tar.length);
    expect(`${d.imports[0]!.opts.repo as string}:${d.imports[0]!.opts.tag as string}`).to.equal(tag);
    expect(d.imports[0]!.opts.changes).to.include(`CMD ${JSON.stringify(ENDPOINT_CMD)}`);
    const again = await ensureEndpointImage(d);
    expect(again).to.deep.include({ tag, built: false });
    expect(d.imports).to.have.length(1);
  });

  it('fails with E_IMAGE_MISSING naming the image and its nodes; never pulls', async () => {
    const d = mockImages(new Set(['present:1']));
    await requireImages(d, new Map([['present:1', ['a']]]));
    let err: unknown;
    try {
      await requireImages(
        d,
        new Map([
          ['present:1', ['a']],
          ['nosuch/img:2', ['h1', 'h2']],
        ]),
      );
    } catch (e) {
      err = e;
    }
    expect(err).to.include({ code: 'E_IMAGE_MISSING' });
    expect((err as Error).message)
      .to.contain('nosuch/img:2')
      .and.contain('h1, h2');
    expect((err as { hint?: string }).hint).to.match(/never pulls/);
    expect(d.imports).to.have.length(0);
  });
});
