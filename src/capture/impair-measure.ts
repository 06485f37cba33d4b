// What an impaired link really did, measured from the captures of its two ends: a numbered frame
// train offered at the near end is matched frame by frame with what the far end received, both
// timestamped by the same host clock. Per-frame one-way delay (p50, p99), loss with a 95 % Wilson
// interval, duplicates, reordering, and the rate achieved at the far end.
import { scanCapture, tsNumber } from '../pcap/index.js';

/** Ethertype of the train frames: IEEE 802 local experimental (nothing in the lab forwards it). */
export const TRAIN_ETHERTYPE = 0x88b5;
const MAGIC = 'FABRIC-IMP';

/** One train frame seen at a capture point. */
export interface TrainFrame {
  seq: number;
  /** Capture timestamp, seconds. */
  t: number;
  /** Frame length on the wire, bytes. */
  len: number;
}

export interface ImpairMeasure {
  sent: number;
  /** Distinct sequence numbers received. */
  received: number;
  lost: number;
  lossRatio: number;
  /** 95 % Wilson score interval of the loss ratio. */
  lossCi: [number, number];
  /** Copies beyond the first of a sequence number. */
  duplicates: number;
  duplicateRatio: number;
  /** First arrivals with a sequence number below one already seen. */
  reordered: number;
  reorderRatio: number;
  /** One-way delay of first arrivals, milliseconds. */
  delayMs: { min: number; p50: number; p99: number; max: number; mean: number } | null;
  /** Bits per second over the far end's arrivals (first to last), frames as captured. */
  achievedBps: number | null;
  /** Bits per second offered at the near end. */
  offeredBps: number | null;
}

/** A train frame: broadcast-free unicast to a MAC nobody has, the marker, the nonce, the sequence number. */
export function trainFrame(nonce: number, seq: number, size: number): Uint8Array {
  const f = new Uint8Array(Math.max(64, size));
  f.set([0x02, 0xfa, 0xb0, 0x00, 0x00, 0x01, 0x02, 0xfa, 0xb0, 0x00, 0x00, 0x02]);
  const v = new DataView(f.buffer);
  v.setUint16(12, TRAIN_ETHERTYPE);
  for (let i = 0; i < MAGIC.length; i++) f[14 + i] = MAGIC.charCodeAt(i);
  v.setUint32(24, nonce >>> 0);
  v.setUint32(28, seq >>> 0);
  return f;
}

/** The sequence number of a train frame of this nonce, or null. */
export function trainSeq(f: Uint8Array, nonce: number): number | null {
  if (f.length < 32 || f[12] !== TRAIN_ETHERTYPE >> 8 || f[13] !== (TRAIN_ETHERTYPE & 0xff)) return null;
  for (let i = 0; i < MAGIC.length; i++) if (f[14 + i] !== MAGIC.charCodeAt(i)) return null;
  const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
  return v.getUint32(24) === nonce >>> 0 ? v.getUint32(28) : null;
}

/** The train frames of one nonce in a capture file, in capture order. */
export async function readTrain(file: string, nonce: number): Promise<TrainFrame[]> {
  const out: TrainFrame[] = [];
  await scanCapture(file, (r) => {
    const seq = trainSeq(r.buf.subarray(r.off, r.off + r.caplen), nonce);
    if (seq !== null) out.push({ seq, t: tsNumber(r.sec, r.frac, r.fracDigits), len: r.len });
  });
  return out;
}

/** Wilson score interval (z = 1.96) of k successes in n trials. */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function rate(frames: readonly TrainFrame[]): number | null {
  if (frames.length < 2) return null;
  const span = frames[frames.length - 1]!.t - frames[0]!.t;
  if (span <= 0) return null;
  // Bits after the first frame over the time they took: n-1 intervals carry n-1 frames.
  const bits = frames.slice(1).reduce((s, f) => s + f.len * 8, 0);
  return bits / span;
}

export function measureTrain(near: readonly TrainFrame[], far: readonly TrainFrame[]): ImpairMeasure {
  const sentAt = new Map<number, number>();
  for (const f of near) if (!sentAt.has(f.seq)) sentAt.set(f.seq, f.t);
  const seen = new Map<number, number>();
  const delays: number[] = [];
  let duplicates = 0;
  let reordered = 0;
  let maxSeq = -1;
  const firsts: TrainFrame[] = [];
  for (const f of far) {
    if (!sentAt.has(f.seq)) continue; // a frame the near end never showed is not this train's
    if (seen.has(f.seq)) {
      duplicates++;
      continue;
    }
    seen.set(f.seq, f.t);
    firsts.push(f);
    if (f.seq < maxSeq) reordered++;
    maxSeq = Math.max(maxSeq, f.seq);
    delays.push((f.t - sentAt.get(f.seq)!) * 1000);
  }
  const sent = sentAt.size;
  const received = seen.size;
  const lost = sent - received;
  delays.sort((a, b) => a - b);
  return {
    sent,
    received,
    lost,
    lossRatio: sent ? lost / sent : 0,
    lossCi: wilson(lost, sent),
    duplicates,
    duplicateRatio: received ? duplicates / received : 0,
    reordered,
    reorderRatio: received ? reordered / received : 0,
    delayMs: delays.length
      ? {
          min: delays[0]!,
          p50: percentile(delays, 50),
          p99: percentile(delays, 99),
          max: delays[delays.length - 1]!,
          mean: delays.reduce((s, d) => s + d, 0) / delays.length,
        }
      : null,
    achievedBps: rate(firsts),
    offeredBps: rate(near),
  };
}
