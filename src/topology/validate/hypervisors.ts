// hypervisors: unique names in a declared DC; `hosts` names existing tenant sites of the
// hypervisor's own DC, each hosted once; an HA hypervisor's `mirrors` names a customer
// hypervisor of any DC its own DC is joined to; and every system of a hosted site declares its MAC (a
// customer VM keeps its MAC across failover, so it cannot be derived). Field names, types and
// ranges are the schema's; what can only be decided with the built nodes is the resolver's.
import type { DocPath } from '../locate.js';
import { arr, isName, isObj, isStr, isVlan, type Checker, type Obj } from './checker.js';
import { dcComponents } from './dc-graph.js';

export function validateHypervisors(c: Checker): void {
  const hvs = arr(c.data.hypervisors).filter(isObj);
  arr(c.data.hypervisors).forEach((h, i) => {
    if (isObj(h) && (h.type ?? 'ha') === 'ha') checkMirrors(c, hvs, h, i);
  });
  const hvNames = new Map<string, number>();
  const hostedBy = new Map<string, string>();
  arr(c.data.hypervisors).forEach((h, i) => {
    if (!isObj(h)) return;
    const dcOk = c.checkDc(h.dc, ['hypervisors', i, 'dc']);
    const name = isName(h.name) ? h.name : `hypervisors[${i}]`;
    if (isName(h.name)) {
      const prev = hvNames.get(h.name);
      if (prev !== undefined)
        c.report(
          'E_DUP_NAME',
          ['hypervisors', i, 'name'],
          `hypervisor ${h.name} is already declared (hypervisors[${prev}])`,
          'hypervisor names are unique',
        );
      else hvNames.set(h.name, i);
    }
    checkTypeFields(c, h, name, i);
    arr(h.hosts).forEach((key, k) => {
      const at: DocPath = ['hypervisors', i, 'hosts', k];
      if (!isStr(key)) return;
      const parts = key.split('/');
      if (parts.length !== 2 || !isName(parts[0]) || !isName(parts[1])) return; // the schema reported it
      const [tenant, site] = parts as [string, string];
      const ref = c.sites.get(tenant)?.get(site);
      if (!ref) {
        const known = c.sites.has(tenant)
          ? `sites of ${tenant}: ${[...(c.sites.get(tenant)?.keys() ?? [])].sort().join(', ') || '(none)'}`
          : `declared tenants: ${[...c.sites.keys()].sort().join(', ') || '(none)'}`;
        c.report('E_HV_SITE', at, `hypervisor ${name}: no tenant site ${key}`, `write hosts as tenant/site; ${known}`);
        return;
      }
      if (dcOk && ref.dc !== undefined && ref.dc !== h.dc) {
        c.report(
          'E_HV_SITE',
          at,
          `site ${key} is in ${ref.dc}, hypervisor ${name} in ${String(h.dc)}`,
          'a hypervisor hosts sites of its own DC',
        );
        return;
      }
      const prev = hostedBy.get(key);
      if (prev !== undefined) {
        c.report('E_HV_SITE', at, `site ${key} is already hosted by ${prev}`, 'a site runs on one hypervisor');
        return;
      }
      hostedBy.set(key, name);
      requireMacs(c, name, key, ref.body, ['tenants', tenant, 'sites', ref.index]);
    });
  });
}

/** Fields that belong to one type of hypervisor only (type defaults to ha). */
function checkTypeFields(c: Checker, h: Obj, name: string, i: number): void {
  if (h.type !== undefined && h.type !== 'customer' && h.type !== 'ha') return; // the schema reported it
  const at = (field: string): DocPath => ['hypervisors', i, field];
  if (h.type === 'customer') {
    if (Array.isArray(h.hosts) ? h.hosts.length !== 1 : true)
      c.report(
        'E_HV_HOSTS',
        Array.isArray(h.hosts) ? at('hosts') : at('name'),
        `customer hypervisor ${name} must host exactly one tenant site (hosts: [tenant/site])`,
        "one virtual hypervisor per customer hypervisor carries that site's customer VMs",
      );
    if (h.mirrors !== undefined)
      c.report(
        'E_HV_MIRRORS',
        at('mirrors'),
        `customer hypervisor ${name} cannot mirror another`,
        'mirrors: belongs to HA hypervisors (type: ha), naming the customer hypervisor their pool mirrors',
      );
    return;
  }
  if (Array.isArray(h.hosts) && h.hosts.length)
    c.report(
      'E_HV_HOSTS',
      at('hosts'),
      `HA hypervisor ${name} cannot host sites from the start`,
      'HA hypervisors (type: ha, the default) receive sites by failover; a site from the start needs type: customer',
    );
  if (h.virtualization !== undefined)
    c.report(
      'E_HV_VIRT',
      at('virtualization'),
      `HA hypervisor ${name} takes no virtualization`,
      'customer hypervisors take virtualization: full or partial; HA hypervisors are always nested',
    );
}

