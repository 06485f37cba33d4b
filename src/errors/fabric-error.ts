// Errors with a stable code, a hint and the cause (oclif/undici style), so the CLI can print
// something a user can act on and tests can match on `code` rather than on prose. Codes come from
// the catalogue (./codes/), so an unlisted code fails the typecheck.
import type { ErrorCode } from './codes/index.js';

export interface FabricErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Where the problem is: file, document path, line. */
  location?: string;
}

export class FabricError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly location?: string;

  constructor(code: ErrorCode, message: string, opts: FabricErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FabricError';
    this.code = code;
    this.hint = opts.hint;
    this.location = opts.location;
  }

  /** One block of text for a terminal: `E_CODE location: message` then the hint. */
  format(): string {
    const where = this.location ? `${this.location}: ` : '';
    const lines = [`${this.code} ${where}${this.message}`];
    if (this.hint) lines.push(`  hint: ${this.hint}`);
    return lines.join('\n');
  }
}

export function isFabricError(e: unknown): e is FabricError {
  return e instanceof FabricError;
}
