// Stopping a capture run: SIGINT to every capturer by PID (tcpdump then prints its statistics),
// a bounded wait, then frame counts per file, the one-direction check of each link, the optional
// merge and manifest.json. Works from the process that started the run or from another one.
import { readFileSync } from 'node:fs';
import { open, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import { DEFAULT_SNAPLEN, parseTcpdumpStats } from '../hostnet/index.js';
import { compareLinkEnds, countCapture, type EndFrames, type FileCount, type LinkCheck } from './compare.js';
import { buildManifest, type CaptureManifest, type FileResult } from './manifest.js';
import { mergeCaptures, sectionCommentOf } from './merge.js';
import { isRunning, signalOwned, sleep, waitGone } from './proc.js';
import { MANIFEST_FILE, readState, writeState, type CaptureState } from './state.js';

export interface StopCaptureOptions {
  /** Time tcpdump gets to exit after SIGINT before SIGTERM, then SIGKILL (default 5 s). */
  graceMs?: number;
  /** Compare options for the one-direction check. */
  marginS?: number;
  tolerance?: number;
}

export const nowIso = () => new Date().toISOString();
export const isoToS = (iso: string | null): number | null => (iso ? Date.parse(iso) / 1000 : null);

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

async function stopCapturers(
  state: CaptureState,
  graceMs: number,
  exits?: Map<string, Promise<{ exitCode: number | null }>>,
): Promise<void> {
  const live = state.capturers.filter((c) => c.pid > 0 && isRunning(c.pid, c.startTicks));
  for (const c of state.capturers)
    if (!live.includes(c) && !c.stopHow) c.stopHow = c.listeningAt ? 'gone' : 'exited-early';
  const stamp = nowIso();
  for (const c of live) {
    c.stopRequestedAt = stamp;
    c.stopHow = 'sigint';
    signalOwned(c.pid, c.startTicks, 'SIGINT');
  }
  let left = await waitGone(live, graceMs);
  for (const [how, sig, ms] of [
    ['sigterm', 'SIGTERM', 1000],
    ['sigkill', 'SIGKILL', 1000],
  ] as const) {
    if (!left.length) break;
    for (const p of left) {
      const c = live.find((x) => x.pid === p.pid)!;
      c.stopHow = how;
      signalOwned(p.pid, p.startTicks, sig);
    }
    left = await waitGone(left, ms);
  }
  for (const c of state.capturers) {
    const e = exits?.get(c.id);
    if (e) c.exitCode = (await Promise.race([e, sleep(500).then(() => ({ exitCode: null }))])).exitCode;
    c.exitedAt ??= nowIso();
  }
}

/** Stops (if needed), counts, compares, merges and writes manifest.json. */
export async function finalize(
  dir: string,
  state: CaptureState,
  o: StopCaptureOptions,
  exits?: Map<string, Promise<{ exitCode: number | null }>>,
): Promise<CaptureManifest> {
  state.phase = 'stopping';
  await writeState(dir, state);
  await stopCapturers(state, o.graceMs ?? 5000, exits);
  const stoppedAt = nowIso();

  const counts = new Map<string, FileCount>();
  const results = new Map<string, FileResult>();
  for (const c of state.capturers) {
    const stats = parseTcpdumpStats(readText(join(dir, c.stderrFile)));
    let fc: FileCount;
    try {
      fc = await countCapture(join(dir, c.file));
    } catch (err) {
      fc = { packets: 0, bytes: 0, firstTs: null, lastTs: null, warnings: [], digests: [] };
      results.set(c.id, {
        stats,
        packets: 0,
        bytes: 0,
        firstTs: null,
        lastTs: null,
        readWarnings: [`unreadable: ${String((err as Error)?.message ?? err)}`],
      });
      counts.set(c.id, fc);
      continue;
    }
    counts.set(c.id, fc);
    results.set(c.id, {
      stats,
      packets: fc.packets,
      bytes: fc.bytes,
      firstTs: fc.firstTs,
      lastTs: fc.lastTs,
      readWarnings: fc.warnings.map((w) => `${w.code}${w.frame ? ` (frame ${w.frame})` : ''}: ${w.message}`),
    });
  }

  const dropsOf = new Map(
    [...results].map(([id, r]) => [id, r.stats ? r.stats.droppedByKernel + (r.stats.droppedByInterface ?? 0) : null]),
  );
  const links = compareLinks(state, counts, dropsOf, o);
  let merged: string | null = null;
  if (state.merge) {
    const inputs = state.capturers.filter(
      (c) =>
        (counts.get(c.id)?.packets ?? 0) >= 0 &&
        results.get(c.id)?.readWarnings.every((w) => !w.startsWith('unreadable')),
    );
    if (inputs.length) {
      const byId = new Map(state.targets.map((t) => [t.id, t]));
      await mergeCaptures(
        inputs.map((c) => {
          const t = byId.get(c.id)!;
          return {
            path: join(dir, c.file),
            name: `${t.node}:${t.port}`,
            description: `link ${t.linkId} (${t.linkClass})`,
          };
        }),
        join(dir, 'merged.pcapng'),
        { sectionComment: sectionCommentOf(state) },
      );
      merged = 'merged.pcapng';
    }
  }
  const manifest = buildManifest(state, results, links, merged, stoppedAt, state.tcpdump.snaplen ?? DEFAULT_SNAPLEN);
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  state.phase = state.error ? 'failed' : 'stopped';
  state.stoppedAt = stoppedAt;
  await writeState(dir, state);
  return manifest;
}

function compareLinks(
  state: CaptureState,
  counts: Map<string, FileCount>,
  dropsOf: Map<string, number | null>,
  o: StopCaptureOptions,
): LinkCheck[] {
  const byLink = new Map<string, string[]>();
  for (const t of state.targets) byLink.set(t.linkId, [...(byLink.get(t.linkId) ?? []), t.id]);
  const cap = new Map(state.capturers.map((c) => [c.id, c]));
  const out: LinkCheck[] = [];
  for (const [linkId, ids] of byLink) {
    if (ids.length !== 2) {
      out.push({
        linkId,
        verdict: 'unchecked',
        window: null,
        matched: 0,
        ends: [],
        reason: 'only one end of the link was captured',
      });
      continue;
    }
    const end = (id: string): EndFrames => {
      const c = cap.get(id)!;
      return {
        id,
        digests: counts.get(id)?.digests ?? [],
        dropped: dropsOf.get(id) ?? null,
        window: [isoToS(c.listeningAt) ?? Infinity, isoToS(c.stopRequestedAt) ?? isoToS(c.exitedAt) ?? -Infinity],
      };
    };
    out.push(compareLinkEnds(linkId, end(ids[0]!), end(ids[1]!), { marginS: o.marginS, tolerance: o.tolerance }));
  }
  return out;
}

/**
 * Stops a run from any process. When the orchestrating process still runs (foreground
 * `fabric capture start`), it is asked to stop (SIGTERM) and we wait for its manifest; otherwise
 * we stop the recorded capturers ourselves and finalize the run.
 */
export async function stopRun(dir: string, o: StopCaptureOptions & { waitMs?: number } = {}): Promise<CaptureManifest> {
  const state = await readState(dir);
  if (state.phase === 'stopped' || state.phase === 'failed') {
    const m = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch(() => null);
    if (m) return JSON.parse(m) as CaptureManifest;
  }
  const orch = state.orchestrator;
  if (!orch.detached && orch.pid !== process.pid && isRunning(orch.pid, orch.startTicks)) {
    signalOwned(orch.pid, orch.startTicks, 'SIGTERM');
    const end = Date.now() + (o.waitMs ?? 30000);
    while (Date.now() < end) {
      await sleep(50);
      const s = await readState(dir).catch(() => null);
      if (s && (s.phase === 'stopped' || s.phase === 'failed')) {
        const m = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch(() => null);
        if (m) return JSON.parse(m) as CaptureManifest;
      }
      if (!isRunning(orch.pid, orch.startTicks)) break; // it died without finishing: we finish
    }
  }
  // Only one finalizer: an exclusive lock file.
  const lock = join(dir, '.stop.lock');
  const fh = await open(lock, 'wx').catch(() => null);
  if (!fh)
    throw new FabricError('E_CAPTURE_BUSY', `another process is stopping ${dir}`, {
      hint: `remove ${lock} if no stop is running`,
    });
  try {
    return await finalize(dir, await readState(dir), o);
  } finally {
    await fh.close();
    await unlink(lock).catch(() => undefined);
  }
}
