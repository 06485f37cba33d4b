// Runs an exec target and passes its exit status through: one node with the terminal's stdio
// (so a pager, a prompt or `shell` behave as on the node itself), several nodes with each output
// line prefixed by its node's name (as `pdsh` does), a virtual hypervisor through its guest agent.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { FabricError } from '../errors/fabric-error.js';
import type { ExecTarget } from './target.js';

export interface Output {
  out: (s: string) => void;
  err: (s: string) => void;
}

const STDIO: Output = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** A process's exit code, or 128 + the signal number as a shell reports a killed command. */
function codeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return signal ? 128 + (constants.signals[signal] ?? 15) : 1;
}

function spawnInherit(file: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'inherit' });
    child.once('error', (err) =>
      reject(new FabricError('E_CMD_FAILED', `cannot start ${file}: ${err.message}`, { cause: err })),
    );
    child.once('exit', (code, signal) => resolve(codeOf(code, signal)));
  });
}

/** Splits a stream into lines, each written with the prefix (a last partial line at the end). */
function prefixer(prefix: string, write: (s: string) => void): { push: (s: string) => void; end: () => void } {
  let rest = '';
  return {
    push(s) {
      const lines = (rest + s).split('\n');
      rest = lines.pop()!;
      for (const l of lines) write(`${prefix}${l}\n`);
    },
    end() {
      if (rest) write(`${prefix}${rest}\n`);
      rest = '';
    },
  };
}

function spawnPrefixed(file: string, args: string[], prefix: string, io: Output): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const o = prefixer(prefix, io.out);
    const e = prefixer(prefix, io.err);
    child.stdout.setEncoding('utf8').on('data', o.push);
    child.stderr.setEncoding('utf8').on('data', e.push);
    child.once('error', (err) =>
      reject(new FabricError('E_CMD_FAILED', `cannot start ${file}: ${err.message}`, { cause: err })),
    );
    child.once('close', (code, signal) => {
      o.end();
      e.end();
      resolve(codeOf(code, signal));
    });
  });
}

/** Runs argv in a virtual hypervisor through its guest agent. */
async function viaAgent(
  lab: string,
  vm: string,
  words: string[],
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { readFailoverState } = await import('../failover/store.js');
  const rec = readFailoverState(lab)?.guests[vm];
  if (!rec)
    throw new FabricError('E_FAILOVER_NOT_SETUP', `virtual hypervisor ${vm} of lab ${lab} is not running`, {
      hint: `fabric failover setup ${lab}`,
    });
  const { handle, releaseHandles } = await import('../failover/handles.js');
  try {
    const guest = await handle(rec.spec, true);
    const r = await guest.agent.run(words, { timeoutMs });
    return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  } finally {
    releaseHandles();
  }
}

export interface RunOpts {
  /** Milliseconds a guest-agent command may take. */
  agentTimeoutMs?: number;
  io?: Output;
}

/** Runs one target with the terminal's stdio; resolves with its exit status. */
export async function runOne(lab: string, t: ExecTarget, o: RunOpts = {}): Promise<number> {
  if (t.via !== 'agent') return spawnInherit(t.argv.file, t.argv.args);
  const io = o.io ?? STDIO;
  const r = await viaAgent(lab, t.vm, t.words, o.agentTimeoutMs ?? 60_000);
  io.out(r.stdout);
  io.err(r.stderr);
  return r.code;
}

/**
 * Runs the targets one after another, each output line prefixed with `<node>: `; resolves with
 * the highest exit status (0 when every node succeeded).
 */
export async function runMany(lab: string, targets: ExecTarget[], o: RunOpts = {}): Promise<number> {
  const io = o.io ?? STDIO;
  const width = Math.max(...targets.map((t) => t.node.length));
  let worst = 0;
  for (const t of targets) {
    const prefix = `${t.node.padEnd(width)}: `;
    let code: number;
    if (t.via === 'agent') {
      const r = await viaAgent(lab, t.vm, t.words, o.agentTimeoutMs ?? 60_000);
      for (const [text, write] of [
        [r.stdout, io.out],
        [r.stderr, io.err],
      ] as const) {
        const p = prefixer(prefix, write);
        p.push(text);
        p.end();
      }
      code = r.code;
    } else code = await spawnPrefixed(t.argv.file, t.argv.args, prefix, io);
    if (code !== 0) io.err(`${prefix}exit ${code}\n`);
    worst = Math.max(worst, code);
  }
  return worst;
}
