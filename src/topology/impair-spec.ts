// The typed impairment of one link and the words of an `impair:` block. Kept apart from the
// parser so the intent and model types can name them without importing the model back.

/** One link's declared impairment, applied in both directions. */
export interface ImpairSpec {
  /** One-way delay added per frame, microseconds. */
  delayUs?: number;
  /** Uniform jitter around the delay (± this many microseconds); order is kept. */
  jitterUs?: number;
  /** Fractions 0..1 of frames dropped, duplicated, reordered (held back behind the next frame). */
  loss?: number;
  duplicate?: number;
  reorder?: number;
  /** Rate limit, bit/s. */
  rateBps?: number;
}

/** The words of an `impair:` block (YAML keys and CLI flags). */
export const IMPAIR_KEYS = ['delay', 'jitter', 'loss', 'rate', 'duplicate', 'reorder'] as const;
export type ImpairKey = (typeof IMPAIR_KEYS)[number];
/** The raw block as written: strings such as "20ms", "1%", "100mbit". */
export type ImpairIntent = Partial<Record<ImpairKey, string>>;
