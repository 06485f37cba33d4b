// Buffered line output with back-pressure: lines are joined into ~64 KiB writes, and the reader
// waits for 'drain', so a slow consumer (a pager, a pipe) never makes memory grow. A closed pipe
// (`fabric inspect big.pcap | head`) ends the run quietly.
import type { Writable } from 'node:stream';

export class LineOutput {
  private parts: string[] = [];
  private size = 0;
  closed = false;
  private waiting: Promise<void> | undefined;
  constructor(private readonly out: Writable) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else throw e;
    });
  }
  line(s: string): void {
    this.parts.push(s);
    this.size += s.length + 1;
  }
  text(s: string): void {
    this.parts.push(s.endsWith('\n') ? s.slice(0, -1) : s);
    this.size += s.length;
  }
  get pending(): number {
    return this.size;
  }
  /** Writes what is buffered; resolves when the stream can take more. */
  async flush(): Promise<void> {
    if (this.closed) {
      this.parts = [];
      this.size = 0;
      return;
    }
    if (this.parts.length) {
      const chunk = this.parts.join('\n') + '\n';
      this.parts = [];
      this.size = 0;
      if (!this.out.write(chunk)) {
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
    }
    if (this.waiting) await this.waiting;
  }
}
