// A small QMP client (QEMU Machine Protocol: JSON objects, one per line, over a unix socket).
// Commands carry an id so replies are matched even when events interleave.
import { connect, type Socket } from 'node:net';
import { FabricError } from '../errors/fabric-error.js';
import { LineSplitter } from './protocol.js';

export interface QmpEvent {
  event: string;
  data?: unknown;
  timestamp?: { seconds: number; microseconds: number };
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  command: string;
}

export class QmpClient {
  private sock: Socket | undefined;
  private readonly lines = new LineSplitter();
  private readonly pending = new Map<string, Pending>();
  private greeting: ((v: unknown) => void) | undefined;
  private nextId = 1;
  readonly events: QmpEvent[] = [];
  private closedErr: Error | undefined;

  constructor(readonly path: string) {}

  /** Connects, reads the greeting and negotiates capabilities. Retries while the socket is not there yet. */
  async connect(timeoutMs = 10_000, alive: () => boolean = () => true): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.open();
        break;
      } catch (err) {
        if (!alive())
          throw new FabricError('E_VM_BOOT', `QEMU exited before its QMP socket ${this.path} answered`, { cause: err });
        if (Date.now() > end)
          throw new FabricError('E_VM_QMP', `cannot connect to QMP socket ${this.path}`, { cause: err });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await this.execute('qmp_capabilities');
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = connect(this.path);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error('no QMP greeting'));
      }, 5000);
      sock.setEncoding('utf8');
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      this.greeting = () => {
        clearTimeout(timer);
        this.sock = sock;
        this.closedErr = undefined;
        resolve();
      };
      sock.on('data', (chunk: string) => this.onData(chunk));
      sock.on('close', () => this.onClose());
    });
  }

  private onData(chunk: string): void {
    for (const line of this.lines.push(chunk)) {
      if (!line.trim()) continue;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if ('QMP' in msg) {
        this.greeting?.(msg);
        this.greeting = undefined;
      } else if ('event' in msg) {
        this.events.push(msg as unknown as QmpEvent);
      } else if ('id' in msg) {
        const p = this.pending.get(String(msg.id));
        if (!p) continue;
        this.pending.delete(String(msg.id));
        if ('error' in msg) {
          const e = msg.error as { class?: string; desc?: string };
          p.reject(new FabricError('E_VM_QMP', `QMP ${p.command} failed: ${e.class ?? 'Error'}: ${e.desc ?? ''}`));
        } else p.resolve(msg.return);
      }
    }
  }

  private onClose(): void {
    this.closedErr = new FabricError('E_VM_QMP_CLOSED', `QMP connection ${this.path} closed`);
    this.sock = undefined;
    for (const p of this.pending.values()) p.reject(this.closedErr);
    this.pending.clear();
  }

  /** Runs one QMP command and resolves with its `return` value. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    const sock = this.sock;
    if (!sock)
      return Promise.reject(this.closedErr ?? new FabricError('E_VM_QMP_CLOSED', `QMP ${this.path} not connected`));
    const id = `f${this.nextId++}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new FabricError('E_VM_QMP_TIMEOUT', `QMP ${command} got no reply in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        command,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      sock.write(JSON.stringify(args ? { execute: command, arguments: args, id } : { execute: command, id }) + '\n');
    });
  }

  get connected(): boolean {
    return this.sock !== undefined;
  }

  close(): void {
    this.sock?.end();
    this.sock?.destroy();
    this.sock = undefined;
  }
}
