// Stage timing for deploy and destroy reports: every stage's duration and a one-line detail.
import type { ProgressEvent } from '../types.js';

export async function timed<T>(
  stages: ProgressEvent[],
  stage: string,
  fn: () => Promise<T>,
  detail?: (r: T) => string,
  onProgress?: (ev: ProgressEvent) => void,
): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  const ev: ProgressEvent = { stage, ms: Math.round(performance.now() - t0) };
  const d = detail?.(r);
  if (d) ev.detail = d;
  stages.push(ev);
  onProgress?.(ev);
  return r;
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}
