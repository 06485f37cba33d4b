// QEMU guests found from the process table alone: a guest whose run directory (and pidfile) is
// gone, or whose lab has no record left, still names its pidfile on its command line
// (`-pidfile <failover dir>/<lab>/<vm>.<gen>/qemu.pid`). Only such processes are fabric's: a QEMU
// binary whose argv holds exactly that shape under our folder. They are stopped by PID.
import { readdirSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';

export interface OwnQemu {
  pid: number;
  lab: string;
  /** The run directory its pidfile argument names (it may be gone). */
  runDir: string;
}

const LAB = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const RUN_DIR = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The run directory and lab an argv names under `root`, or null when it is not one of ours. */
export function qemuRunDirOf(argv: readonly string[], root: string): { lab: string; runDir: string } | null {
  if (!argv[0]?.includes('qemu-system')) return null;
  const i = argv.indexOf('-pidfile');
  const file = i >= 0 ? argv[i + 1] : undefined;
  const base = root.endsWith(sep) ? root : root + sep;
  if (!file?.startsWith(base)) return null;
  const parts = file.slice(base.length).split(sep);
  if (parts.length !== 3 || parts[2] !== 'qemu.pid' || !LAB.test(parts[0]!) || !RUN_DIR.test(parts[1]!)) return null;
  return { lab: parts[0]!, runDir: base + parts[0] + sep + parts[1] };
}

function argvOf(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z/.test(stat)) return null; // a zombie is already dead
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return null; // exited, or not ours to read
  }
}

/** Every live QEMU whose pidfile argument lies under `root` (optionally: of one lab). */
export function qemuUnder(root: string, lab?: string): OwnQemu[] {
  const out: OwnQemu[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const argv = argvOf(Number(p));
    const own = argv && qemuRunDirOf(argv, root);
    if (own && (lab === undefined || own.lab === lab)) out.push({ pid: Number(p), ...own });
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after `graceMs`; each PID is re-checked against `root` before every signal. */
export async function stopOrphans(found: readonly OwnQemu[], root: string, graceMs = 3000): Promise<OwnQemu[]> {
  const still = (q: OwnQemu) => {
    const argv = argvOf(q.pid);
    return argv !== null && qemuRunDirOf(argv, root)?.runDir === q.runDir;
  };
  const signal = (q: OwnQemu, s: NodeJS.Signals) => {
    try {
      if (still(q)) process.kill(q.pid, s);
    } catch {
      /* exited meanwhile */
    }
  };
  for (const q of found) signal(q, 'SIGTERM');
  const end = Date.now() + graceMs;
  while (found.some(still) && Date.now() < end) await sleep(50);
  for (const q of found.filter(still)) signal(q, 'SIGKILL');
  const last = Date.now() + 2000;
  while (found.some(still) && Date.now() < last) await sleep(50);
  return found.filter(still);
}
