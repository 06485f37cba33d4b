// Folder layering check: dependency-cruiser's module graph collapsed to the folders of src/
// (depcruise --collapse), then every strongly connected set of two or more folders is a cycle.
// Exits 1 and names each cycle's folders and the edges that close it.
import { execFileSync } from 'node:child_process';

const out = execFileSync(
  'npx',
  ['depcruise', 'src', '--config', '.dependency-cruiser.cjs', '--collapse', '^src/[^/]+', '--output-type', 'json'],
  { encoding: 'utf8', maxBuffer: 64 << 20 },
);
const graph = new Map();
for (const m of JSON.parse(out).modules) {
  const to = m.dependencies.map((d) => d.resolved).filter((r) => r !== m.source && r.startsWith('src/'));
  graph.set(m.source, new Set(to));
}
// Tarjan's strongly connected components.
let index = 0;
const idx = new Map(),
  low = new Map(),
  stack = [],
  on = new Set(),
  sccs = [];
function visit(v) {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  on.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!idx.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const c = [];
    for (let w; w !== v;) {
      w = stack.pop();
      on.delete(w);
      c.push(w);
    }
    if (c.length > 1) sccs.push(c.sort());
  }
}
for (const v of graph.keys()) if (!idx.has(v)) visit(v);
if (!sccs.length) {
  console.log(`layers: ${graph.size} folders of src/, 0 folder cycles`);
  process.exit(0);
}
for (const c of sccs) {
  const edges = c.flatMap((a) => [...graph.get(a)].filter((b) => c.includes(b)).map((b) => `${a} -> ${b}`));
  console.error(`layers: folder cycle among ${c.join(', ')}\n  ${edges.join('\n  ')}`);
}
process.exit(1);
