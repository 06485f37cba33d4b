// Runs one probe command (argv array, never a shell) and returns its output whatever the exit code:
// a lossy ping is a measurement, not an exception.
import { execa } from 'execa';

export interface ProbeRun {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export function formatArgv(file: string, args: readonly string[]): string {
  return [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export async function runProbe(file: string, args: readonly string[], timeoutMs: number): Promise<ProbeRun> {
  const command = formatArgv(file, args);
  const r = await execa(file, [...args], { reject: false, timeout: timeoutMs, stdin: 'ignore' });
  return {
    command,
    exitCode: typeof r.exitCode === 'number' ? r.exitCode : -1,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    timedOut: r.timedOut === true,
  };
}
