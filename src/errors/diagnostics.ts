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

/** Problems shown per code; the rest are counted in one line (thousands of one mistake help nobody). */
export const MAX_SHOWN_PER_CODE = 20;

/** The diagnostics as text, at most MAX_SHOWN_PER_CODE per code, each code's remainder counted. */
export function formatDiagnostics(items: Diagnostic[]): string[] {
  const shown = new Map<string, number>();
  const hidden = new Map<string, number>();
  const out: string[] = [];
  for (const d of items) {
    const n = shown.get(d.code) ?? 0;
    if (n < MAX_SHOWN_PER_CODE) {
      shown.set(d.code, n + 1);
      out.push(formatDiagnostic(d));
    } else hidden.set(d.code, (hidden.get(d.code) ?? 0) + 1);
  }
  for (const [code, n] of hidden)
    out.push(
      `${code} ... and ${n} more like it (${MAX_SHOWN_PER_CODE + n} in all, the first ${MAX_SHOWN_PER_CODE} shown)`,
    );
  return out;
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
    return [...formatDiagnostics(this.diagnostics), super.format()].join('\n');
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
