// Buffered line output with back-pressure: lines are encoded straight into large byte buffers
// (no joined string: joining millions of concatenated strings is what made output slow), written
// in ~1 MiB pieces, and the reader waits for 'drain', so a slow consumer (a pager, a pipe) never
// makes memory grow. A closed pipe (`fabric inspect big.pcap | head`) ends the run quietly.
// When the stream is done with a chunk once its write callback runs (a file, pipe or terminal,
// not a stream that hands chunks on to readers), written blocks are reused: a fresh 1 MiB block
// per write made the garbage collector run every few dozen megabytes of output.
import type { Writable } from 'node:stream';

const BLOCK = 1 << 20;

export class LineOutput {
  private full: Buffer[] = [];
  private fullBytes = 0;
  /** The block being filled: encoders write bytes at `off` after reserve() and advance `off`. */
  buf: Buffer = Buffer.allocUnsafe(BLOCK);
  off = 0;
  closed = false;
  private waiting: Promise<void> | undefined;
  /** Written blocks the stream is done with (only when `reuse`). */
  private readonly spare: Buffer[] = [];
  constructor(
    private readonly out: Writable,
    private readonly reuse = false,
  ) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else throw e;
    });
  }
  /** Makes room for n more bytes at `off` (a new block when the current one is full). */
  reserve(n: number): void {
    if (this.off + n <= this.buf.length) return;
    if (this.off > 0) {
      this.full.push(this.buf.subarray(0, this.off));
      this.fullBytes += this.off;
    }
    this.buf = this.block(n);
    this.off = 0;
  }
  private block(n: number): Buffer {
    return n <= BLOCK && this.spare.length > 0 ? this.spare.pop()! : Buffer.allocUnsafe(Math.max(BLOCK, n));
  }
  private readonly recycle = (b: Buffer) => () => {
    // A block of its own (1 MiB is far above Buffer's pool size): the whole ArrayBuffer is ours.
    if (b.buffer.byteLength === BLOCK) this.spare.push(Buffer.from(b.buffer, 0, BLOCK));
  };
  line(s: string): void {
    this.reserve(s.length * 3 + 1);
    this.off += this.buf.write(s, this.off, 'utf8');
    this.buf[this.off++] = 10;
  }
  text(s: string): void {
    this.reserve(s.length * 3 + 1);
    this.off += this.buf.write(s, this.off, 'utf8');
    if (!s.endsWith('\n')) this.buf[this.off++] = 10;
  }
  /** Bytes buffered and not yet written. */
  get pending(): number {
    return this.fullBytes + this.off;
  }
  /** Writes what is buffered; resolves when the stream can take more. */
  async flush(): Promise<void> {
    if (this.closed) {
      this.full = [];
      this.fullBytes = 0;
      this.off = 0;
      return;
    }
    if (this.off > 0) {
      this.full.push(this.buf.subarray(0, this.off));
      // The written part now belongs to the stream; new lines go to a fresh buffer.
      this.buf = this.block(BLOCK);
      this.off = 0;
    }
    let ok = true;
    for (const b of this.full) ok = (this.reuse ? this.out.write(b, this.recycle(b)) : this.out.write(b)) && ok;
    this.full = [];
    this.fullBytes = 0;
    if (!ok) {
      this.waiting ??= new Promise<void>((r) => {
        const done = () => {
          this.out.off('drain', done);
          this.out.off('close', done);
          this.waiting = undefined;
          r();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
      });
    }
    if (this.waiting) await this.waiting;
  }
}