/**
 * The customer hypervisor an HA hypervisor's pool mirrors must exist and be unambiguous. It may sit
 * in any DC (disaster recovery across datacenters), but the HA hypervisor's DC must be joined to
 * every DC of the mirrored site's tenant domains: after a failover the site is attached there.
 */
function checkMirrors(c: Checker, hvs: Obj[], h: Obj, i: number): void {
  const customers = hvs.filter((x) => x.type === 'customer' && isName(x.name));
  const here = customers.filter((x) => x.dc === h.dc).map((x) => String(x.name));
  const anywhere = customers.map((x) => `${String(x.name)} (${String(x.dc)})`);
  const hint = here.length
    ? `write mirrors: one of ${here.join(', ')} (customer hypervisors of ${String(h.dc)})`
    : anywhere.length
      ? `write mirrors: one of ${anywhere.join(', ')}`
      : 'the lab has no customer hypervisor: drop mirrors:';
  const say = (field: string, why: string) =>
    c.report('E_HV_MIRRORS', ['hypervisors', i, field], `HA hypervisor ${String(h.name)}: ${why}`, hint);
  if (h.mirrors === undefined) {
    if (here.length > 1 && (h.pool ?? 0) !== 0)
      say('name', `${String(h.dc)} has ${here.length} customer hypervisors; say which one its pool mirrors`);
    return;
  }
  if (!isName(h.mirrors)) return; // the schema reported it
  const named = hvs.find((x) => x.name === h.mirrors);
  if (!named) say('mirrors', `mirrors ${JSON.stringify(h.mirrors)}, which is not a hypervisor`);
  else if (named.type !== 'customer') say('mirrors', `mirrors ${h.mirrors}, which is not a customer hypervisor`);
  else checkReach(c, h, i, named);
}

/** An HA hypervisor in another DC than the one it mirrors must reach the site's tenant domains. */
function checkReach(c: Checker, h: Obj, i: number, named: Obj): void {
  if (!isStr(h.dc) || !c.dcs.has(h.dc) || named.dc === h.dc) return;
  const key = arr(named.hosts).find(isStr);
  const [tenant, site] = key?.split('/') ?? [];
  const ref = tenant && site ? c.sites.get(tenant)?.get(site) : undefined;
  if (!ref?.dc) return; // hosts: is reported on the customer hypervisor
  const vlans = new Set(arr(ref.body.systems).flatMap((y) => (isObj(y) && isVlan(y.vlan) ? [y.vlan] : [])));
  const tenantDcs = new Set([ref.dc]);
  for (const other of c.sites.get(tenant!)?.values() ?? [])
    if (other.dc && arr(other.body.systems).some((y) => isObj(y) && isVlan(y.vlan) && vlans.has(y.vlan)))
      tenantDcs.add(other.dc);
  const comp = dcComponents(c);
  const cut = [...tenantDcs].filter((d) => comp.get(d) !== comp.get(h.dc as string)).sort();
  if (!cut.length) return;
  const joined = [...c.dcs].filter((d) => comp.get(d) === comp.get(ref.dc!)).sort();
  c.report(
    'E_HV_NO_PATH',
    ['hypervisors', i, 'dc'],
    `HA hypervisor ${String(h.name)} in ${h.dc} cannot serve ${key} (mirrors ${String(named.name)} in ${ref.dc}): no chain of dedicated lines or long-haul paths joins ${h.dc} to ${cut.join(', ')}`,
    `join ${h.dc} to ${cut[0]} (interconnects or long_haul, directly or through other datacenters), or put ${String(h.name)} in one of ${joined.join(', ')}`,
  );
}

function requireMacs(c: Checker, hv: string, key: string, site: Obj, sp: DocPath): void {
  arr(site.systems).forEach((sys, j) => {
    if (!isObj(sys) || sys.mac !== undefined) return;
    c.report(
      'E_HV_MAC',
      [...sp, 'systems', j],
      `system ${isStr(sys.name) ? sys.name : j} of site ${key} runs as a customer VM on hypervisor ${hv} but declares no mac`,
      'a customer VM keeps its MAC across failover, so it cannot be derived: add mac: 02:xx:xx:xx:xx:xx (unicast, unique in the tenant)',
    );
  });
}
