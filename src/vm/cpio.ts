// A minimal cpio "newc" writer for the guest initramfs. Written here rather than shelling out to
// cpio(1) so that the archive is byte-for-byte reproducible (fixed mtime, sorted entries, fixed
// inode numbers) and needs no extra Debian package.

export type CpioEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; data: Buffer; mode?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'chardev'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`cpio field out of range: ${n}`);
  return n.toString(16).padStart(8, '0');
}

function pad4(len: number): Buffer {
  return Buffer.alloc((4 - (len % 4)) % 4);
}

function header(
  ino: number,
  mode: number,
  nlink: number,
  size: number,
  rmaj: number,
  rmin: number,
  nameSize: number,
  mtime: number,
): string {
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  return '070701' + [ino, mode, 0, 0, nlink, mtime, size, 0, 0, rmaj, rmin, nameSize, 0].map(hex8).join('');
}

function record(
  name: string,
  ino: number,
  mode: number,
  nlink: number,
  data: Buffer,
  rmaj: number,
  rmin: number,
  mtime: number,
): Buffer[] {
  const nameBuf = Buffer.from(`${name}\0`, 'utf8');
  const head = Buffer.from(header(ino, mode, nlink, data.length, rmaj, rmin, nameBuf.length, mtime), 'ascii');
  return [head, nameBuf, pad4(head.length + nameBuf.length), data, pad4(data.length)];
}

/** Normalises a path for the archive: no leading slash, no empty or dot segments. */
export function cpioName(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) throw new Error(`bad cpio path: ${JSON.stringify(path)}`);
  return parts.join('/');
}

/**
 * Builds a newc archive. Parent directories are added automatically; entries are sorted by path
 * so that parents precede children and the output does not depend on insertion order.
 */
export function writeCpio(entries: readonly CpioEntry[], mtime = 0): Buffer {
  const byName = new Map<string, CpioEntry>();
  for (const e of entries) {
    const name = cpioName(e.path);
    if (byName.has(name)) throw new Error(`duplicate cpio path: ${name}`);
    byName.set(name, e);
  }
  for (const name of [...byName.keys()]) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!byName.has(dir)) byName.set(dir, { type: 'dir', path: dir });
      else if (byName.get(dir)!.type !== 'dir') throw new Error(`cpio path ${name} is under non-directory ${dir}`);
    }
  }
  const names = [...byName.keys()].sort();
  const out: Buffer[] = [];
  let ino = 1;
  for (const name of names) {
    const e = byName.get(name)!;
    switch (e.type) {
      case 'dir':
        out.push(...record(name, ino++, S_IFDIR | (e.mode ?? 0o755), 2, Buffer.alloc(0), 0, 0, mtime));
        break;
      case 'file':
        out.push(...record(name, ino++, S_IFREG | (e.mode ?? 0o644), 1, e.data, 0, 0, mtime));
        break;
      case 'symlink':
        out.push(...record(name, ino++, S_IFLNK | 0o777, 1, Buffer.from(e.target, 'utf8'), 0, 0, mtime));
        break;
      case 'chardev':
        out.push(...record(name, ino++, S_IFCHR | (e.mode ?? 0o600), 1, Buffer.alloc(0), e.major, e.minor, mtime));
        break;
    }
  }
  out.push(...record('TRAILER!!!', 0, 0, 1, Buffer.alloc(0), 0, 0, 0));
  return Buffer.concat(out);
}

/** Parses a newc archive (for tests and `fabric` self-checks): names, modes and contents. */
export function readCpio(buf: Buffer): { name: string; mode: number; data: Buffer; rdev: [number, number] }[] {
  const res: { name: string; mode: number; data: Buffer; rdev: [number, number] }[] = [];
  let off = 0;
  for (;;) {
    if (off + 110 > buf.length) throw new Error('truncated cpio header');
    const magic = buf.toString('ascii', off, off + 6);
    if (magic !== '070701') throw new Error(`bad cpio magic at ${off}: ${magic}`);
    const field = (i: number): number => Number.parseInt(buf.toString('ascii', off + 6 + i * 8, off + 14 + i * 8), 16);
    const mode = field(1);
    const size = field(6);
    const rdev: [number, number] = [field(9), field(10)];
    const nameSize = field(11);
    const nameStart = off + 110;
    const name = buf.toString('utf8', nameStart, nameStart + nameSize - 1);
    let dataStart = nameStart + nameSize;
    dataStart += (4 - (dataStart % 4)) % 4;
    if (dataStart + size > buf.length) throw new Error(`truncated cpio data for ${name}`);
    const data = buf.subarray(dataStart, dataStart + size);
    off = dataStart + size;
    off += (4 - (off % 4)) % 4;
    if (name === 'TRAILER!!!') return res;
    res.push({ name, mode, data, rdev });
  }
}
