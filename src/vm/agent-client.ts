// Host side of the guest agent (src/vm/protocol.ts) over QEMU's chardev unix socket. One command
// at a time on the wire (the guest agent is a sequential shell loop); calls queue up in order.
import { connect, type Socket } from 'node:net';
import { FabricError } from '../errors/fabric-error.js';
import { argvToShell, encodeRequest, LineSplitter, parseAgentLine, type AgentResponse } from './protocol.js';

export interface GuestRunOptions {
  /** Milliseconds to wait for the answer (default 30 s). */
  timeoutMs?: number;
  /** Reject with E_VM_GUEST_CMD on a non-zero exit (default false: the caller reads exitCode). */
  check?: boolean;
}

export class AgentClient {
  private sock: Socket | undefined;
  private readonly lines = new LineSplitter();
  private readonly waiters = new Map<number, (r: AgentResponse) => void>();
  private nextId = 1;
  private chain: Promise<unknown> = Promise.resolve();
  /** Kernel release from the agent's last `!ready` line, if one was seen. */
  release: string | undefined;

  constructor(readonly path: string) {}

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = connect(this.path);
      sock.setEncoding('utf8');
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.removeListener('error', reject);
        sock.on('error', () => {});
        this.sock = sock;
        resolve();
      });
      sock.on('data', (chunk: string) => {
        for (const raw of this.lines.push(chunk)) {
          const l = parseAgentLine(raw);
          if (l.kind === 'ready') this.release = l.release;
          else if (l.kind === 'response') {
            const w = this.waiters.get(l.response.id);
            if (w) { this.waiters.delete(l.response.id); w(l.response); }
          }
        }
      });
      sock.on('close', () => { if (this.sock === sock) this.sock = undefined; });
    });
  }

  /**
   * Connects and waits until the agent answers. Re-sends a no-op every `retryMs` because bytes
   * sent before the guest opened its serial port may be lost. `alive()` lets the caller abort
   * early when the QEMU process has died (a guest that fails to boot).
   */
  async waitReady(timeoutMs: number, alive: () => boolean = () => true, retryMs = 500): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!this.sock) {
      try {
        await this.open();
      } catch (err) {
        if (Date.now() > end || !alive()) throw new FabricError('E_VM_AGENT', `cannot connect to the guest agent socket ${this.path}`, { cause: err });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    for (;;) {
      const id = this.nextId++;
      const got = new Promise<boolean>((resolve) => {
        const t = setTimeout(() => { this.waiters.delete(id); resolve(false); }, retryMs);
        this.waiters.set(id, () => { clearTimeout(t); resolve(true); });
      });
      this.sock?.write(encodeRequest(id, 'true'));
      if (await got) return;
      if (!alive()) throw new FabricError('E_VM_BOOT', 'the guest stopped before its agent answered', { hint: 'see console.log in the VM run directory' });
      if (Date.now() > end) throw new FabricError('E_VM_AGENT_TIMEOUT', `guest agent on ${this.path} did not answer within ${timeoutMs} ms`, { hint: 'see console.log in the VM run directory' });
      if (!this.sock) await this.open().catch(() => {});
    }
  }

  /** Runs argv in the guest (words passed verbatim, no shell expansion). */
  run(argv: readonly string[], opts: GuestRunOptions = {}): Promise<AgentResponse> {
    return this.sh(argvToShell(argv), opts);
  }

  /** Runs a shell command line in the guest's busybox sh. */
  sh(script: string, opts: GuestRunOptions = {}): Promise<AgentResponse> {
    const next = this.chain.then(() => this.send(script, opts));
    this.chain = next.catch(() => {});
    return next;
  }

  private send(script: string, opts: GuestRunOptions): Promise<AgentResponse> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const sock = this.sock;
    if (!sock) return Promise.reject(new FabricError('E_VM_AGENT', `guest agent ${this.path} not connected`));
    const id = this.nextId++;
    return new Promise<AgentResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new FabricError('E_VM_AGENT_TIMEOUT', `guest command got no answer in ${timeoutMs} ms: ${script.slice(0, 200)}`, {
          hint: 'the agent runs one command at a time; a command that never ends blocks it (use `timeout N ...` in the guest)',
        }));
      }, timeoutMs);
      this.waiters.set(id, (r) => {
        clearTimeout(timer);
        if (opts.check && r.exitCode !== 0) {
          reject(new FabricError('E_VM_GUEST_CMD', `guest command failed (exit ${r.exitCode}): ${script.slice(0, 200)}\n${r.stderr.trim()}`));
        } else resolve(r);
      });
      sock.write(encodeRequest(id, script));
    });
  }

  close(): void {
    this.sock?.destroy();
    this.sock = undefined;
  }
}
