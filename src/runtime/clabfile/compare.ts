// Structural comparison of a containerlab topology with the one fabric generates from the intent:
// maps compare by key (order and comments do not matter), lists item by item. The first
// difference is what attach reports, located in the user's file.
import { FabricError } from '../../errors/fabric-error.js';
import { formatPath, type DocPath, type SourceMap } from '../../topology/locate.js';

export interface Difference {
  path: DocPath;
  /** missing: the generated file has it, the given one not; extra: the reverse; value: both, unequal. */
  kind: 'missing' | 'extra' | 'value';
  expected?: unknown;
  actual?: unknown;
  /** For an entry of a keyed list (links by fabric.id): its key. */
  id?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function firstDifference(expected: unknown, actual: unknown, path: DocPath = []): Difference | null {
  if (isObj(expected) && isObj(actual)) {
    for (const [k, v] of Object.entries(expected)) {
      if (!(k in actual)) return { path: [...path, k], kind: 'missing', expected: v };
      const d = firstDifference(v, actual[k], [...path, k]);
      if (d) return d;
    }
    for (const k of Object.keys(actual))
      if (!(k in expected)) return { path: [...path, k], kind: 'extra', actual: actual[k] };
    return null;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const ke = expected.map(linkId);
    const ka = actual.map(linkId);
    // Links are matched by their fabric.id label: a dropped or added link is named, not the
    // link that happens to slide into its index.
    if (ke.every(Boolean) && ka.every(Boolean)) {
      for (let i = 0; i < ke.length; i++) {
        const j = ka.indexOf(ke[i]);
        if (j < 0) return { path, kind: 'missing', expected: expected[i], id: ke[i]! };
      }
      for (let j = 0; j < ka.length; j++)
        if (!ke.includes(ka[j])) return { path: [...path, j], kind: 'extra', actual: actual[j], id: ka[j]! };
      for (let i = 0; i < ke.length; i++) {
        const j = ka.indexOf(ke[i]);
        const d = firstDifference(expected[i], actual[j], [...path, j]);
        if (d) return d;
      }
      return null;
    }
    const n = Math.min(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(expected[i], actual[i], [...path, i]);
      if (d) return d;
    }
    if (expected.length > n) return { path: [...path, n], kind: 'missing', expected: expected[n] };
    if (actual.length > n) return { path: [...path, n], kind: 'extra', actual: actual[n] };
    return null;
  }
  if (expected === actual) return null;
  return { path, kind: 'value', expected, actual };
}

function linkId(v: unknown): string | undefined {
  const l = isObj(v) && isObj(v.labels) ? v.labels['fabric.id'] : undefined;
  return typeof l === 'string' ? l : undefined;
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

export function describe(d: Difference): string {
  const at = formatPath(d.path) || 'the document';
  if (d.id)
    return d.kind === 'missing'
      ? `${at}: link ${d.id} is missing`
      : `${at}: link ${d.id} is not generated from the intent`;
  switch (d.kind) {
    case 'missing':
      return `${at} is missing: the intent generates ${show(d.expected)}`;
    case 'extra':
      return `${at} is not generated from the intent (the file has ${show(d.actual)})`;
    default:
      return `${at} is ${show(d.actual)}, the intent generates ${show(d.expected)}`;
  }
}

/** True when some node carries fabric's labels: a file `fabric generate` wrote, maybe edited. */
export function looksGenerated(data: unknown): boolean {
  const nodes = isObj(data) && isObj(data.topology) && isObj(data.topology.nodes) ? data.topology.nodes : {};
  return Object.values(nodes).some((n) => isObj(n) && isObj(n.labels) && 'fabric.role' in n.labels);
}

function located(source: SourceMap, path: DocPath, key: boolean): string {
  const p = source.locate(path, key);
  return `${source.file}${p ? `:${p.line}:${p.column}` : ''}`;
}

/**
 * Refuses a file fabric did not generate (E_CLAB_FOREIGN) or one that differs from what the intent
 * generates (E_CLAB_MISMATCH, naming the first difference at its file:line:col).
 */
export function checkMatches(expected: unknown, actual: unknown, source: SourceMap, intentLabel: string): void {
  if (!looksGenerated(actual)) {
    throw new FabricError(
      'E_CLAB_FOREIGN',
      'no node carries fabric labels (fabric.role): fabric did not generate this file',
      {
        location: located(source, ['topology', 'nodes'], true),
        hint: `attach adopts labs deployed from the file fabric generate writes: fabric generate ${intentLabel}, then deploy that file`,
      },
    );
  }
  const d = firstDifference(expected, actual);
  if (!d) return;
  // A missing entry is shown at its parent (the place to add it); others at the entry itself.
  const at = d.kind === 'missing' && !d.id ? d.path.slice(0, -1) : d.path;
  throw new FabricError('E_CLAB_MISMATCH', `${describe(d)}`, {
    location: located(source, at, d.kind === 'extra'),
    hint: `the file no longer matches ${intentLabel}: regenerate it with fabric generate and redeploy, or change the intent instead of the generated file`,
  });
}
