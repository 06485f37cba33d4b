// A small execa wrapper: argv arrays only (never a shell string), and a failed command becomes a
// FabricError (E_CMD_FAILED) that carries the command line, the exit code and stderr, so a user
// sees exactly which `ip`/`ovs-vsctl` call broke and why.
import { execa, type ResultPromise } from 'execa';
import { FabricError } from '../errors/fabric-error.js';

export interface RunOptions {
  /** Text written to the command's stdin (e.g. an `ip -batch -` script). */
  input?: string;
  /** Milliseconds before the command is killed. */
  timeout?: number;
  /** Exit codes that are not failures (default: only 0). */
  okCodes?: number[];
  env?: Record<string, string>;
  /** Working directory of the command. */
  cwd?: string;
}

/** A command as an argv array: the program and its arguments (never a shell string). */
export interface Argv {
  file: string;
  args: string[];
}

export interface RunResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class CommandError extends FabricError {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly stderr: string;
  constructor(command: string, exitCode: number | undefined, stderr: string, cause?: unknown) {
    const tail = stderr.trim().split('\n').slice(-8).join('\n');
    super('E_CMD_FAILED', `command failed (exit ${exitCode ?? 'none'}): ${command}${tail ? `\n${tail}` : ''}`, {
      hint: "the output above is the command's stderr; run it by hand as root to see more",
      cause,
    });
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** Renders argv for messages only (never executed through a shell). */
export function formatCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Runs `file args...`; resolves with stdout/stderr, or throws CommandError (E_CMD_FAILED). */
export async function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const command = formatCommand(file, args);
  let res;
  try {
    res = await execa(file, [...args], {
      input: opts.input,
      timeout: opts.timeout,
      reject: false,
      stripFinalNewline: false,
      env: opts.env,
      extendEnv: true,
      cwd: opts.cwd,
    });
  } catch (err) {
    throw new CommandError(command, undefined, String((err as Error)?.message ?? err), err);
  }
  const exitCode = typeof res.exitCode === 'number' ? res.exitCode : -1;
  const stdout = String(res.stdout ?? '');
  const stderr = String(res.stderr ?? '');
  const ok = opts.okCodes ?? [0];
  if (res.failed && (res.exitCode === undefined || !ok.includes(exitCode))) {
    const why = res.timedOut
      ? `timed out after ${opts.timeout} ms\n${stderr}`
      : res.signal
        ? `killed by ${res.signal}\n${stderr}`
        : stderr || String(res.message ?? '');
    throw new CommandError(command, res.exitCode, why);
  }
  return { command, exitCode, stdout, stderr };
}

/** Like run() but never throws on a non-zero exit (the caller inspects exitCode). */
export async function tryRun(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const command = formatCommand(file, args);
  try {
    const res = await execa(file, [...args], {
      input: opts.input,
      timeout: opts.timeout,
      reject: false,
      stripFinalNewline: false,
      cwd: opts.cwd,
    });
    return {
      command,
      exitCode: typeof res.exitCode === 'number' ? res.exitCode : -1,
      stdout: String(res.stdout ?? ''),
      stderr: String(res.stderr ?? ''),
    };
  } catch (err) {
    return { command, exitCode: -1, stdout: '', stderr: String((err as Error)?.message ?? err) };
  }
}

/** A measurement's outcome: a lossy ping is a result, not an exception. */
export interface ProbeRun {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a measurement command (stdin closed) and returns its output whatever the exit code. */
export async function runProbe(file: string, args: readonly string[], timeoutMs: number): Promise<ProbeRun> {
  const command = formatCommand(file, args);
  const r = await execa(file, [...args], { reject: false, timeout: timeoutMs, stdin: 'ignore' });
  return {
    command,
    exitCode: typeof r.exitCode === 'number' ? r.exitCode : -1,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    timedOut: r.timedOut === true,
  };
}

/** A running child whose stdout is read as it comes (e.g. a receiver that reports readiness). */
export type Subprocess = ResultPromise<{ reject: false; stdin: 'ignore'; buffer: true }>;

/** Starts a long-running command (stdin closed, output buffered and streamed); never rejects. */
export function startProcess(file: string, args: readonly string[], opts: { timeout?: number } = {}): Subprocess {
  return execa(file, [...args], { reject: false, timeout: opts.timeout, stdin: 'ignore', buffer: true });
}

/** Runs async tasks with at most `limit` in flight; results keep input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}
