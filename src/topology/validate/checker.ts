// What every section validator shares: the diagnostics sink, the node names declared so far (one
// namespace for generated and extra nodes) and the declared datacenters. Validators run on
// documents that may have schema errors, so the guards here treat anything malformed as absent.
import type { ErrorCode } from '../../errors/codes/index.js';
import type { DiagnosticBag } from '../../errors/diagnostics.js';
import type { DocPath, SourceMap } from '../locate.js';
import type { NodeKind } from '../model.js';
import { SAFE_NAME } from '../../names/index.js';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isStr = (v: unknown): v is string => typeof v === 'string';
export const isName = (v: unknown): v is string => isStr(v) && SAFE_NAME.test(v);
export const isVlan = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 4094;
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** Own entries only: a user's key never reaches Object.prototype. */
export const entries = (v: unknown): [string, unknown][] => (isObj(v) ? Object.entries(v) : []);

/** The machine a lab is about to run on (only verbs that boot guests give it). */
export interface MachineFacts {
  /** Memory (MiB) the lab's guests may use: what the machine has available, plus what the lab's own running guests hold. */
  availableMiB(lab: string): number;
  /** The runtime the lab is about to be deployed on, and whether it can serve `impair:` blocks. */
  runtime?: { name: string; impairs: boolean };
}

export interface NodeDecl {
  name: string;
  kind: NodeKind | string;
  path: DocPath;
  key: boolean;
  what: string;
}

/** A declared site, by tenant then site name (Maps: `toString` is just a name here). */
export interface SiteRef {
  index: number;
  dc?: string;
  body: Obj;
}

export class Checker {
  readonly nodes = new Map<string, NodeDecl>();
  /** Declared datacenter names (user keys: a Set, never a plain object). */
  readonly dcs: Set<string>;
  /** DC pairs (pairKey) joined by a dedicated line / a long-haul path → index of the entry. */
  readonly lines = new Map<string, number>();
  readonly hauls = new Map<string, number>();
  readonly sites = new Map<string, Map<string, SiteRef>>();

  constructor(
    readonly data: Obj,
    readonly src: SourceMap,
    readonly bag: DiagnosticBag,
    /** What the machine offers, when the caller is about to run the lab here. */
    readonly machine?: MachineFacts,
  ) {
    this.dcs = new Set(entries(data.datacenters).map(([k]) => k));
  }

  report(code: ErrorCode, path: DocPath, message: string, hint?: string, key = false): void {
    this.bag.add(this.src.diag(code, path, message, hint, { key }));
  }

  line(path: DocPath, key = false): string {
    const p = this.src.locate(path, key);
    return p ? ` (line ${p.line})` : '';
  }

  /** True when `v` names a declared datacenter; reports an unknown one. */
  checkDc(v: unknown, path: DocPath): v is string {
    if (!isName(v)) return false;
    if (!this.dcs.has(v)) {
      this.report('E_UNKNOWN_DC', path, `unknown datacenter '${v}'`, this.dcHint());
      return false;
    }
    return true;
  }

  dcHint(): string {
    return `declared datacenters: ${[...this.dcs].sort().join(', ') || '(none)'}`;
  }

  declareNode(decl: NodeDecl): void {
    const prev = this.nodes.get(decl.name);
    if (prev) {
      this.report(
        'E_DUP_NODE',
        decl.path,
        `node '${decl.name}' (${decl.what}) is already defined by ${prev.what}${this.line(prev.path, prev.key)}`,
        'node names must be unique in a lab; generated names are <dc>-sw, <dc>-ic, <dc>-pe, prov-a, prov-b, <tenant>-<site>-sw and <tenant>-<site>-<system>: rename one of them',
        decl.key,
      );
      return;
    }
    this.nodes.set(decl.name, decl);
  }
}

/** Two DCs as one undirected key. */
export const pairKey = (a: string, b: string): string => [a, b].sort().join('|');

/** The two DCs of a `between:` entry when both are valid, declared and distinct-checked by the caller. */
export function betweenOf(c: Checker, v: unknown, path: DocPath): [string, string] | undefined {
  const between = isObj(v) ? arr(v.between) : [];
  const ok = between.map((dc, j) => c.checkDc(dc, [...path, 'between', j]));
  if (between.length !== 2 || !ok.every(Boolean)) return undefined;
  return between as [string, string];
}
