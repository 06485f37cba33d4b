// Declared link impairment: the `impair:` block of fabric.yml (on interconnects, long-haul paths,
// the provider segment, and links by id) and the `fabric impair` flags share one parser, so a
// value means the same in both places. Values are kept typed (microseconds, fractions, bit/s).
import type { LabModel, LinkModel } from './model.js';

export { IMPAIR_KEYS, type ImpairIntent, type ImpairKey, type ImpairSpec } from './impair-spec.js';
import type { ImpairIntent, ImpairKey, ImpairSpec } from './impair-spec.js';

export const IMPAIR_LIMITS = {
  maxDelayUs: 10_000_000,
  minRateBps: 8_000,
  maxRateBps: 10_000_000_000,
} as const;

const DURATION = /^(\d+(?:\.\d+)?)(us|ms|s)$/;
const PERCENT = /^(\d+(?:\.\d+)?)%$/;
const RATE = /^(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit)$/;
const US = { us: 1, ms: 1_000, s: 1_000_000 } as const;
const BPS = { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 } as const;

/** A problem with one key, in words; the caller locates it (file position or flag). */
export interface ImpairProblem {
  key: ImpairKey;
  message: string;
  hint: string;
}

export function parseDuration(v: string): number | null {
  const m = DURATION.exec(v);
  return m ? Math.round(Number(m[1]) * US[m[2] as keyof typeof US]) : null;
}
export function parsePercent(v: string): number | null {
  const m = PERCENT.exec(v);
  return m ? Number(m[1]) / 100 : null;
}
export function parseRate(v: string): number | null {
  const m = RATE.exec(v);
  return m ? Math.round(Number(m[1]) * BPS[m[2] as keyof typeof BPS]) : null;
}

/** Parses a block; every bad key is reported, and the spec holds the good ones. */
export function parseImpair(raw: ImpairIntent): { spec: ImpairSpec; problems: ImpairProblem[] } {
  const spec: ImpairSpec = {};
  const problems: ImpairProblem[] = [];
  const bad = (key: ImpairKey, message: string, hint: string): void => void problems.push({ key, message, hint });
  for (const key of ['delay', 'jitter'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    const us = parseDuration(v);
    if (us === null) bad(key, `${key} ${JSON.stringify(v)} is not a duration`, 'write e.g. 20ms, 500us or 1s');
    else if (us > IMPAIR_LIMITS.maxDelayUs) bad(key, `${key} ${v} is above 10s`, 'a link delay is at most 10s');
    else spec[key === 'delay' ? 'delayUs' : 'jitterUs'] = us;
  }
  for (const key of ['loss', 'duplicate', 'reorder'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    const f = parsePercent(v);
    if (f === null) bad(key, `${key} ${JSON.stringify(v)} is not a percentage`, 'write e.g. 1% or 0.5%');
    else if (f > 1) bad(key, `${key} ${v} is above 100%`, 'a percentage is between 0% and 100%');
    else spec[key] = f;
  }
  if (raw.rate !== undefined) {
    const bps = parseRate(raw.rate);
    if (bps === null)
      bad('rate', `rate ${JSON.stringify(raw.rate)} is not a rate`, 'write e.g. 100mbit, 512kbit or 1gbit');
    else if (bps < IMPAIR_LIMITS.minRateBps || bps > IMPAIR_LIMITS.maxRateBps)
      bad('rate', `rate ${raw.rate} is outside 8kbit..10gbit`, 'the rate limiter serves 8kbit to 10gbit');
    else spec.rateBps = bps;
  }
  if ((spec.jitterUs ?? 0) > 0 && spec.jitterUs! > (spec.delayUs ?? 0))
    bad(
      'jitter',
      `jitter ${raw.jitter} is larger than the delay (${raw.delay ?? '0ms'})`,
      'jitter spreads the delay by ± itself: give a delay at least as large',
    );
  return { spec, problems };
}

export function isEmptyImpair(s: ImpairSpec | undefined): boolean {
  return !s || Object.values(s).every((v) => v === undefined || v === 0);
}

/** The spec in the words of the block, e.g. `delay 20ms jitter 2ms loss 1% rate 100mbit`. */
export function formatImpair(s: ImpairSpec): string {
  const out: string[] = [];
  const dur = (us: number): string => (us % 1000 === 0 ? `${us / 1000}ms` : `${us}us`);
  const pct = (f: number): string => `${+(f * 100).toFixed(4)}%`;
  const rate = (b: number): string =>
    b % 1e9 === 0 ? `${b / 1e9}gbit` : b % 1e6 === 0 ? `${b / 1e6}mbit` : b % 1e3 === 0 ? `${b / 1e3}kbit` : `${b}bit`;
  if (s.delayUs !== undefined) out.push(`delay ${dur(s.delayUs)}`);
  if (s.jitterUs !== undefined) out.push(`jitter ${dur(s.jitterUs)}`);
  if (s.loss !== undefined) out.push(`loss ${pct(s.loss)}`);
  if (s.duplicate !== undefined) out.push(`duplicate ${pct(s.duplicate)}`);
  if (s.reorder !== undefined) out.push(`reorder ${pct(s.reorder)}`);
  if (s.rateBps !== undefined) out.push(`rate ${rate(s.rateBps)}`);
  return out.join(' ') || 'none';
}

/** Links of a model that carry a declared impairment. */
export function impairedLinks(model: LabModel): LinkModel[] {
  return model.links.filter((l) => !isEmptyImpair(l.impair));
}
