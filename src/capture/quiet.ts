// "Frames in flight have reached their last hop", observed instead of assumed: tcpdump runs with
// -U, so each capture file grows as frames arrive. The run is quiet once no file has grown for
// `quietMs`; `maxMs` bounds the wait on a link that never goes quiet (a storm).
import { stat } from 'node:fs/promises';

export interface QuietOptions {
  /** How long every file must stay the same size (default 150 ms). */
  quietMs?: number;
  /** Upper bound of the whole wait (default 2000 ms). */
  maxMs?: number;
  /** Poll interval (default 25 ms). */
  pollMs?: number;
}

async function sizes(files: readonly string[]): Promise<number[]> {
  return Promise.all(
    files.map((f) =>
      stat(f).then(
        (s) => s.size,
        () => -1,
      ),
    ),
  );
}

/** Resolves with the milliseconds waited once every file stayed unchanged for `quietMs` (or at `maxMs`). */
export async function waitQuiet(files: readonly string[], o: QuietOptions = {}): Promise<number> {
  const quietMs = o.quietMs ?? 150;
  const maxMs = o.maxMs ?? 2000;
  const pollMs = o.pollMs ?? 25;
  const t0 = Date.now();
  let last = await sizes(files);
  let stableSince = t0;
  while (Date.now() - t0 < maxMs) {
    await new Promise((r) => setTimeout(r, pollMs));
    const now = await sizes(files);
    if (now.some((n, i) => n !== last[i])) {
      last = now;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMs) break;
  }
  return Date.now() - t0;
}
