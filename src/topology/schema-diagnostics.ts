// Schema violations (Ajv errors) → located diagnostics with a stable code and a hint. The schema's
// own x-code / x-hint annotations choose the code and the hint where a generic one would be vague.
import type { ErrorObject } from 'ajv';
import { isErrorCode, type ErrorCode } from '../errors/codes/index.js';
import type { Diagnostic } from '../errors/diagnostics.js';
import type { DocPath, SourceMap } from './locate.js';

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

export function schemaDiagnostic(e: ErrorObject, data: unknown, src: SourceMap): Diagnostic | undefined {
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
        xcode ?? 'E_SCHEMA_ENUM',
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

function valueMessage(code: ErrorCode, v: unknown, path: DocPath): string {
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
    case 'E_TAG_RANGE':
      return `${show(v)} is not a usable MPLS label`;
    case 'E_HV_POOL':
      return `pool ${show(v)} is out of range`;
    case 'E_HV_HOSTS':
      return `${show(v)} is not tenant/site`;
    default:
      return `${show(v)} is not a valid ${String(path[path.length - 1] ?? 'value')}`;
  }
}
