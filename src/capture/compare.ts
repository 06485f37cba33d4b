// "Saw only one direction", made concrete.
//
// A classic pcap written by tcpdump carries no per-frame direction, so one file alone cannot say
// which way a frame went. Two captured ends of the same link can: a veth pair is lossless and
// delivers the exact bytes it was given, so every frame that crossed the link in EITHER direction
// must appear, byte-identical, in BOTH end files. A capture that loses one direction (tcpdump -Q,
// or a sender that bypasses the capture taps, e.g. AF_PACKET with PACKET_QDISC_BYPASS) therefore
// lacks frames that its peer has.
//
// Within the window in which both capturers were listening (shrunk by a margin at both edges):
// - matched       = frames present at both ends (multiset intersection of the exact bytes)
// - missingHere   = frames the peer has and this end lacks
// - verdict of an end:
//     'idle'          neither end saw a frame in the window (nothing to compare)
//     'ok'            missingHere <= tolerance
//     'no-frames'     missingHere > tolerance and this end saw no frame at all
//     'one-direction' missingHere > tolerance while this end did see frames: it saw traffic of the
//                     link but not all of it, which is what a capture that misses one direction shows
//     'capture-loss'  missingHere > tolerance but this end's tcpdump reported at least that many
//                     kernel/interface drops: the gap is explained by capture loss, not by direction
//                     (still flagged: the file is incomplete)
// A link is flagged when either end is not ok/idle. Links with only one end captured are 'unchecked'.
import { createHash } from 'node:crypto';
import { scanCapture } from '../pcap/index.js';
import type { CaptureWarning } from '../pcap/index.js';

export interface FrameDigest {
  /** 1-based frame number in its file. */
  n: number;
  /** Seconds since the epoch. */
  ts: number;
  /** Identity of the frame bytes (hash of caplen, len and the bytes). */
  key: string;
}

export interface FileCount {
  packets: number;
  bytes: number;
  firstTs: number | null;
  lastTs: number | null;
  warnings: CaptureWarning[];
  digests: FrameDigest[];
}

export function frameKey(data: Uint8Array, len: number = data.length): string {
  return createHash('sha1').update(data).update(String(len)).digest('base64');
}

/** Reads one capture file with the pcap library: counts, bytes, time span and per-frame digests. */
export async function countCapture(file: string, withDigests = true): Promise<FileCount> {
  const out: FileCount = { packets: 0, bytes: 0, firstTs: null, lastTs: null, warnings: [], digests: [] };
  const res = await scanCapture(file, (r) => {
    const ts = r.sec + r.frac / 10 ** r.fracDigits;
    out.packets++;
    out.bytes += r.len;
    if (out.firstTs === null) out.firstTs = ts;
    out.lastTs = ts;
    if (withDigests) out.digests.push({ n: r.n, ts, key: frameKey(r.buf.subarray(r.off, r.off + r.caplen), r.len) });
  });
  out.warnings = res.warnings;
  return out;
}

export interface EndFrames {
  /** Capturer id (`<node>--<ifname>`). */
  id: string;
  digests: FrameDigest[];
  /** When this capturer was known to listen and when it was asked to stop (epoch seconds). */
  window: [number, number];
  /** Frames tcpdump reported as dropped (kernel + interface), when known. */
  dropped?: number | null;
}

export type EndVerdict = 'ok' | 'idle' | 'no-frames' | 'one-direction' | 'capture-loss';

export interface EndCheck {
  id: string;
  /** Frames of this end inside the common window. */
  framesInWindow: number;
  /** Frames the peer has that this end lacks. */
  missingHere: number;
  /** Frame numbers (in the PEER's file) of the first missing frames, for evidence. */
  missingExamples: number[];
  verdict: EndVerdict;
}

export interface LinkCheck {
  linkId: string;
  verdict: 'ok' | 'idle' | 'flagged' | 'unchecked';
  /** The common window compared (epoch seconds), null when unchecked. */
  window: [number, number] | null;
  matched: number;
  ends: EndCheck[];
  reason: string;
}

export interface CompareOptions {
  /** Seconds cut off at both edges of the common window (boundary frames may be seen by one end only). */
  marginS?: number;
  /** Missing frames tolerated before an end is flagged. */
  tolerance?: number;
  /** How many example frame numbers to keep. */
  examples?: number;
}

function countKeys(ds: FrameDigest[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of ds) m.set(d.key, (m.get(d.key) ?? 0) + 1);
  return m;
}

/** Frames of `peer` not matched (multiset) by `here`. */
function missing(here: FrameDigest[], peer: FrameDigest[], keep: number): { count: number; examples: number[] } {
  const left = countKeys(here);
  let count = 0;
  const examples: number[] = [];
  for (const d of peer) {
    const c = left.get(d.key) ?? 0;
    if (c > 0) left.set(d.key, c - 1);
    else {
      count++;
      if (examples.length < keep) examples.push(d.n);
    }
  }
  return { count, examples };
}

/** Compares the two captured ends of one link; see the header comment for the definition. */
export function compareLinkEnds(linkId: string, a: EndFrames, b: EndFrames, o: CompareOptions = {}): LinkCheck {
  const margin = o.marginS ?? 0.02;
  const tol = o.tolerance ?? 0;
  const keep = o.examples ?? 5;
  const from = Math.max(a.window[0], b.window[0]) + margin;
  const to = Math.min(a.window[1], b.window[1]) - margin;
  if (!(to > from)) {
    return {
      linkId,
      verdict: 'unchecked',
      window: null,
      matched: 0,
      ends: [],
      reason: 'the two capturers never listened at the same time',
    };
  }
  const inWin = (ds: FrameDigest[]) => ds.filter((d) => d.ts >= from && d.ts <= to);
  const wa = inWin(a.digests);
  const wb = inWin(b.digests);
  const ma = missing(wa, wb, keep);
  const mb = missing(wb, wa, keep);
  const matched = wb.length - ma.count;
  const verdictOf = (own: number, miss: number, dropped: number | null | undefined): EndVerdict => {
    if (own === 0 && miss === 0) return 'idle';
    if (miss <= tol) return 'ok';
    if (dropped && dropped >= miss) return 'capture-loss';
    return own === 0 ? 'no-frames' : 'one-direction';
  };
  const ends: EndCheck[] = [
    {
      id: a.id,
      framesInWindow: wa.length,
      missingHere: ma.count,
      missingExamples: ma.examples,
      verdict: verdictOf(wa.length, ma.count, a.dropped),
    },
    {
      id: b.id,
      framesInWindow: wb.length,
      missingHere: mb.count,
      missingExamples: mb.examples,
      verdict: verdictOf(wb.length, mb.count, b.dropped),
    },
  ];
  const bad = ends.filter((e) => e.verdict !== 'ok' && e.verdict !== 'idle');
  const idle = ends.every((e) => e.verdict === 'idle');
  const reason = bad.length
    ? bad
        .map(
          (e) =>
            `${e.id} lacks ${e.missingHere} frame(s) its peer saw (${e.verdict}; e.g. peer frames ${e.missingExamples.join(',')})`,
        )
        .join('; ')
    : idle
      ? 'no frames in the common window'
      : `${matched} frame(s) seen at both ends`;
  return { linkId, verdict: bad.length ? 'flagged' : idle ? 'idle' : 'ok', window: [from, to], matched, ends, reason };
}
