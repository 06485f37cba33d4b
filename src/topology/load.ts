// Stage 1 of load → validate → resolve: parse fabric.yml keeping source positions, validate it
// against schemas/fabric.schema.json and the semantic rules, and fail once with every problem.
import { readFile, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import type { ErrorCode } from '../errors/codes/index.js';
import { DiagnosticBag, DiagnosticsError, type Diagnostic } from '../errors/diagnostics.js';
import { FabricError } from '../errors/fabric-error.js';
import type { FabricIntent } from './intent.js';
import {
  checkText,
  countNodes,
  decodeIntent,
  MAX_INTENT_BYTES,
  MAX_LAB_NODES,
  tooBig,
  tooManyNodes,
} from './limits.js';
import { SourceMap } from './locate.js';
import { schemaDiagnostic } from './schema-diagnostics.js';
import { validateIntent, type MachineFacts } from './validate/index.js';

export interface LoadedIntent {
  intent: FabricIntent;
  /** File name as given (diagnostics use it verbatim). */
  file: string;
  src: SourceMap;
}

/** `machine`: check the lab against the machine it is about to run on (memory of its QEMU guests). */
export interface LoadOptions {
  machine?: MachineFacts;
}

const SCHEMA_URL = new URL('../../schemas/fabric.schema.json', import.meta.url);
let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(fileURLToPath(SCHEMA_URL), 'utf8')) as object;
    // strict:false: the schema carries our own x-code / x-hint annotations.
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
    validator = ajv.compile(schema);
  }
  return validator;
}

function sortDiagnostics(items: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of items) {
    const k = `${d.code}|${d.path}|${d.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out.sort(
    (a, b) =>
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.code.localeCompare(b.code) ||
      (a.path ?? '').localeCompare(b.path ?? ''),
  );
}

/** Parses and validates intent text; throws DiagnosticsError with every problem found. */
export function parseIntent(text: string, file: string, opts: LoadOptions = {}): LoadedIntent {
  // Cheap refusals first: nothing below may run out of memory or stack on hostile input.
  if (text.length > MAX_INTENT_BYTES || Buffer.byteLength(text) > MAX_INTENT_BYTES)
    throw new DiagnosticsErrorFor('load', [tooBig(file, Buffer.byteLength(text))]);
  const refused = checkText(text, file);
  if (refused) throw new DiagnosticsErrorFor('load', [refused]);
  const lines = new LineCounter();
  const { doc, data } = parse(text, file, lines);
  const src = new SourceMap(file, doc, lines);
  const nodes = countNodes(data);
  if (nodes > MAX_LAB_NODES) throw new DiagnosticsErrorFor('load', [tooManyNodes(file, nodes)]);
  const bag = new DiagnosticBag();
  const validate = schemaValidator();
  if (!validate(data)) {
    for (const e of validate.errors ?? []) {
      const d = schemaDiagnostic(e, data, src);
      if (d) bag.add(d);
    }
  }
  validateIntent(data, src, bag, opts.machine);
  if (!bag.ok) throw new DiagnosticsErrorFor('validate', bag.items);
  return { intent: data as FabricIntent, file, src };
}

/** YAML text → document (for positions) and plain data; syntax problems are thrown located. */
function parse(text: string, file: string, lines: LineCounter): { doc: Document; data: unknown } {
  const bag = new DiagnosticBag();
  let doc: Document;
  let data: unknown;
  try {
    // logLevel error: the library's warnings (e.g. a map used as a key) must not reach stderr; the
    // schema refuses what they warn about, located.
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
    if (doc.errors.length) {
      for (const err of doc.errors) bag.add(syntaxDiagnostic(err, text, file, lines));
      throw new DiagnosticsErrorFor('load', bag.items);
    }
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    if (cause instanceof DiagnosticsError) throw cause;
    // The nesting pre-check bounds flow brackets; block indentation is bounded by the size limit,
    // and a stack overflow left over is still a refusal of its own, not a crash.
    const deep = cause instanceof RangeError;
    const code: ErrorCode = deep ? 'E_TOO_DEEP' : 'E_YAML_SYNTAX';
    bag.add({
      code,
      message: deep ? 'the document is nested too deeply to read' : (cause as Error).message,
      file,
      line: 1,
      column: 1,
      hint: deep
        ? 'an intent needs a few levels of nesting; flatten the document'
        : 'avoid recursive or excessive aliases',
    });
    throw new DiagnosticsErrorFor('load', bag.items);
  }
  return { doc, data };
}

function syntaxDiagnostic(err: YAMLError, text: string, file: string, lines: LineCounter): Diagnostic {
  const { line, col } = lines.linePos(err.pos[0]);
  // The parser turns its own stack overflow into a syntax error; it is a nesting problem.
  if (/call stack/i.test(err.message))
    return {
      code: 'E_TOO_DEEP',
      message: 'the document is nested too deeply to read',
      file,
      line,
      column: col,
      hint: 'an intent needs a few levels of nesting; flatten the document',
    };
  const dup = err.code === 'DUPLICATE_KEY';
  const key = dup
    ? /^\s*("[^"]*"|'[^']*'|[^:#{}[\],]+?)\s*:/.exec(text.slice(err.pos[0], err.pos[0] + 300))?.[1]
    : undefined;
  return {
    code: dup ? 'E_DUP_KEY' : 'E_YAML_SYNTAX',
    message: key ? `key ${key} appears twice in one map` : err.message.slice(0, 300),
    file,
    line,
    column: col,
    hint: dup
      ? 'a key appears twice in one map; merge or rename the entries'
      : 'fix the YAML syntax (indentation with spaces, closed brackets and quotes)',
  };
}

/** Reads and validates a fabric.yml: size and encoding are checked on the bytes, before parsing. */
export async function loadIntent(path: string, opts: LoadOptions = {}): Promise<LoadedIntent> {
  let bytes: Buffer;
  try {
    const size = (await stat(path)).size;
    if (size > MAX_INTENT_BYTES) throw new DiagnosticsErrorFor('load', [tooBig(path, size)]);
    bytes = await readFile(path);
  } catch (cause) {
    if (cause instanceof DiagnosticsError) throw cause;
    throw new FabricError('E_LAB_NOT_FOUND', `cannot read lab file ${path}`, {
      cause,
      hint: 'pass the path of a fabric.yml, e.g. labs/mtdc/fabric.yml',
    });
  }
  return parseIntentBytes(bytes, path, opts);
}

/** Like parseIntent, from the file's bytes: the encoding is checked (UTF-8 only) before parsing. */
export function parseIntentBytes(bytes: Uint8Array, file: string, opts: LoadOptions = {}): LoadedIntent {
  if (bytes.length > MAX_INTENT_BYTES) throw new DiagnosticsErrorFor('load', [tooBig(file, bytes.length)]);
  const text = decodeIntent(bytes, file);
  if (typeof text !== 'string') throw new DiagnosticsErrorFor('load', [text]);
  return parseIntent(text, file, opts);
}

/** A DiagnosticsError whose items are sorted by position (stable golden output). */
class DiagnosticsErrorFor extends DiagnosticsError {
  constructor(stage: string, items: Diagnostic[]) {
    super(stage, sortDiagnostics(items));
  }
}
export { sortDiagnostics };
