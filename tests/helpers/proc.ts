// Process checks the integration suites share.
import { readFileSync } from 'node:fs';

/** A process that has exited may stay a zombie until its parent reaps it: that is not running. */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}
