// Source positions for diagnostics: maps a document path (['tenants','red','sites',0,'ip']) to
// file:line:column using the parsed YAML document, so every problem points at the text to fix.
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode } from 'yaml';
import type { ErrorCode } from '../errors/codes/index.js';
import type { Diagnostic } from '../errors/diagnostics.js';

export type DocPath = (string | number)[];

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `tenants.red.sites[0].systems[1].ip`; keys that are not plain identifiers are quoted. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export interface Position {
  line: number;
  column: number;
}

export class SourceMap {
  constructor(
    readonly file: string,
    private readonly doc?: Document,
    private readonly lines?: LineCounter,
  ) {}

  private pos(offset: number | undefined): Position | undefined {
    if (offset === undefined || !this.lines) return undefined;
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** Position of the value at `path` (or of its key when `key`), else of the deepest existing ancestor. */
  locate(path: DocPath, key = false): Position | undefined {
    if (!this.doc) return undefined;
    // An empty document has no node at all: point at its start.
    return this.walk(path, key) ?? { line: 1, column: 1 };
  }

  private walk(path: DocPath, key: boolean): Position | undefined {
    if (!this.doc) return undefined;
    let node: unknown = this.doc.contents;
    let best: number | undefined = (node as YamlNode | null)?.range?.[0];
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return this.pos(best);
        const keyStart = (pair.key as YamlNode).range?.[0];
        const value = pair.value as YamlNode | null;
        if (last && key) return this.pos(keyStart);
        // An empty value (`dc1:`) has no node of its own: point at the key.
        best = value?.range?.[0] ?? keyStart;
        node = value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as YamlNode | undefined;
        if (!item) return this.pos(best);
        best = item.range?.[0] ?? best;
        node = item;
      } else {
        return this.pos(best);
      }
    }
    return this.pos(best);
  }

  diag(code: ErrorCode, path: DocPath, message: string, hint?: string, opts: { key?: boolean } = {}): Diagnostic {
    const p = this.locate(path, opts.key);
    const d: Diagnostic = { code, message, file: this.file };
    if (path.length) d.path = formatPath(path);
    if (p) {
      d.line = p.line;
      d.column = p.column;
    }
    if (hint) d.hint = hint;
    return d;
  }
}
