// Stage 1 of load → validate → resolve: parse fabric.yml keeping source positions, validate it
// against schemas/fabric.schema.json and the semantic rules, and fail once with every problem.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { isErrorCode } from '../errors/codes/index.js';
import { DiagnosticBag, DiagnosticsError, type Diagnostic } from '../errors/diagnostics.js';
import { FabricError } from '../errors/fabric-error.js';
import type { FabricIntent } from './intent.js';
import { SourceMap, type DocPath } from './locate.js';
import { validateIntent } from './validate.js';

export interface LoadedIntent {
  intent: FabricIntent;
  /** File name as given (diagnostics use it verbatim). */
  file: string;
  src: SourceMap;
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

/** Ajv's JSON pointer → document path (array indices become numbers). */
function pointerToPath(pointer: string, data: unknown): DocPath {
  const out: DocPath = [];
  let cur: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return String(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a map',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  null: 'nothing',
};

function schemaDiagnostic(e: ErrorObject, data: unknown, src: SourceMap): Diagnostic | undefined {
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const x = parent['x-code'];
  const xcode = typeof x === 'string' && isErrorCode(x) ? x : undefined;
  const xhint = typeof parent['x-hint'] === 'string' ? (parent['x-hint'] as string) : undefined;
  const path = pointerToPath(e.instancePath, data);
  const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
  const value = e.data;
  switch (e.keyword) {
    case 'propertyNames':
      return undefined; // the inner keyword error (with propertyName) says it better
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return src.diag(
        'E_SCHEMA_REQUIRED',
        [...path, missing],
        `missing required field '${missing}'`,
        `add '${missing}:' here`,
      );
    }
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((parent.properties as object | undefined) ?? {});
      return src.diag(
        'E_SCHEMA_UNKNOWN_FIELD',
        [...path, extra],
        `unknown field '${extra}'`,
        allowed.length ? `allowed here: ${allowed.join(', ')}` : undefined,
        { key: true },
      );
    }
    case 'type': {
      const want = ([] as string[]).concat((e.params as { type: string | string[] }).type);
      const words = want.map((w) => TYPE_WORDS[w] ?? w).join(' or ');
      const found =
        value === null
          ? 'nothing'
          : typeof value === 'object'
            ? `a ${typeName(value)}`
            : `${typeName(value)} ${show(value)}`;
      return src.diag('E_SCHEMA_TYPE', path, `expected ${words}, found ${found}`, xhint ?? `write ${words} here`);
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return src.diag(
        'E_SCHEMA_ENUM',
        path,
        `${show(value)} is not one of ${allowed.join(', ')}`,
        xhint ?? `use one of: ${allowed.join(', ')}`,
      );
    }
    case 'minItems':
    case 'maxItems':
    case 'minProperties': {
      const limit = (e.params as { limit: number }).limit;
      const what = e.keyword === 'minProperties' ? 'entries' : 'items';
      const rel = e.keyword === 'maxItems' ? 'at most' : 'at least';
      const fallback =
        e.keyword === 'maxItems'
          ? `remove ${what} until at most ${limit} remain`
          : `add ${what} until there are at least ${limit}`;
      return src.diag('E_SCHEMA_COUNT', path, `needs ${rel} ${limit} ${what}`, xhint ?? fallback);
    }
    case 'maxLength': {
      const limit = (e.params as { limit: number }).limit;
      const p = propertyName !== undefined ? [...path, propertyName] : path;
      const v = propertyName ?? value;
      return src.diag(
        'E_NAME_TOO_LONG',
        p,
        `${show(v)} has ${String(v).length} characters, at most ${limit} allowed`,
        xhint,
        { key: propertyName !== undefined },
      );
    }
    case 'pattern':
    case 'minimum':
    case 'maximum': {
      const p = propertyName !== undefined ? [...path, propertyName] : path;
      const v = propertyName ?? value;
      const code = xcode ?? 'E_SCHEMA_VALUE';
      const limit = (e.params as { limit?: number; comparison?: string }).limit;
      const fallback =
        e.keyword === 'pattern'
          ? `must match ${(e.params as { pattern: string }).pattern}`
          : `must be ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${limit}`;
      return src.diag(code, p, valueMessage(code, v, path), xhint ?? fallback, { key: propertyName !== undefined });
    }
    default:
      return src.diag(
        xcode ?? 'E_SCHEMA',
        path,
        e.message ?? `violates ${e.keyword}`,
        xhint ?? 'see schemas/fabric.schema.json and docs/lab-format.md',
      );
  }
}

function valueMessage(code: string, v: unknown, path: DocPath): string {
  switch (code) {
    case 'E_VLAN_RANGE':
      return `VLAN ${show(v)} is outside 1..4094`;
    case 'E_BAD_NAME':
      return `name ${show(v)} is not allowed`;
    case 'E_BAD_IP':
      return `${show(v)} is not an IPv4 address with prefix`;
    case 'E_BAD_MAC':
      return `${show(v)} is not a MAC address`;
    case 'E_MTU_RANGE':
      return `MTU ${show(v)} is out of range`;
    default:
      return `${show(v)} is not a valid ${String(path[path.length - 1] ?? 'value')}`;
  }
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
export function parseIntent(text: string, file: string): LoadedIntent {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const src = new SourceMap(file, doc, lines);
  const bag = new DiagnosticBag();
  if (doc.errors.length) {
    for (const err of doc.errors) {
      const { line, col } = lines.linePos(err.pos[0]);
      const dup = err.code === 'DUPLICATE_KEY';
      const key = dup ? /^\s*("[^"]*"|'[^']*'|[^:#{}[\],]+?)\s*:/.exec(text.slice(err.pos[0]))?.[1] : undefined;
      bag.add({
        code: dup ? 'E_DUP_KEY' : 'E_YAML_SYNTAX',
        message: key ? `key ${key} appears twice in one map` : err.message,
        file,
        line,
        column: col,
        hint: dup
          ? 'a key appears twice in one map; merge or rename the entries'
          : 'fix the YAML syntax (indentation with spaces, closed brackets and quotes)',
      });
    }
    throw new DiagnosticsErrorFor('load', bag.items);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    bag.add({
      code: 'E_YAML_SYNTAX',
      message: (cause as Error).message,
      file,
      hint: 'avoid recursive or excessive aliases',
    });
    throw new DiagnosticsErrorFor('load', bag.items);
  }
  const validate = schemaValidator();
  if (!validate(data)) {
    for (const e of validate.errors ?? []) {
      const d = schemaDiagnostic(e, data, src);
      if (d) bag.add(d);
    }
  }
  validateIntent(data, src, bag);
  if (!bag.ok) throw new DiagnosticsErrorFor('validate', bag.items);
  return { intent: data as FabricIntent, file, src };
}

/** Reads and validates a fabric.yml. */
export async function loadIntent(path: string): Promise<LoadedIntent> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new FabricError('E_LAB_NOT_FOUND', `cannot read lab file ${path}`, {
      cause,
      hint: 'pass the path of a fabric.yml, e.g. labs/mtdc/fabric.yml',
    });
  }
  return parseIntent(text, path);
}

/** A DiagnosticsError whose items are sorted by position (stable golden output). */
class DiagnosticsErrorFor extends DiagnosticsError {
  constructor(stage: string, items: Diagnostic[]) {
    super(stage, sortDiagnostics(items));
  }
}
export { sortDiagnostics };
