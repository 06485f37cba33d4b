// Wall time of each stage of `fabric test` (learn, capture start, traffic, canaries, capture stop,
// decode, judge, reports): recorded as the run goes, printed as progress lines and as a summary.
export interface StageTime {
  stage: string;
  ms: number;
}

export type StageListener = (s: StageTime) => void;

export class StageClock {
  readonly list: StageTime[] = [];
  constructor(private readonly listener?: StageListener) {}

  /** Runs `fn` as one stage; its time is recorded (and reported) even when it throws. */
  async time<T>(stage: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.add(stage, performance.now() - t0);
    }
  }

  add(stage: string, ms: number): void {
    const s = { stage, ms: Math.round(ms) };
    this.list.push(s);
    this.listener?.(s);
  }
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** One progress line: `  [stage] capture start    0.3 s`. */
export function stageLine(s: StageTime): string {
  return `  [stage] ${s.stage.padEnd(14)} ${seconds(s.ms).padStart(7)}`;
}

/** The summary table printed at the end of `fabric test`, with the total wall time. */
export function stagesSummary(list: readonly StageTime[], totalMs: number): string {
  const rows = list.map((s) => `  ${s.stage.padEnd(14)} ${seconds(s.ms).padStart(7)}`);
  return ['stage times:', ...rows, `  ${'total'.padEnd(14)} ${seconds(totalMs).padStart(7)}`, ''].join('\n');
}
