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
  /** Count of `!ready` lines seen (the agent restarted or booted). */
  private readySeen = 0;
  private onReady: (() => void) | undefined;

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
          if (l.kind === 'ready') {
            this.release = l.release;
            this.readySeen++;
            this.onReady?.();
          } else if (l.kind === 'response') {
            const w = this.waiters.get(l.response.id);
            if (w) {
              this.waiters.delete(l.response.id);
              w(l.response);
            }
          }
        }
      });
      sock.on('close', () => {
        if (this.sock === sock) this.sock = undefined;
      });
    });
  }

  /**
   * Connects and waits until the agent is up: either its `!ready` line arrives (a new agent starts
   * on each host connection, so we normally see it) or it answers a no-op. The no-op covers an
   * agent that outlived the last hang-up (it was writing an answer, which blocks until a host
   * connects, so it prints no `!ready`); it is re-sent every `retryMs` and an answer to ANY of
   * them counts, since a slow guest works through the backlog in order. `alive()` lets
   * the caller abort early when the QEMU process has died (a guest that fails to boot).
   * `firstPingAfterMs`: how long to rely on `!ready` alone (for a guest we watch from power-on).
   */
  async waitReady(
    timeoutMs: number,
    alive: () => boolean = () => true,
    retryMs = 2000,
    firstPingAfterMs = 0,
  ): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!this.sock) {
      try {
        await this.open();
      } catch (err) {
        if (Date.now() > end || !alive())
          throw new FabricError('E_VM_AGENT', `cannot connect to the guest agent socket ${this.path}`, { cause: err });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    let up = false;
    const readySeen = this.readySeen;
    this.onReady = () => {
      up = true;
    };
    const pingIds: number[] = [];
    // A guest we watch boot announces itself; pinging early only queues work for a slow agent.
    let nextPing = Date.now() + firstPingAfterMs;
    try {
      while (!up && this.readySeen === readySeen) {
        if (Date.now() >= nextPing) {
          const id = this.nextId++;
          pingIds.push(id);
          this.waiters.set(id, () => {
            up = true;
          });
          this.sock?.write(encodeRequest(id, 'true'));
          nextPing = Date.now() + retryMs;
        }
        await new Promise((r) => setTimeout(r, 50));
        if (up || this.readySeen !== readySeen) break;
        if (!alive())
          throw new FabricError('E_VM_BOOT', 'the guest stopped before its agent answered', {
            hint: 'see console.log in the VM run directory',
          });
        if (Date.now() > end)
          throw new FabricError(
            'E_VM_AGENT_TIMEOUT',
            `guest agent on ${this.path} did not answer within ${timeoutMs} ms`,
            { hint: 'see console.log in the VM run directory' },
          );
        if (!this.sock) await this.open().catch(() => {});
      }
    } finally {
      this.onReady = undefined;
      // Late answers to the other pings are simply dropped.
      for (const id of pingIds) this.waiters.delete(id);
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
        reject(
          new FabricError(
            'E_VM_AGENT_TIMEOUT',
            `guest command got no answer in ${timeoutMs} ms: ${script.slice(0, 200)}`,
            {
              hint: 'the agent runs one command at a time; a command that never ends blocks it (use `timeout N ...` in the guest)',
            },
          ),
        );
      }, timeoutMs);
      this.waiters.set(id, (r) => {
        clearTimeout(timer);
        if (opts.check && r.exitCode !== 0) {
          reject(
            new FabricError(
              'E_VM_GUEST_CMD',
              `guest command failed (exit ${r.exitCode}): ${script.slice(0, 200)}\n${r.stderr.trim()}`,
            ),
          );
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
