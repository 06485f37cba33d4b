// Guest image building blocks: newc archive, module load order, input hashing, apt/ldd parsing.
import { expect } from 'chai';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCpio, writeCpio, cpioName, type CpioEntry } from '../../../src/vm/cpio.js';
import { resolveLoadOrder } from '../../../src/vm/modules.js';
import { hashInputs, parseKernelDepends, parseLdd, type ImageInputs } from '../../../src/vm/image.js';
import { AGENT_SCRIPT, INIT_SCRIPT } from '../../../src/vm/guest-scripts.js';

describe('vm/cpio newc writer', () => {
  it('round-trips files, symlinks, device nodes and adds parent directories', () => {
    const entries: CpioEntry[] = [
      { type: 'file', path: '/usr/sbin/ip', data: Buffer.from('ELF...'), mode: 0o755 },
      { type: 'symlink', path: '/bin/sh', target: 'busybox' },
      { type: 'chardev', path: '/dev/console', major: 5, minor: 1 },
      { type: 'file', path: 'init', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
    ];
    const got = readCpio(writeCpio(entries));
    expect(got.map((e) => e.name)).to.deep.equal([
      'bin',
      'bin/sh',
      'dev',
      'dev/console',
      'init',
      'usr',
      'usr/sbin',
      'usr/sbin/ip',
    ]);
    const ip = got.find((e) => e.name === 'usr/sbin/ip')!;
    expect(ip.mode).to.equal(0o100755);
    expect(ip.data.toString()).to.equal('ELF...');
    expect(got.find((e) => e.name === 'bin/sh')!.data.toString()).to.equal('busybox');
    const con = got.find((e) => e.name === 'dev/console')!;
    expect(con.mode & 0o170000).to.equal(0o020000);
    expect(con.rdev).to.deep.equal([5, 1]);
  });

  it('is independent of entry order (reproducible image)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}(\/[a-z]{1,6}){0,2}$/), {
          minLength: 1,
          maxLength: 8,
          selector: (s) => s.split('/')[0],
        }),
        (paths) => {
          const entries: CpioEntry[] = paths.map((p) => ({ type: 'file', path: p, data: Buffer.from(p) }));
          const a = writeCpio(entries);
          const b = writeCpio([...entries].reverse());
          expect(a.equals(b)).to.equal(true);
          expect(a.length % 4).to.equal(0);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('is read by GNU/busybox cpio as the same tree', function () {
    const dir = mkdtempSync(join(tmpdir(), 'fabric-cpio-'));
    try {
      writeFileSync(
        join(dir, 'a.cpio'),
        writeCpio([
          { type: 'file', path: '/etc/x/y.txt', data: Buffer.from('hello\n') },
          { type: 'symlink', path: '/l', target: 'etc/x/y.txt' },
        ]),
      );
      const out = execFileSync('/bin/busybox', ['cpio', '-i', '-d', '-F', join(dir, 'a.cpio')], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      void out;
      expect(readFileSync(join(dir, 'etc/x/y.txt'), 'utf8')).to.equal('hello\n');
      expect(readFileSync(join(dir, 'l'), 'utf8')).to.equal('hello\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects duplicate paths, .. and a file used as a directory', () => {
    expect(() =>
      writeCpio([
        { type: 'dir', path: '/a' },
        { type: 'dir', path: 'a/' },
      ]),
    ).to.throw(/duplicate/);
    expect(() => cpioName('/a/../b')).to.throw(/bad cpio path/);
    expect(() =>
      writeCpio([
        { type: 'file', path: '/a', data: Buffer.alloc(0) },
        { type: 'file', path: '/a/b', data: Buffer.alloc(0) },
      ]),
    ).to.throw(/non-directory/);
  });
});

describe('vm/modules load order', () => {
  // The guest's real dependency graph (Debian 6.1, modinfo -F depends), trimmed.
  const graph: Record<string, string[]> = {
    virtio_net: ['virtio_ring', 'virtio', 'net_failover'],
    net_failover: ['failover'],
    failover: [],
    virtio_ring: [],
    virtio: [],
    '8021q': ['mrp', 'garp'],
    garp: ['stp', 'llc'],
    mrp: [],
    stp: ['llc'],
    llc: [],
    bridge: ['llc', 'stp'],
    vxlan: ['udp_tunnel', 'ip6_udp_tunnel'],
    udp_tunnel: [],
    ip6_udp_tunnel: [],
  };
  const deps = (n: string): string[] | undefined => graph[n];

  it('puts every module after its dependencies, each once', () => {
    const order = resolveLoadOrder(['virtio_net', '8021q', 'bridge', 'vxlan'], deps);
    expect(new Set(order).size).to.equal(order.length);
    for (const [m, ds] of Object.entries(graph)) {
      if (!order.includes(m)) continue;
      for (const d of ds) expect(order.indexOf(d), `${d} before ${m}`).to.be.lessThan(order.indexOf(m));
    }
    expect(order.slice(0, 5)).to.deep.equal(['virtio_ring', 'virtio', 'failover', 'net_failover', 'virtio_net']);
  });

  it('normalises dashes and reports a missing module with the path that needs it', () => {
    expect(resolveLoadOrder(['net-failover'], deps)).to.deep.equal(['failover', 'net_failover']);
    expect(() => resolveLoadOrder(['vxlan'], (n) => (n === 'vxlan' ? ['nope'] : graph[n])))
      .to.throw(/nope not found/)
      .with.property('code', 'E_VM_MODULE_MISSING');
  });

  it('detects a cycle', () => {
    expect(() => resolveLoadOrder(['a'], (n) => ({ a: ['b'], b: ['a'] })[n]))
      .to.throw(/a -> b -> a/)
      .with.property('code', 'E_VM_MODULE_CYCLE');
  });

  it('holds on random acyclic graphs (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(20), { maxLength: 4 }), { minLength: 1, maxLength: 20 }), (edges) => {
        // module i may only depend on modules j < i: acyclic by construction.
        const g = new Map(edges.map((ds, i) => [`m${i}`, [...new Set(ds.filter((j) => j < i))].map((j) => `m${j}`)]));
        const order = resolveLoadOrder([...g.keys()].reverse(), (n) => g.get(n));
        expect(order.length).to.equal(g.size);
        for (const [m, ds] of g) for (const d of ds) expect(order.indexOf(d)).to.be.lessThan(order.indexOf(m));
      }),
      { numRuns: 100 },
    );
  });
});

describe('vm/image inputs', () => {
  const base: ImageInputs = {
    builder: 1,
    kernelPackage: 'linux-image-6.1.0-56-amd64',
    kernelVersion: '6.1.192-2',
    modules: ['virtio_net', '8021q'],
    init: INIT_SCRIPT,
    agent: AGENT_SCRIPT,
    busyboxVersion: '1:1.35.0-4',
    iproute2Version: '6.1.0-3',
    hostFiles: { '/bin/busybox': 'aa', '/usr/sbin/ip': 'bb' },
  };

  it('hash is stable under key order and changes with every input', () => {
    const h = hashInputs(base);
    expect(h).to.match(/^[0-9a-f]{16}$/);
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as unknown as ImageInputs;
    expect(hashInputs(reordered)).to.equal(h);
    const variants: Partial<ImageInputs>[] = [
      { builder: 2 },
      { kernelVersion: '6.1.192-3' },
      { kernelPackage: 'linux-image-6.1.0-57-amd64' },
      { modules: ['virtio_net', '8021q', 'vxlan'] },
      { modules: ['8021q', 'virtio_net'] },
      { init: INIT_SCRIPT + '\n' },
      { agent: AGENT_SCRIPT.replace('sleep 5', 'sleep 6') },
      { busyboxVersion: '1:1.36.0-1' },
      { iproute2Version: '6.2.0-1' },
      { hostFiles: { '/bin/busybox': 'ab', '/usr/sbin/ip': 'bb' } },
    ];
    for (const v of variants) expect(hashInputs({ ...base, ...v }), JSON.stringify(Object.keys(v))).to.not.equal(h);
  });

  it('takes the single versioned kernel from linux-image-amd64 Depends, never a -dbg/-rt/-cloud one', () => {
    const text =
      'linux-image-amd64\n  Depends: linux-image-6.1.0-56-amd64\n  Suggests: linux-image-6.1.0-56-amd64-dbg\n';
    expect(parseKernelDepends(text)).to.equal('linux-image-6.1.0-56-amd64');
    expect(() => parseKernelDepends('linux-image-amd64\n  Depends: linux-image-6.1.0-56-rt-amd64x\n'))
      .to.throw()
      .with.property('code', 'E_VM_KERNEL_PKG');
    expect(() =>
      parseKernelDepends(
        'linux-image-amd64\n  Depends: linux-image-6.1.0-55-amd64\n  Depends: linux-image-6.1.0-56-amd64\n',
      ),
    ).to.throw(/exactly one/);
  });

  it('parses ldd output, including the ELF interpreter and skipping the vdso', () => {
    const text = [
      '\tlinux-vdso.so.1 (0x00007fc2e72b6000)',
      '\tlibbpf.so.1 => /lib/x86_64-linux-gnu/libbpf.so.1 (0x00007fc2e7155000)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007fc2e6f2c000)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007fc2e72b8000)',
    ].join('\n');
    expect(parseLdd(text)).to.deep.equal([
      '/lib/x86_64-linux-gnu/libbpf.so.1',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
  });
});
