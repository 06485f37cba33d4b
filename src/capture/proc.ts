// Process identity through /proc: a PID alone can be reused after its process exited, so every
// PID we record comes with its start time (field 22 of /proc/<pid>/stat), and we signal a PID only
// while that pair still matches. No name patterns (pkill) anywhere.
import { readFileSync } from 'node:fs';

export interface ProcInfo {
  state: string;
  startTicks: number;
  ppid: number;
}

/** Parses /proc/<pid>/stat text (the comm field may contain spaces and parentheses). */
export function parseProcStat(text: string): ProcInfo | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field 22 (starttime) is rest[19]; field 4 (ppid) is rest[1].
  const startTicks = Number(rest[19]);
  const ppid = Number(rest[1]);
  if (!rest[0] || !Number.isFinite(startTicks)) return null;
  return { state: rest[0], startTicks, ppid };
}

export function procInfo(pid: number): ProcInfo | null {
  if (!Number.isInteger(pid) || pid <= 1) return null;
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** True while the process with this PID is the one we recorded and has not exited (zombies count as exited). */
export function isRunning(pid: number, startTicks: number): boolean {
  const p = procInfo(pid);
  return p !== null && p.startTicks === startTicks && p.state !== 'Z' && p.state !== 'X';
}

/** Sends a signal only when pid+start time still name our process. Returns whether it was sent. */
export function signalOwned(pid: number, startTicks: number, sig: NodeJS.Signals): boolean {
  if (!isRunning(pid, startTicks)) return false;
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls until none of the processes runs or the time is up; returns those still running. */
export async function waitGone(
  procs: { pid: number; startTicks: number }[],
  timeoutMs: number,
  pollMs = 20,
): Promise<{ pid: number; startTicks: number }[]> {
  const end = Date.now() + timeoutMs;
  let left = procs.filter((p) => isRunning(p.pid, p.startTicks));
  while (left.length && Date.now() < end) {
    await sleep(pollMs);
    left = left.filter((p) => isRunning(p.pid, p.startTicks));
  }
  return left;
}
