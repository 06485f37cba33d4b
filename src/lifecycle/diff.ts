// The difference between a deployed lab's model and a changed intent's model, as containerlab's
// converging deploy reports it: nodes and links added, removed and changed. Pure (unit-tested with
// golden text). A changed node or link is one whose deployed form differs (kind, interfaces,
// addresses, routes, bridge, endpoints, MTU); `fabric up` removes it and creates it again.
import type { LabModel, LinkModel, NodeModel } from '../topology/model.js';

export interface Change<T> {
  name: string;
  before?: T;
  after?: T;
  /** For a change: which fields differ. */
  fields?: string[];
}

export interface LabDiff {
  lab: string;
  nodes: { added: Change<NodeModel>[]; removed: Change<NodeModel>[]; changed: Change<NodeModel>[] };
  links: { added: Change<LinkModel>[]; removed: Change<LinkModel>[]; changed: Change<LinkModel>[] };
}

const NODE_FIELDS = ['kind', 'role', 'dc', 'tenant', 'bridge', 'interfaces', 'netdevs', 'routes'] as const;
const LINK_FIELDS = ['class', 'endpoints', 'mtu', 'remoteDc'] as const;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function diffBy<T extends object>(
  before: readonly T[],
  after: readonly T[],
  key: (x: T) => string,
  fields: readonly (keyof T)[],
): { added: Change<T>[]; removed: Change<T>[]; changed: Change<T>[] } {
  const old = new Map(before.map((x) => [key(x), x]));
  const now = new Map(after.map((x) => [key(x), x]));
  const added: Change<T>[] = [];
  const removed: Change<T>[] = [];
  const changed: Change<T>[] = [];
  for (const [k, b] of old) if (!now.has(k)) removed.push({ name: k, before: b });
  for (const [k, a] of now) {
    const b = old.get(k);
    if (!b) {
      added.push({ name: k, after: a });
      continue;
    }
    const differ = fields.filter((f) => !same(b[f], a[f])).map(String);
    if (differ.length) changed.push({ name: k, before: b, after: a, fields: differ });
  }
  const byName = (x: Change<T>, y: Change<T>) => x.name.localeCompare(y.name);
  return { added: added.sort(byName), removed: removed.sort(byName), changed: changed.sort(byName) };
}

/** What turns `deployed` into `next` (an empty deployed model: everything is added). */
export function diffLab(deployed: LabModel | null, next: LabModel): LabDiff {
  return {
    lab: next.name,
    nodes: diffBy(deployed?.nodes ?? [], next.nodes, (n) => n.name, NODE_FIELDS),
    links: diffBy(deployed?.links ?? [], next.links, (l) => l.id, LINK_FIELDS),
  };
}

export function isEmpty(d: LabDiff): boolean {
  return ![...Object.values(d.nodes), ...Object.values(d.links)].some((xs) => xs.length);
}

const nodeLine = (n: NodeModel) => `${n.kind}, ${n.role}${n.dc ? `, ${n.dc}` : ''}${n.tenant ? `, ${n.tenant}` : ''}`;
const linkLine = (l: LinkModel) => `${l.class}: ${l.endpoints.map((e) => `${e.node}:${e.ifname}`).join(' <-> ')}`;

/** The difference as text: a count line, then one line per node and link (+ added, - removed, ~ changed). */
export function formatDiff(d: LabDiff): string {
  const n = d.nodes;
  const l = d.links;
  const head =
    `lab ${d.lab}: nodes ${n.added.length} added, ${n.removed.length} removed, ${n.changed.length} changed; ` +
    `links ${l.added.length} added, ${l.removed.length} removed, ${l.changed.length} changed`;
  if (isEmpty(d)) return `${head}\n  (no difference: the lab is deployed as its intent says)\n`;
  const lines = [
    head,
    ...n.added.map((c) => `  + node ${c.name} (${nodeLine(c.after!)})`),
    ...n.removed.map((c) => `  - node ${c.name} (${nodeLine(c.before!)})`),
    ...n.changed.map((c) => `  ~ node ${c.name} (${c.fields!.join(', ')})`),
    ...l.added.map((c) => `  + link ${c.name} (${linkLine(c.after!)})`),
    ...l.removed.map((c) => `  - link ${c.name} (${linkLine(c.before!)})`),
    ...l.changed.map((c) => `  ~ link ${c.name} (${c.fields!.join(', ')})`),
  ];
  return `${lines.join('\n')}\n`;
}
