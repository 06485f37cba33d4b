// The guest agent's line protocol over the control channel (a virtio-serial port named
// fabric.agent in the guest, a unix socket on the host). One request and one response per line,
// so it survives a host reconnect (e.g. after live migration) without any session state:
//
//   host → guest   <id> <base64 of a shell command line>\n          id: decimal, ≥ 1
//   guest → host   =<id> <exit code> <base64 stdout> <base64 stderr>\n
//   guest → host   !ready <kernel release>\n                          once, when the agent starts
//
// Anything else on the line (kernel noise, a tty echo before the agent turned echo off, garbage
// from a half-sent line) is ignored. The command is built from argv with every argument
// single-quoted, so the guest shell's `eval` sees exactly those words (no expansion).

export interface AgentResponse {
  id: number;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type AgentLine =
  { kind: 'response'; response: AgentResponse } | { kind: 'ready'; release: string } | { kind: 'noise'; text: string };

/** POSIX single-quoting: the result is one shell word equal to `s`. */
export function shellQuote(s: string): string {
  if (s.includes('\0')) throw new Error('NUL byte in a guest command argument');
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The guest shell command line for argv (each word quoted). */
export function argvToShell(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty argv');
  return argv.map(shellQuote).join(' ');
}

/** One request line (with its newline). */
export function encodeRequest(id: number, shellCommand: string): string {
  if (!Number.isSafeInteger(id) || id < 1) throw new RangeError(`bad request id ${id}`);
  return `${id} ${Buffer.from(shellCommand, 'utf8').toString('base64')}\n`;
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Classifies one line received from the guest (without its newline; a trailing \r is dropped). */
export function parseAgentLine(raw: string): AgentLine {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.startsWith('!ready ')) return { kind: 'ready', release: line.slice(7).trim() };
  const m = /^=(\d+) (\d+) ([^ ]*) ([^ ]*)$/.exec(line);
  if (m && B64.test(m[3]!) && B64.test(m[4]!)) {
    return {
      kind: 'response',
      response: {
        id: Number(m[1]),
        exitCode: Number(m[2]),
        stdout: Buffer.from(m[3]!, 'base64').toString('utf8'),
        stderr: Buffer.from(m[4]!, 'base64').toString('utf8'),
      },
    };
  }
  return { kind: 'noise', text: line };
}

/** Splits a byte stream into lines, keeping the unfinished tail for the next chunk. */
export class LineSplitter {
  private tail = '';
  push(chunk: string): string[] {
    const text = this.tail + chunk;
    const parts = text.split('\n');
    this.tail = parts.pop() ?? '';
    return parts;
  }
  get pending(): string {
    return this.tail;
  }
}
