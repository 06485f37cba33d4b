// Capture files: classic pcap (usec/nsec) and pcapng, read and written as streams.
export * from './types.js';
export * from './format.js';
export { openCapture, scanCapture, recordToFrame, type Capture, type ScanOptions, type ScanResult } from './reader.js';
export { formatTs, tsNumber } from './walker.js';
export * from './writer.js';
export { escapeControl } from './escape.js';
export { WARNINGS_PER_CODE } from './warnings.js';
