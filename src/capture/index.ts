// Per-link capture orchestration: run folders, tcpdump per link end, manifest, one-direction check.
// See docs/capture.md.
export * from './status.js';
export * from './target.js';
export * from './select.js';
export * from './run-dir.js';
export * from './compare.js';
export * from './manifest.js';
export * from './state.js';
export { mergeCaptures, sectionCommentOf, type MergeInput, type MergeOptions } from './merge.js';
export { waitQuiet, type QuietOptions } from './quiet.js';
export {
  startCapture,
  stopRun,
  listRuns,
  activeRuns,
  CaptureSession,
  type StartCaptureOptions,
  type StopCaptureOptions,
  type RunSummary,
} from './session.js';
export { isRunning, signalOwned, parseProcStat } from './proc.js';
export * from './impair-measure.js';
