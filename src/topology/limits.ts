// Input limits, checked before the expensive stages: an intent's size in bytes (before parsing),
// its encoding (UTF-8 only), its bracket nesting (before the recursive parser sees it) and the
// number of nodes it declares (before schema validation and resolution). Each refusal is one
// located diagnostic of its own, never an out-of-memory, a stack overflow or a page of NUL bytes.
import type { ErrorCode } from '../errors/codes/index.js';
import type { Diagnostic } from '../errors/diagnostics.js';
import { arr, entries, isObj } from './validate/checker.js';

/** Largest intent accepted, in bytes (docs/lab-format.md §Limits). */
export const MAX_INTENT_BYTES = 4 * 1024 * 1024;
/** Most nodes one intent may declare (generated and extra), see countNodes. */
export const MAX_LAB_NODES = 20_000;
/** Deepest flow-collection nesting ([ and {) accepted; real intents use 3 or 4 levels. */
export const MAX_NESTING = 64;

const MiB = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

function at(file: string, code: ErrorCode, message: string, hint: string, line = 1, column = 1): Diagnostic {
  return { code, message, file, line, column, hint };
}

export function tooBig(file: string, bytes: number): Diagnostic {
  return at(
    file,
    'E_TOO_BIG',
    `the intent has ${bytes} bytes (${MiB(bytes)}), more than the ${MAX_INTENT_BYTES} bytes (${MiB(MAX_INTENT_BYTES)}) accepted`,
    `split the lab: one intent holds at most ${MiB(MAX_INTENT_BYTES)} and ${MAX_LAB_NODES} nodes (docs/lab-format.md, Limits)`,
  );
}

/** Line and column (1-based) of a character offset. */
function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** Raw bytes → text, or a diagnostic saying why the bytes are not UTF-8 text. */
export function decodeIntent(bytes: Uint8Array, file: string): string | Diagnostic {
  const bom16 =
    bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  if (bom16)
    return at(
      file,
      'E_NOT_UTF8',
      'the file is UTF-16 text (byte-order mark), not UTF-8',
      'save fabric.yml as UTF-8, e.g. iconv -f UTF-16 -t UTF-8',
    );
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let good = 0; // the longest valid prefix locates the first bad byte
    for (let hi = bytes.length; good < hi;) {
      const mid = Math.ceil((good + hi) / 2);
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid));
        good = mid;
      } catch {
        hi = mid - 1;
      }
    }
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, good));
    const p = position(prefix, prefix.length);
    return at(
      file,
      'E_NOT_UTF8',
      `byte ${good} (0x${bytes[good]?.toString(16).padStart(2, '0')}) is not UTF-8`,
      'save fabric.yml as UTF-8 (Latin-1 or Windows-1252 accents are the usual cause)',
      p.line,
      p.column,
    );
  }
  return checkText(text, file) ?? text;
}

/** Text-level refusals shared by files and in-memory text: NUL characters and deep nesting. */
export function checkText(text: string, file: string): Diagnostic | undefined {
  const nul = text.indexOf('\u0000');
  if (nul !== -1) {
    const p = position(text, nul);
    return at(
      file,
      'E_NOT_UTF8',
      'the text contains NUL bytes: it is binary, or UTF-16 without a byte-order mark',
      'save fabric.yml as UTF-8 text',
      p.line,
      p.column,
    );
  }
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    const p = position(text, deep);
    return at(
      file,
      'E_TOO_DEEP',
      `brackets are nested more than ${MAX_NESTING} levels deep`,
      'an intent needs 3 or 4 levels; close the brackets ([ ] and { }) you opened',
      p.line,
      p.column,
    );
  }
  const indented = tooDeepIndentAt(text);
  if (indented === undefined) return undefined;
  return at(
    file,
    'E_TOO_DEEP',
    `indentation is nested more than ${MAX_NESTING} levels deep`,
    'an intent needs a few levels of indentation; each nested map or list is indented once more',
    indented,
    1,
  );
}

/** Line (1-based) where block nesting (each deeper indentation, each leading `- `) passes MAX_NESTING. */
function tooDeepIndentAt(text: string): number | undefined {
  const stack: number[] = [];
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    const indent = raw.length - raw.trimStart().length;
    const rest = raw.slice(indent);
    if (rest === '' || rest.startsWith('#')) continue;
    while (stack.length && stack[stack.length - 1]! >= indent) stack.pop();
    stack.push(indent);
    const dashes = /^(-\s+)*/.exec(rest)?.[0].split('-').length ?? 1;
    if (stack.length + dashes - 1 > MAX_NESTING) return line;
  }
  return undefined;
}

/**
 * Offset of the first bracket beyond MAX_NESTING, skipping quoted scalars and comments. An
 * approximation of YAML's grammar that errs on the safe side: a plain scalar holding 64 opening
 * brackets in a row is refused too.
 */
function tooDeepAt(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '[' || ch === '{') {
      if (++depth > MAX_NESTING) return i;
    } else if (ch === ']' || ch === '}') depth = Math.max(0, depth - 1);
    else if ((ch === '"' || ch === "'") && (i === 0 || /[\s[{,:-]/.test(text[i - 1]!))) i = closingQuote(text, i);
    else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
    }
  }
  return undefined;
}

function closingQuote(text: string, open: number): number {
  const q = text[open];
  for (let i = open + 1; i < text.length; i++) {
    if (q === '"' && text[i] === '\\') i++;
    else if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return text.length;
}

/** Nodes the intent declares: what resolve would build, counted from the plain data. */
export function countNodes(data: unknown): number {
  if (!isObj(data)) return 0;
  const dcs = entries(data.datacenters).length;
  let n = dcs * 3 + 2; // switch, interconnect switch, PE per DC; the provider routers
  if (isObj(data.long_haul)) n += arr(data.long_haul.p_routers).length;
  for (const [, t] of entries(data.tenants))
    for (const s of isObj(t) ? arr(t.sites) : []) n += 1 + (isObj(s) ? arr(s.systems).length : 0);
  for (const h of arr(data.hypervisors)) {
    const pool = isObj(h) && Number.isInteger(h.pool) ? Math.min(Math.max(h.pool as number, 0), 4) : 0;
    n += 3 + pool; // bridge, gateway, active VM or host stack, pool
  }
  return n + arr(data.extra_nodes).length;
}

export function tooManyNodes(file: string, nodes: number): Diagnostic {
  return at(
    file,
    'E_TOO_BIG',
    `the intent declares about ${nodes} nodes, more than the ${MAX_LAB_NODES} accepted`,
    `split the lab: one intent holds at most ${MAX_LAB_NODES} nodes and ${MiB(MAX_INTENT_BYTES)} (docs/lab-format.md, Limits)`,
  );
}
