// impairment: what each impaired link really did (measured by the impairment probe from the
// captures of both its ends) against what was declared, within stated tolerances
// (docs/impairment.md). Every check reads only the probe's records.
import type { ImpairSpec } from '../../topology/index.js';
import type { ImpairRecord, LinkRecord, TrainRecord } from '../impair-probe.js';
import { SkipCheck, type CheckDef, type Judgement } from '../judge.js';

/** Tolerances, one place: the docs quote these numbers. */
export const TOLERANCE = {
  /** p50 of the one-way delay: declared − 0.5 ms .. declared + max(2 ms, 10 %). */
  delayBelowMs: 0.5,
  delayAboveMs: 2,
  delayAboveFrac: 0.1,
  /**
   * p99: at most declared + jitter + max(10 ms, 25 %) (the relay's timers share a loaded 2-core
   * machine: its tail is scheduling, measured up to +8 ms at load 15); with jitter, p99 − p50 at
   * least half the jitter.
   */
  p99AboveMs: 10,
  p99AboveFrac: 0.25,
  /** Ratios (loss, duplicate, reorder): the declared value lies in the 95 % interval widened by this. */
  ratioSlack: 0.002,
  /** Achieved rate within ±10 % of the declared rate. */
  rateFrac: 0.1,
} as const;

function records(j: Judgement): LinkRecord[] {
  const r: ImpairRecord | undefined = j.records?.impairment;
  if (!r || !r.links.length) throw new SkipCheck('the lab declares no link impairment');
  return r.links;
}

const frames = (l: LinkRecord): TrainRecord[] => l.trains.filter((t) => t.kind === 'frames');
const fmt = (x: number, d = 2): string => x.toFixed(d);

function judgeEach(j: Judgement, what: (l: LinkRecord, t: TrainRecord, s: ImpairSpec) => string | null): void {
  const bad: string[] = [];
  let n = 0;
  for (const l of records(j))
    for (const t of frames(l)) {
      n++;
      const why = what(l, t, l.declared);
      if (why) bad.push(`${l.link} ${t.from} → ${t.to}: ${why}`);
    }
  j.stats.directions = n;
  if (bad.length) throw new Error(bad.join('\n'));
}

/** Declared ratio inside the measured 95 % interval (widened by the slack)? */
function ratio(name: string, declared: number, k: number, n: number): string | null {
  const p = n ? k / n : 0;
  // Wilson interval recomputed from counts, so a record with only counts judges the same way.
  const z = 1.96;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  const lo = Math.max(0, c - h) - TOLERANCE.ratioSlack;
  const hi = Math.min(1, c + h) + TOLERANCE.ratioSlack;
  if (declared >= lo && declared <= hi) return null;
  return `${name} declared ${fmt(declared * 100)} %, measured ${fmt(p * 100)} % (${k}/${n}; 95 % interval ${fmt(Math.max(0, c - h) * 100)}..${fmt(Math.min(1, c + h) * 100)} %)`;
}

export const impairment: CheckDef[] = [
  {
    suite: 'impairment',
    id: 'impairment/delay',
    title: 'per-frame one-way delay (p50, p99) matches the declared delay and jitter',
    judge(j) {
      judgeEach(j, (_l, t, s) => {
        const d = t.measure.delayMs;
        if (!d) return 'no frame arrived';
        const want = (s.delayUs ?? 0) / 1000;
        const jit = (s.jitterUs ?? 0) / 1000;
        const hi50 = want + Math.max(TOLERANCE.delayAboveMs, TOLERANCE.delayAboveFrac * want);
        const hi99 = want + jit + Math.max(TOLERANCE.p99AboveMs, TOLERANCE.p99AboveFrac * want);
        const out: string[] = [];
        if (d.p50 < want - TOLERANCE.delayBelowMs || d.p50 > hi50)
          out.push(`p50 ${fmt(d.p50)} ms outside ${fmt(want - TOLERANCE.delayBelowMs)}..${fmt(hi50)} ms`);
        if (d.p99 > hi99) out.push(`p99 ${fmt(d.p99)} ms above ${fmt(hi99)} ms`);
        if (jit >= 1 && d.p99 - d.p50 < jit / 2)
          out.push(`p99 − p50 ${fmt(d.p99 - d.p50)} ms: no jitter of ±${fmt(jit)} ms`);
        return out.length ? `delay ${out.join('; ')}` : null;
      });
    },
  },
  {
    suite: 'impairment',
    id: 'impairment/loss',
    title: 'the loss ratio, with its confidence interval, matches the declared loss',
    judge(j) {
      judgeEach(j, (_l, t, s) => ratio('loss', s.loss ?? 0, t.measure.lost, t.measure.sent));
    },
  },
  {
    suite: 'impairment',
    id: 'impairment/duplicate',
    title: 'duplicated frames match the declared duplication',
    judge(j) {
      judgeEach(j, (_l, t, s) => ratio('duplication', s.duplicate ?? 0, t.measure.duplicates, t.measure.received));
    },
  },
  {
    suite: 'impairment',
    id: 'impairment/reorder',
    title: 'reordered frames match the declared reordering',
    judge(j) {
      judgeEach(j, (_l, t, s) => ratio('reordering', s.reorder ?? 0, t.measure.reordered, t.measure.received));
    },
  },
  {
    suite: 'impairment',
    id: 'impairment/rate',
    title: 'the rate achieved at the far end matches the declared rate',
    judge(j) {
      const bad: string[] = [];
      const skipped: string[] = [];
      let n = 0;
      for (const l of records(j)) {
        if (!l.declared.rateBps) continue;
        if (l.rateSkipped) skipped.push(`${l.link}: ${l.rateSkipped}`);
        for (const t of l.trains.filter((x) => x.kind === 'rate')) {
          n++;
          const got = t.measure.achievedBps;
          const want = l.declared.rateBps;
          if (got === null) bad.push(`${l.link}: nothing arrived at ${t.to}`);
          else if (Math.abs(got - want) > TOLERANCE.rateFrac * want)
            bad.push(
              `${l.link} ${t.from} → ${t.to}: achieved ${fmt(got / 1e6)} Mbit/s, declared ${fmt(want / 1e6)} Mbit/s (offered ${fmt((t.measure.offeredBps ?? 0) / 1e6)})`,
            );
        }
      }
      j.stats.links = n;
      if (bad.length) throw new Error(bad.join('\n'));
      if (!n) throw new SkipCheck(skipped.join('\n') || 'no impaired link declares a rate');
    },
  },
];
