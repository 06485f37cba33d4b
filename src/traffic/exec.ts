// Runs one probe command (argv array, never a shell) through the host-networking adapter and
// returns its output whatever the exit code: a lossy ping is a measurement, not an exception.
import { formatCommand, hostNet, type ProbeRun } from '../hostnet/index.js';

export type { ProbeRun };

export function formatArgv(file: string, args: readonly string[]): string {
  return formatCommand(file, args);
}

export async function runProbe(file: string, args: readonly string[], timeoutMs: number): Promise<ProbeRun> {
  return hostNet().proc.probe({ file, args: [...args] }, timeoutMs);
}
