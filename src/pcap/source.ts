// Byte sources for the chunked reader: a file read with large positional-less reads, or a stream
// (stdin, a pipe). Both read into the caller's buffer so that memory stays at one buffer.
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { FabricError } from '../errors/fabric-error.js';

export interface ByteSource {
  /** Reads into buf[off..]; resolves to the number of bytes read, 0 at end of input. */
  read(buf: Uint8Array, off: number): Promise<number>;
  /** The first bytes of the input (up to 24), for format detection; consumes nothing. */
  peek(): Promise<Uint8Array>;
  close(): Promise<void>;
}

export function unreadable(file: string, err: unknown): FabricError {
  const e = err as NodeJS.ErrnoException;
  const why =
    e?.code === 'ENOENT'
      ? 'no such file'
      : e?.code === 'EACCES' || e?.code === 'EPERM'
        ? 'permission denied'
        : e?.code === 'EISDIR'
          ? 'is a directory'
          : (e?.message ?? String(err));
  return new FabricError('E_CAPTURE_UNREADABLE', `cannot read capture file: ${why}`, { location: file, cause: err });
}

export class FileSource implements ByteSource {
  private constructor(
    private readonly fh: FileHandle,
    private readonly file: string,
  ) {}
  static async open(file: string): Promise<FileSource> {
    try {
      return new FileSource(await open(file, 'r'), file);
    } catch (err) {
      throw unreadable(file, err);
    }
  }
  async peek(): Promise<Uint8Array> {
    const b = new Uint8Array(24);
    try {
      const { bytesRead } = await this.fh.read(b, 0, 24, 0);
      return b.subarray(0, bytesRead);
    } catch (err) {
      throw unreadable(this.file, err);
    }
  }
  async read(buf: Uint8Array, off: number): Promise<number> {
    try {
      const { bytesRead } = await this.fh.read(buf, off, buf.length - off, null);
      return bytesRead;
    } catch (err) {
      throw unreadable(this.file, err);
    }
  }
  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

export class StreamSource implements ByteSource {
  private readonly it: AsyncIterator<Uint8Array>;
  private pending: Uint8Array | null = null;
  private pendOff = 0;
  private head: Uint8Array[] = [];
  private ended = false;
  constructor(
    private readonly stream: Readable,
    private readonly file: string,
  ) {
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  }
  private async pull(): Promise<Uint8Array | null> {
    if (this.ended) return null;
    try {
      const r = await this.it.next();
      if (r.done) {
        this.ended = true;
        return null;
      }
      return typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    } catch (err) {
      throw unreadable(this.file, err);
    }
  }
  private async next(): Promise<Uint8Array | null> {
    if (this.head.length) return this.head.shift()!;
    return this.pull();
  }
  /** Gathers at least 24 bytes (or all input) into one head chunk, so the file header is whole. */
  async peek(): Promise<Uint8Array> {
    let have = this.head.reduce((a, c) => a + c.length, 0);
    while (have < 24) {
      const c = await this.pull();
      if (!c) break;
      this.head.push(c);
      have += c.length;
    }
    const all = Buffer.concat(this.head);
    this.head = all.length ? [all] : [];
    return new Uint8Array(all.buffer, all.byteOffset, Math.min(24, all.length));
  }
  /** Remaining chunks, head first (for handing the stream over to pcap-parser). */
  async *chunks(): AsyncGenerator<Uint8Array> {
    while (true) {
      const c = await this.next();
      if (!c) return;
      yield c;
    }
  }
  async read(buf: Uint8Array, off: number): Promise<number> {
    if (!this.pending || this.pendOff >= this.pending.length) {
      this.pending = await this.next();
      this.pendOff = 0;
      if (!this.pending) return 0;
    }
    const n = Math.min(buf.length - off, this.pending.length - this.pendOff);
    buf.set(this.pending.subarray(this.pendOff, this.pendOff + n), off);
    this.pendOff += n;
    return n;
  }
  async close(): Promise<void> {
    if (this.stream !== process.stdin) this.stream.destroy();
  }
}
