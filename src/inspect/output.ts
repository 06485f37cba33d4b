// Buffered line output with back-pressure: lines are encoded straight into large byte buffers
// (no joined string: joining millions of concatenated strings is what made output slow), written
// in ~1 MiB pieces, and the reader waits for 'drain', so a slow consumer (a pager, a pipe) never
// makes memory grow. A closed pipe (`fabric inspect big.pcap | head`) ends the run quietly.
import type { Writable } from 'node:stream';

const BLOCK = 1 << 20;

export class LineOutput {
  private full: Buffer[] = [];
  private fullBytes = 0;
  private buf: Buffer = Buffer.allocUnsafe(BLOCK);
  private off = 0;
  closed = false;
  private waiting: Promise<void> | undefined;
  constructor(private readonly out: Writable) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else throw e;
    });
  }
  private room(n: number): void {
    if (this.off + n <= this.buf.length) return;
    if (this.off > 0) {
      this.full.push(this.buf.subarray(0, this.off));
      this.fullBytes += this.off;
    }
    this.buf = Buffer.allocUnsafe(Math.max(BLOCK, n));
    this.off = 0;
  }
  line(s: string): void {
    this.room(s.length * 3 + 1);
    this.off += this.buf.write(s, this.off, 'utf8');
    this.buf[this.off++] = 10;
  }
  text(s: string): void {
    this.room(s.length * 3 + 1);
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
      this.buf = Buffer.allocUnsafe(BLOCK);
      this.off = 0;
    }
    let ok = true;
    for (const b of this.full) ok = this.out.write(b) && ok;
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
