// The graph of datacenters joined by dedicated lines and long-haul paths, checked for what the
// plan cannot serve: a pair joined twice (the plan keeps one gateway per remote DC), a DC that
// holds sites but is joined to nothing while other DCs hold sites too, and a tenant VLAN domain whose DCs no chain of lines and
// paths connects.
import type { DocPath } from '../locate.js';
import { arr, entries, isObj, isVlan, type Checker } from './checker.js';

export function validateDcGraph(c: Checker): void {
  for (const [key, i] of c.hauls) {
    const line = c.lines.get(key);
    if (line === undefined) continue;
    const [a, b] = key.split('|');
    c.report(
      'E_DC_TWO_PATHS',
      ['long_haul', 'paths', i],
      `datacenters ${a} and ${b} are joined both by a dedicated line (interconnects[${line}]) and by this long-haul path`,
      'a pair of datacenters has one path (each DC keeps one gateway per remote DC): drop the long-haul path or the dedicated line',
    );
  }
  const component = dcComponents(c);
  const siteDcs = sitesByDc(c);
  // Alone in a lab, a DC needs no joins; beside another DC holding sites, it does.
  if (siteDcs.size > 1) {
    for (const [dc] of entries(c.data.datacenters)) {
      const held = siteDcs.get(dc);
      if (!held || hasEdge(c, dc)) continue;
      c.report(
        'E_DC_ISOLATED',
        ['datacenters', dc],
        `datacenter ${dc} holds ${held.length} site${held.length === 1 ? '' : 's'} (${held.slice(0, 3).join(', ')}${held.length > 3 ? ', ...' : ''}) but no dedicated line or long-haul path joins it to another datacenter`,
        `join ${dc} with interconnects: [{ between: [${dc}, <dc>] }] or a long_haul path, or move its sites`,
        true,
      );
    }
  }
  checkDomains(c, component);
}

function hasEdge(c: Checker, dc: string): boolean {
  for (const key of [...c.lines.keys(), ...c.hauls.keys()]) if (key.split('|').includes(dc)) return true;
  return false;
}

/** DC → its component id (union-find over lines and paths): DCs with one id reach each other. */
export function dcComponents(c: Checker): Map<string, string> {
  const parent = new Map<string, string>([...c.dcs].map((d) => [d, d]));
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) ?? r;
    parent.set(x, r);
    return r;
  };
  for (const key of [...c.lines.keys(), ...c.hauls.keys()]) {
    const [a, b] = key.split('|') as [string, string];
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  }
  return new Map([...c.dcs].map((d) => [d, find(d)]));
}

/** DC → `tenant/site` of the sites it holds. */
function sitesByDc(c: Checker): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [tenant, sites] of c.sites)
    for (const [site, ref] of sites) {
      if (ref.dc === undefined) continue;
      const list = out.get(ref.dc) ?? [];
      list.push(`${tenant}/${site}`);
      out.set(ref.dc, list);
    }
  return out;
}

/** Each tenant VLAN domain must have all its DCs in one component. */
function checkDomains(c: Checker, component: Map<string, string>): void {
  for (const [tenant, sites] of c.sites) {
    // own VLAN → the first site (in document order) seen in each component
    const domains = new Map<number, Map<string, { dc: string; path: DocPath }>>();
    const ordered = [...sites.values()].sort((x, y) => x.index - y.index);
    for (const ref of ordered) {
      const comp = ref.dc === undefined ? undefined : component.get(ref.dc);
      if (comp === undefined || ref.dc === undefined) continue;
      for (const sys of arr(ref.body.systems)) {
        if (!isObj(sys) || !isVlan(sys.vlan)) continue;
        const seen = domains.get(sys.vlan) ?? new Map<string, { dc: string; path: DocPath }>();
        domains.set(sys.vlan, seen);
        if (!seen.has(comp)) seen.set(comp, { dc: ref.dc, path: ['tenants', tenant, 'sites', ref.index, 'dc'] });
      }
    }
    for (const [vlan, comps] of [...domains].sort((x, y) => x[0] - y[0])) {
      if (comps.size < 2) continue;
      const [first, ...rest] = [...comps.values()];
      for (const other of rest)
        c.report(
          'E_TENANT_NO_PATH',
          other.path,
          `tenant ${tenant} VLAN ${vlan} has sites in ${first!.dc} and ${other.dc}, but no chain of dedicated lines or long-haul paths joins these datacenters`,
          `join ${other.dc} to ${first!.dc} (directly or through other datacenters), or move the site`,
        );
    }
  }
}
