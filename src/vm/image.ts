// The guest image: Debian's own kernel (the versioned package that linux-image-amd64 depends on,
// fetched with `apt-get download`, unpacked with `dpkg -x`) and a busybox-static initramfs with the
// modules, iproute2 and the control agent. Cached under .cache/guest/<hash>/, where the hash
// covers every input, so the image is rebuilt only when an input changes.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { FabricError } from '../errors/fabric-error.js';
import { run, tryRun } from '../hostnet/exec.js';
import { writeCpio, type CpioEntry } from './cpio.js';
import { AGENT_SCRIPT, GUEST_HOST_BINARIES, INIT_SCRIPT } from './guest-scripts.js';
import { DEFAULT_GUEST_MODULES, resolveFromKernelTree } from './modules.js';

/** Bump when the build logic below changes in a way the other inputs do not capture. */
export const BUILDER_VERSION = 1;

const BUSYBOX = '/bin/busybox';

export interface GuestImage {
  kernel: string;
  initrd: string;
  hash: string;
  /** The kernel release inside the guest (uname -r), e.g. 6.1.0-56-amd64. */
  release: string;
  kernelPackage: string;
  kernelVersion: string;
  modules: string[];
  /** True when this call built the image, false when it came from the cache. */
  built: boolean;
}

export interface ImageOptions {
  /** Extra modules on top of DEFAULT_GUEST_MODULES (e.g. 'openvswitch'). */
  extraModules?: readonly string[];
  cacheDir?: string;
  log?: (msg: string) => void;
}

export interface ImageInputs {
  builder: number;
  kernelPackage: string;
  kernelVersion: string;
  modules: string[];
  init: string;
  agent: string;
  busyboxVersion: string;
  iproute2Version: string;
  /** sha256 of every host file copied in (busybox, ip, bridge, their libraries). */
  hostFiles: Record<string, string>;
}

/** The repository root: two levels above this file, both from src/vm (tsx) and dist/vm (tsc). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export function defaultCacheDir(): string {
  return process.env.FABRIC_GUEST_CACHE ?? join(repoRoot(), '.cache', 'guest');
}

/** Stable hash of the inputs: keys sorted, so property order does not matter. */
export function hashInputs(inputs: ImageInputs): string {
  const canon = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v as object)
            .sort()
            .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
        )
      : Array.isArray(v)
        ? v.map(canon)
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canon(inputs)))
    .digest('hex')
    .slice(0, 16);
}

/** The versioned kernel package from `apt-cache depends linux-image-amd64` output (no wildcard). */
export function parseKernelDepends(text: string): string {
  const names = [...text.matchAll(/^\s*Depends:\s*(linux-image-[0-9][\w.+-]*-amd64)\s*$/gm)].map((m) => m[1]!);
  if (names.length !== 1) {
    throw new FabricError(
      'E_VM_KERNEL_PKG',
      `expected exactly one versioned kernel in linux-image-amd64's Depends, found ${names.length ? names.join(', ') : 'none'}`,
      {
        hint: 'apt-get update; apt-cache depends linux-image-amd64',
      },
    );
  }
  return names[0]!;
}

