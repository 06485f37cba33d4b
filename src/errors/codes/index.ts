// The catalogue of error codes: every code a FabricError or a diagnostic may carry, with a
// one-line summary and the usual hint. `ErrorCode` is the union of its keys, so a code that is
// not listed here fails the typecheck, and docs/errors.md is generated from the same table.
import { EVIDENCE_CODES } from './evidence.js';
import { FAILOVER_CODES } from './failover.js';
import type { ErrorInfo } from './info.js';
import { INPUT_CODES } from './input.js';
import { PROBE_CODES } from './probe.js';
import { RUNTIME_CODES } from './runtime.js';
import { SCALEOUT_CODES } from './scaleout.js';
import { TAGGING_CODES } from './tagging.js';
import { VM_CODES } from './vm.js';

export type { ErrorInfo } from './info.js';

/** The areas in the order docs/errors.md shows them. */
export const ERROR_AREAS = [
  { title: 'Lab file: load, validate, resolve, generate', codes: INPUT_CODES },
  { title: 'Scale-out: hosts, placement, clabernetes', codes: SCALEOUT_CODES },
  { title: 'Tag plan and programming', codes: TAGGING_CODES },
  { title: 'Runtimes and host commands', codes: RUNTIME_CODES },
  { title: 'Captures, pcap, decoder, inspect, trace, reports', codes: EVIDENCE_CODES },
  { title: 'Traffic, conformance, mutations, faults', codes: PROBE_CODES },
  { title: 'QEMU guests', codes: VM_CODES },
  { title: 'Failover', codes: FAILOVER_CODES },
] as const;

export const ERROR_CODES = {
  ...INPUT_CODES,
  ...SCALEOUT_CODES,
  ...TAGGING_CODES,
  ...RUNTIME_CODES,
  ...EVIDENCE_CODES,
  ...PROBE_CODES,
  ...VM_CODES,
  ...FAILOVER_CODES,
} as const satisfies Record<string, ErrorInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(s: string): s is ErrorCode {
  return Object.hasOwn(ERROR_CODES, s);
}

export function errorInfo(code: ErrorCode): ErrorInfo {
  return ERROR_CODES[code];
}
