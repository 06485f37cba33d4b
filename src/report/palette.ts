// Colours of the HTML report. Fixed tables (not hashed), so pictures look the same in every run.
import type { BlockKind } from './stack.js';

export const ROLE_COLOR: Record<string, string> = {
  endpoint: '#e0f2fe',
  'access-switch': '#bae6fd',
  'dc-switch': '#1e3a8a',
  interconnect: '#7c3aed',
  pe: '#b45309',
  p: '#92400e',
  provider: '#0f766e',
  hypervisor: '#475569',
  vm: '#cbd5e1',
};
/** Text colour on each role's box. */
export const ROLE_INK: Record<string, string> = {
  endpoint: '#0c4a6e',
  'access-switch': '#0c4a6e',
  'dc-switch': '#fff',
  interconnect: '#fff',
  pe: '#fff',
  p: '#fff',
  provider: '#fff',
  hypervisor: '#fff',
  vm: '#1e293b',
};

export const CLASS_COLOR: Record<string, string> = {
  'client-access': '#94a3b8',
  'tenant-lan': '#38bdf8',
  'dc-fabric': '#2563eb',
  'dc-interconnect': '#7c3aed',
  'long-haul': '#d97706',
  provider: '#0d9488',
  hypervisor: '#64748b',
};
export const CLASS_WIDTH: Record<string, number> = {
  'client-access': 1.2,
  'tenant-lan': 1.8,
  'dc-fabric': 2.6,
  'dc-interconnect': 3.2,
  'long-haul': 3.2,
  provider: 3.6,
  hypervisor: 1.5,
};

export const BLOCK_COLOR: Record<BlockKind, { bg: string; ink: string }> = {
  'eth-outer': { bg: '#475569', ink: '#fff' },
  'eth-client': { bg: '#0284c7', ink: '#fff' },
  tag1: { bg: '#ea580c', ink: '#fff' },
  tag2: { bg: '#facc15', ink: '#422006' },
  'own-vlan': { bg: '#7dd3fc', ink: '#0c4a6e' },
  tag4: { bg: '#9333ea', ink: '#fff' },
  tag3: { bg: '#db2777', ink: '#fff' },
  pw: { bg: '#f9a8d4', ink: '#500724' },
  'ip-outer': { bg: '#0f766e', ink: '#fff' },
  vxlan: { bg: '#2dd4bf', ink: '#042f2e' },
  payload: { bg: '#e5e7eb', ink: '#111827' },
  raw: { bg: '#d1d5db', ink: '#111827' },
};

// Tenants named after a colour get that colour (the reference lab's red/green/blue); others take
// the next free colour of a fixed list, in name order.
const NAMED: Record<string, string> = {
  red: '#dc2626',
  green: '#16a34a',
  blue: '#2563eb',
  orange: '#ea580c',
  purple: '#9333ea',
  yellow: '#ca8a04',
  pink: '#db2777',
  teal: '#0d9488',
  cyan: '#0891b2',
  brown: '#92400e',
  gray: '#4b5563',
  grey: '#4b5563',
  black: '#111827',
};
const SPARE = [
  '#0891b2',
  '#c026d3',
  '#65a30d',
  '#e11d48',
  '#4f46e5',
  '#b45309',
  '#0f766e',
  '#7c2d12',
  '#be185d',
  '#1d4ed8',
];

export function tenantColors(tenants: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const sorted = [...new Set(tenants)].sort();
  const used = new Set<string>();
  for (const t of sorted) {
    const c = NAMED[t.toLowerCase()];
    if (c && !used.has(c)) {
      out.set(t, c);
      used.add(c);
    }
  }
  let k = 0;
  for (const t of sorted) {
    if (out.has(t)) continue;
    const free = SPARE.filter((c) => !used.has(c));
    const c = free.length ? free[0]! : SPARE[k++ % SPARE.length]!;
    out.set(t, c);
    used.add(c);
  }
  return out;
}
