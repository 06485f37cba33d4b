// The endpoint rootfs, made from the machine's own Debian packages (no registry, no download):
// busybox-static for a shell and `sleep infinity`, iproute2's `ip` and ethtool with exactly the
// shared libraries `ldd` reports. Paths are validated: nothing from ldd output reaches a shell.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, posix } from 'node:path';
import { FabricError } from '../../errors/fabric-error.js';
import { run } from '../../hostnet/exec.js';
import type { TarEntry } from './tar.js';

export const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox'];
/** Real tools copied in, with their place in the image (ahead of busybox applets on PATH). */
export interface Tool {
  name: string;
  candidates: string[];
  dest: string;
  required: boolean;
  pkg: string;
}
export const TOOLS: Tool[] = [
  {
    name: 'ip',
    candidates: ['/usr/bin/ip', '/bin/ip', '/usr/sbin/ip', '/sbin/ip'],
    dest: '/usr/sbin/ip',
    required: true,
    pkg: 'iproute2',
  },
  {
    name: 'ethtool',
    candidates: ['/usr/sbin/ethtool', '/sbin/ethtool'],
    dest: '/usr/sbin/ethtool',
    required: false,
    pkg: 'ethtool',
  },
];

const SAFE_PATH = /^\/[A-Za-z0-9_.+/-]+$/;

/** Library paths from `ldd` output (the loader line included, vdso skipped). */
export function parseLdd(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m = /=>\s+(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line);
    if (!m) m = /^(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line);
    if (m && SAFE_PATH.test(m[1]!) && !out.includes(m[1]!)) out.push(m[1]!);
  }
  return out;
}

function firstExisting(paths: string[]): string | undefined {
  return paths.find((p) => existsSync(p));
}

function buildError(msg: string, pkg: string): FabricError {
  return new FabricError('E_IMAGE_BUILD', msg, {
    hint: `install it (apt-get install ${pkg}, or scripts/install-deps.sh); images are built locally from Debian packages, never pulled`,
  });
}

/** Applet paths busybox knows (`busybox --list-full`: `bin/sh`, `usr/bin/awk`, ...). */
export async function busyboxApplets(busybox: string): Promise<string[]> {
  const r = await run(busybox, ['--list-full']);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[A-Za-z0-9_./[-]+$/.test(l) && !l.includes('..'));
}

/** Every entry of the endpoint image (or, with `opts`, a role image), in a deterministic order. */
export async function endpointRootfs(
  opts: {
    tools?: Tool[];
    users?: string[];
    groups?: string[];
    about?: string;
    /** Data files copied as they are (no ldd), e.g. a database schema. */
    data?: { src: string; dest: string; pkg: string }[];
    /** Empty directories the image's programs expect. */
    dirs?: string[];
  } = {},
): Promise<TarEntry[]> {
  const tools = opts.tools ?? TOOLS;
  const busybox = firstExisting(BUSYBOX_CANDIDATES);
  if (!busybox)
    throw buildError('busybox not found (the endpoint image is made from busybox-static)', 'busybox-static');
  const files = new Map<string, { src: string; mode: number }>();
  files.set('/bin/busybox', { src: busybox, mode: 0o755 });
  for (const t of tools) {
    const src = firstExisting(t.candidates);
    if (!src) {
      if (t.required) throw buildError(`${t.name} not found on this machine`, t.pkg);
      continue;
    }
    files.set(t.dest, { src, mode: 0o755 });
    const ldd = await run('ldd', [src], { okCodes: [0, 1] });
    for (const lib of parseLdd(ldd.stdout)) files.set(lib, { src: lib, mode: 0o755 });
  }
  for (const d of opts.data ?? []) {
    if (!existsSync(d.src)) throw buildError(`${d.src} not found on this machine`, d.pkg);
    files.set(d.dest, { src: d.src, mode: 0o644 });
  }
  const real = new Set(tools.map((t) => posix.basename(t.dest)));
  const links = new Map<string, string>();
  for (const a of await busyboxApplets(busybox)) {
    const p = `/${a}`;
    if (real.has(posix.basename(p)) || p === '/bin/busybox' || files.has(p)) continue; // the real tool wins
    links.set(p, '/bin/busybox');
  }
  const text = new Map<string, string>([
    ['/etc/passwd', ['root:x:0:0:root:/root:/bin/sh', ...(opts.users ?? [])].join('\n') + '\n'],
    ['/etc/group', ['root:x:0:', ...(opts.groups ?? [])].join('\n') + '\n'],
    ['/etc/fabric-image', `${opts.about ?? 'fabric endpoint image: busybox-static, iproute2 ip, ethtool'}\n`],
  ]);
  const dirs = new Map<string, number>([
    ...[
      '/bin',
      '/sbin',
      '/usr',
      '/usr/bin',
      '/usr/sbin',
      '/etc',
      '/proc',
      '/sys',
      '/dev',
      '/run',
      '/var',
      '/root',
      '/lib',
      '/lib64',
    ].map((d): [string, number] => [d, 0o755]),
    ['/tmp', 0o1777],
    ...(opts.dirs ?? []).map((d): [string, number] => [d, 0o755]),
  ]);
  const addParents = (p: string): void => {
    for (let d = dirname(p); d !== '/' && !dirs.has(d); d = dirname(d)) dirs.set(d, 0o755);
  };
  for (const p of [...files.keys(), ...links.keys(), ...text.keys()]) addParents(p);
  const sorted = <T>(m: Map<string, T>): [string, T][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const entries: TarEntry[] = [];
  for (const [path, mode] of sorted(dirs)) entries.push({ type: 'dir', path, mode });
  for (const [path, f] of sorted(files))
    entries.push({ type: 'file', path, mode: f.mode, data: readFileSync(realpathSync(f.src)) });
  for (const [path, t] of sorted(text)) entries.push({ type: 'file', path, mode: 0o644, data: Buffer.from(t) });
  for (const [path, target] of sorted(links)) entries.push({ type: 'symlink', path, target });
  entries.push({ type: 'symlink', path: '/var/run', target: '/run' });
  return entries;
}
