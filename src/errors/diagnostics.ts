// Collected, located problems (netlab style): a stage records every problem it finds and the
// caller fails once with all of them, so a user fixes a lab file in one pass.
import type { ErrorCode } from './codes/index.js';
import { FabricError } from './fabric-error.js';

export interface Diagnostic {
  code: ErrorCode;
  message: string;
  /** File the problem is in. */
  file?: string;
  /** Path inside the document, e.g. `tenants.red.clients[0].vlans[1]`. */
  path?: string;
  line?: number;
  column?: number;
  hint?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const loc = [
    d.file,
    d.line !== undefined ? String(d.line) : undefined,
    d.column !== undefined ? String(d.column) : undefined,
  ]
    .filter((x) => x !== undefined)
    .join(':');
  const where = [loc, d.path].filter(Boolean).join(' ');
  const head = `${d.code} ${where ? where + ': ' : ''}${d.message}`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

/** Thrown when a stage collected one or more diagnostics. */
export class DiagnosticsError extends FabricError {
  readonly diagnostics: Diagnostic[];
  constructor(stage: string, diagnostics: Diagnostic[]) {
    super('E_INVALID', `${stage}: ${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'} found`, {
      hint: 'fix every problem listed above, then run the command again',
    });
    this.diagnostics = diagnostics;
  }
  override format(): string {
    return [...this.diagnostics.map(formatDiagnostic), super.format()].join('\n');
  }
}

export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  add(d: Diagnostic): void {
    this.items.push(d);
  }
  get ok(): boolean {
    return this.items.length === 0;
  }
  throwIfAny(stage: string): void {
    if (this.items.length) throw new DiagnosticsError(stage, this.items);
  }
}