/** Paths of the shared objects (and the ELF interpreter) from `ldd` output. */
export function parseLdd(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const arrow = /=>\s*(\/\S+)\s*\(/.exec(line);
    const bare = /^\s*(\/\S+)\s*\(/.exec(line);
    const p = arrow?.[1] ?? bare?.[1];
    if (p && !out.includes(p)) out.push(p);
  }
  return out;
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function dpkgVersion(pkg: string): Promise<string> {
  const r = await tryRun('dpkg-query', ['-W', '-f=${Version}', pkg]);
  if (r.exitCode !== 0 || !r.stdout.trim()) {
    throw new FabricError('E_VM_HOST_PKG', `Debian package ${pkg} is not installed (needed for the guest image)`, {
      hint: 'run scripts/install-deps.sh as root',
    });
  }
  return r.stdout.trim();
}

/** Changes whenever `apt-get update` replaces a package list (the directory's mtime moves). */
function aptListsStamp(): string {
  try {
    const dir = '/var/lib/apt/lists';
    const newest = readdirSync(dir)
      .filter((n) => n.endsWith('_Packages') || n.endsWith('_Packages.lz4') || n.endsWith('_Release'))
      .map((n) => statSync(join(dir, n)).mtimeMs)
      .reduce((a, b) => Math.max(a, b), statSync(dir).mtimeMs);
    return String(newest);
  } catch {
    return 'none';
  }
}

async function resolveKernelPackage(cacheDir: string): Promise<{ pkg: string; version: string }> {
  const last = join(cacheDir, 'kernel.json');
  const stamp = aptListsStamp();
  const prev = existsSync(last)
    ? (JSON.parse(readFileSync(last, 'utf8')) as { pkg: string; version: string; stamp?: string })
    : undefined;
  // apt-cache takes seconds on a busy machine; its answer only changes with the package lists.
  if (prev && prev.stamp === stamp) return { pkg: prev.pkg, version: prev.version };
  try {
    const dep = await run('apt-cache', ['depends', 'linux-image-amd64']);
    const pkg = parseKernelDepends(dep.stdout);
    const show = await run('apt-cache', ['show', '--no-all-versions', pkg]);
    const version = /^Version:\s*(\S+)/m.exec(show.stdout)?.[1];
    if (!version) throw new FabricError('E_VM_KERNEL_PKG', `no Version in apt-cache show ${pkg}`);
    writeFileSync(last, JSON.stringify({ pkg, version, stamp }) + '\n');
    return { pkg, version };
  } catch (err) {
    // Offline or no package lists: reuse the last resolution if its .deb is still cached.
    if (prev && findDeb(join(cacheDir, 'debs'), prev.pkg)) return { pkg: prev.pkg, version: prev.version };
    throw err;
  }
}

function findDeb(dir: string, pkg: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const f = readdirSync(dir).find((n) => n.startsWith(`${pkg}_`) && n.endsWith('.deb'));
  return f ? join(dir, f) : undefined;
}

async function hostFilesWithLibs(): Promise<{ files: { from: string; to: string }[] }> {
  const files: { from: string; to: string }[] = [{ from: BUSYBOX, to: '/bin/busybox' }];
  const libs = new Set<string>();
  for (const b of GUEST_HOST_BINARIES) {
    if (!existsSync(b.from))
      throw new FabricError('E_VM_HOST_PKG', `${b.from} is missing (Debian package ${b.pkg})`, {
        hint: 'run scripts/install-deps.sh as root',
      });
    files.push({ from: b.from, to: b.to });
    const ldd = await run('ldd', [b.from]);
    for (const l of parseLdd(ldd.stdout)) libs.add(l);
  }
  for (const l of [...libs].sort()) files.push({ from: l, to: l });
  return { files };
}

/** Computes the inputs without downloading anything (cheap: apt-cache, dpkg-query, file hashes). */
export async function imageInputs(
  opts: ImageOptions = {},
): Promise<{ inputs: ImageInputs; files: { from: string; to: string }[] }> {
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  mkdirSync(cacheDir, { recursive: true });
  const { pkg, version } = await resolveKernelPackage(cacheDir);
  const { files } = await hostFilesWithLibs();
  const hostFiles: Record<string, string> = {};
  for (const f of files) hostFiles[f.to] = sha256(readFileSync(f.from));
  const inputs: ImageInputs = {
    builder: BUILDER_VERSION,
    kernelPackage: pkg,
    kernelVersion: version,
    modules: [...DEFAULT_GUEST_MODULES, ...(opts.extraModules ?? [])],
    init: INIT_SCRIPT,
    agent: AGENT_SCRIPT,
    busyboxVersion: await dpkgVersion('busybox-static'),
    iproute2Version: await dpkgVersion('iproute2'),
    hostFiles,
  };
  return { inputs, files };
}

function cached(dir: string): (GuestImage & { built: false }) | undefined {
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest) || !existsSync(join(dir, 'vmlinuz')) || !existsSync(join(dir, 'initrd.gz')))
    return undefined;
  const m = JSON.parse(readFileSync(manifest, 'utf8')) as Omit<GuestImage, 'kernel' | 'initrd' | 'built'>;
  return { ...m, kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.gz'), built: false };
}

/**
 * Returns the guest kernel and initramfs, building them first when no cached image matches the
 * current inputs. Needs root only for nothing; needs network only for the first kernel download.
 */
export async function ensureGuestImage(opts: ImageOptions = {}): Promise<GuestImage> {
  const log = opts.log ?? (() => {});
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const { inputs, files } = await imageInputs({ ...opts, cacheDir });
  const hash = hashInputs(inputs);
  const outDir = join(cacheDir, hash);
  const hit = cached(outDir);
  if (hit) return hit;

  log(`guest image ${hash}: building (kernel ${inputs.kernelPackage} ${inputs.kernelVersion})`);
  const debDir = join(cacheDir, 'debs');
  mkdirSync(debDir, { recursive: true });
  let deb = findDeb(debDir, inputs.kernelPackage);
  if (deb && !deb.includes(`_${inputs.kernelVersion.replace(/:/g, '%3a')}_`)) {
    rmSync(deb);
    deb = undefined;
  }
  if (!deb) {
    log(`apt-get download ${inputs.kernelPackage}=${inputs.kernelVersion}`);
    const r = await tryRun(
      'apt-get',
      ['download', '-o', 'APT::Sandbox::User=root', `${inputs.kernelPackage}=${inputs.kernelVersion}`],
      { cwd: debDir },
    );
    deb = findDeb(debDir, inputs.kernelPackage);
    if (r.exitCode !== 0 || !deb) {
      throw new FabricError(
        'E_VM_KERNEL_DOWNLOAD',
        `apt-get download ${inputs.kernelPackage} failed: ${String(r.stderr).trim().split('\n').slice(-3).join(' ')}`,
        {
          hint: 'needs a Debian mirror in sources.list and `apt-get update`',
        },
      );
    }
  }

  const work = join(cacheDir, `tmp-${process.pid}-${Date.now()}`);
  try {
    const tree = join(work, 'deb');
    mkdirSync(tree, { recursive: true });
    await run('dpkg', ['-x', deb, tree]);
    const releases = readdirSync(join(tree, 'lib', 'modules'));
    if (releases.length !== 1)
      throw new FabricError('E_VM_KERNEL_PKG', `expected one kernel release in ${deb}, found ${releases.join(', ')}`);
    const release = releases[0]!;
    const vmlinuz = join(tree, 'boot', `vmlinuz-${release}`);
    if (!existsSync(vmlinuz)) throw new FabricError('E_VM_KERNEL_PKG', `no boot/vmlinuz-${release} in ${deb}`);

    const { order, files: koFiles } = await resolveFromKernelTree(
      join(tree, 'lib', 'modules', release),
      inputs.modules,
    );
    log(`modules (load order): ${order.join(' ')}`);

    const entries: CpioEntry[] = [
      { type: 'file', path: '/init', data: Buffer.from(INIT_SCRIPT), mode: 0o755 },
      { type: 'file', path: '/sbin/fabric-agent', data: Buffer.from(AGENT_SCRIPT), mode: 0o755 },
      { type: 'symlink', path: '/bin/sh', target: 'busybox' },
      { type: 'file', path: '/lib/modules/load-order', data: Buffer.from(order.join('\n') + '\n') },
      { type: 'chardev', path: '/dev/console', major: 5, minor: 1 },
      { type: 'chardev', path: '/dev/null', major: 1, minor: 3, mode: 0o666 },
      ...['/proc', '/sys', '/tmp', '/run', '/root', '/etc', '/var/run/netns', '/usr/bin'].map((p) => ({
        type: 'dir' as const,
        path: p,
      })),
      { type: 'file', path: '/etc/hostname', data: Buffer.from('guest\n') },
    ];
    for (const [name, file] of koFiles)
      entries.push({ type: 'file', path: `/lib/modules/${name}.ko`, data: readFileSync(file) });
    for (const f of files) entries.push({ type: 'file', path: f.to, data: readFileSync(f.from), mode: 0o755 });
    const initrd = gzipSync(writeCpio(entries), { level: 9 });

    const stage = join(work, 'out');
    mkdirSync(stage, { recursive: true });
    writeFileSync(join(stage, 'vmlinuz'), readFileSync(vmlinuz));
    writeFileSync(join(stage, 'initrd.gz'), initrd);
    const manifest = {
      hash,
      release,
      kernelPackage: inputs.kernelPackage,
      kernelVersion: inputs.kernelVersion,
      modules: order,
      inputs: { ...inputs, init: sha256(inputs.init), agent: sha256(inputs.agent) },
    };
    writeFileSync(join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    try {
      renameSync(stage, outDir);
    } catch (err) {
      // Another process built the same hash at the same time: theirs is as good as ours.
      if (!cached(outDir)) throw err;
    }
    log(`guest image ${hash}: initrd ${(initrd.length / 1024).toFixed(0)} KiB`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const img = cached(outDir);
  if (!img) throw new FabricError('E_VM_IMAGE', `guest image ${outDir} incomplete after build`);
  return { ...img, built: true };
}
