// A minimal, deterministic ustar writer: enough to hand a rootfs to `docker import` without a
// tar binary or an npm package. Fixed mtime/owner, entries in the order given, so the same files
// always give the same bytes (and the same content hash, which tags the image).
import { createHash } from 'node:crypto';

export type TarEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; data: Buffer; mode?: number }
  | { type: 'symlink'; path: string; target: string };

const BLOCK = 512;

function octal(n: number, width: number): string {
  // width-1 octal digits, NUL terminated (POSIX ustar numeric field).
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function put(buf: Buffer, off: number, width: number, s: string): void {
  const b = Buffer.from(s, 'utf8');
  if (b.length > width) throw new Error(`tar: field too long: ${s}`);
  b.copy(buf, off);
}

/** Splits a path into ustar name (≤100) and prefix (≤155) fields. */
export function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== '/') continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name) return { name, prefix };
  }
  throw new Error(`tar: path too long for ustar: ${path}`);
}

function header(e: TarEntry): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const rel = e.path.replace(/^\/+/, '') + (e.type === 'dir' && !e.path.endsWith('/') ? '/' : '');
  const { name, prefix } = splitPath(rel);
  put(h, 0, 100, name);
  const mode = e.type === 'symlink' ? 0o777 : (e.mode ?? (e.type === 'dir' ? 0o755 : 0o644));
  put(h, 100, 8, octal(mode, 8));
  put(h, 108, 8, octal(0, 8)); // uid
  put(h, 116, 8, octal(0, 8)); // gid
  put(h, 124, 12, octal(e.type === 'file' ? e.data.length : 0, 12));
  put(h, 136, 12, octal(0, 12)); // mtime: fixed for reproducibility
  h.fill(0x20, 148, 156); // checksum placeholder: spaces
  put(h, 156, 1, e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2');
  if (e.type === 'symlink') put(h, 157, 100, e.target);
  put(h, 257, 6, 'ustar\0');
  put(h, 263, 2, '00');
  put(h, 265, 32, 'root');
  put(h, 297, 32, 'root');
  put(h, 345, 155, prefix);
  let sum = 0;
  for (const byte of h) sum += byte;
  put(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/** The whole archive in memory (rootfs images here are a few MB). */
export function tarBuffer(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e));
    if (e.type === 'file') {
      parts.push(e.data);
      const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad, 0));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}
