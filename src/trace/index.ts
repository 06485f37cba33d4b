// fabric trace: follow one frame across the hops of a capture run (see trace.ts).
export { traceFrame, clientBytes, type TraceOptions, type TraceResult, type TraceHop, type TraceEnd } from './trace.js';
export { stackDiff, tokens, changeText, type StackChange, type HeaderToken } from './diff.js';
export { formatTrace, traceJson, type FormatOptions } from './format.js';
