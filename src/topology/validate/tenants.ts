// tenants: sites (unique names, known DC, an access switch each), systems (unique names, an
// endpoint each), declared fabric tags that must not collide, and customer_tags for own VLANs.
import type { DocPath } from '../locate.js';
import { accessSwitchName, endpointName } from '../../names/index.js';
import { arr, entries, isName, isObj, isVlan, type Checker, type Obj, type SiteRef } from './checker.js';
import { validateSystemAddress, validateSystemMac, type TenantSeen } from './systems.js';

interface FabricPair {
  tenant: string;
  path: DocPath;
  vlan: number;
}

export function validateTenants(c: Checker): void {
  const fabricPairs = new Map<string, FabricPair>();
  for (const [tenant, t] of entries(c.data.tenants)) {
    if (!isObj(t)) continue;
    const sites = new Map<string, SiteRef>();
    c.sites.set(tenant, sites);
    const seen: TenantSeen = { tenant, ips: new Map(), macs: new Map() };
    const vlansUsed = new Set<number>();
    const ctags = new Map(entries(t.customer_tags));
    arr(t.sites).forEach((s, i) => {
      if (!isObj(s)) return;
      const siteVlans = validateSite(c, tenant, sites, seen, s, i);
      for (const v of siteVlans) vlansUsed.add(v);
      checkFabricPair(c, fabricPairs, tenant, ctags, s, ['tenants', tenant, 'sites', i], siteVlans);
    });
    validateCustomerTags(c, tenant, ctags, vlansUsed);
  }
}

/** One site and its systems; returns the site's own VLANs. */
function validateSite(
  c: Checker,
  tenant: string,
  sites: Map<string, SiteRef>,
  seen: TenantSeen,
  s: Obj,
  i: number,
): Set<number> {
  const sp: DocPath = ['tenants', tenant, 'sites', i];
  const dcOk = c.checkDc(s.dc, [...sp, 'dc']);
  const site = isName(s.name) ? s.name : undefined;
  let first = false;
  if (site) {
    const prev = sites.get(site);
    if (prev) {
      c.report(
        'E_DUP_NAME',
        [...sp, 'name'],
        `tenant ${tenant} already has a site named ${site} (sites[${prev.index}])`,
        'site names are unique within a tenant',
      );
    } else {
      first = true;
      sites.set(site, { index: i, dc: dcOk ? (s.dc as string) : undefined, body: s });
      if (isName(tenant))
        c.declareNode({
          name: accessSwitchName(tenant, site),
          kind: 'ovs-bridge',
          path: [...sp, 'name'],
          key: false,
          what: `the access switch of ${tenant} site ${site}`,
        });
    }
  }
  const systemNames = new Map<string, number>();
  const siteVlans = new Set<number>();
  arr(s.systems).forEach((sys, j) => {
    if (!isObj(sys)) return;
    const yp: DocPath = [...sp, 'systems', j];
    if (isName(sys.name)) {
      const prev = systemNames.get(sys.name);
      if (prev !== undefined) {
        c.report(
          'E_DUP_NAME',
          [...yp, 'name'],
          `site ${site ?? i} of tenant ${tenant} already has a system named ${sys.name} (systems[${prev}])`,
          'system names are unique within a site',
        );
      } else {
        systemNames.set(sys.name, j);
        if (isName(tenant) && site && first)
          c.declareNode({
            name: endpointName(tenant, site, sys.name),
            kind: 'linux',
            path: [...yp, 'name'],
            key: false,
            what: `system ${sys.name} of ${tenant} site ${site}`,
          });
      }
    }
    const vlan = isVlan(sys.vlan) ? sys.vlan : undefined;
    if (vlan !== undefined) siteVlans.add(vlan);
    validateSystemAddress(c, seen, sys, yp, vlan);
    validateSystemMac(c, seen, sys, yp);
  });
  return siteVlans;
}

/** A declared (host_tag, customer tag) pair identifies one tenant on the fabric. */
function checkFabricPair(
  c: Checker,
  fabricPairs: Map<string, FabricPair>,
  tenant: string,
  ctags: Map<string, unknown>,
  s: Obj,
  sp: DocPath,
  siteVlans: Set<number>,
): void {
  if (!isVlan(s.host_tag)) return;
  for (const vlan of [...siteVlans].sort((a, b) => a - b)) {
    const ctag = ctags.get(String(vlan));
    if (!isVlan(ctag)) continue;
    const key = `${s.host_tag}|${ctag}`;
    const prev = fabricPairs.get(key);
    if (prev && prev.tenant !== tenant) {
      c.report(
        'E_TAG_COLLISION',
        [...sp, 'host_tag'],
        `fabric tags (host ${s.host_tag}, customer ${ctag}) of tenant ${tenant} VLAN ${vlan} are already used by tenant ${prev.tenant} VLAN ${prev.vlan}${c.line(prev.path)}`,
        'the (host_tag, customer tag) pair identifies a tenant on the fabric: change host_tag or customer_tags of one tenant, or leave them out and let the tag plan allocate them',
      );
    } else if (!prev) fabricPairs.set(key, { tenant, path: [...sp, 'host_tag'], vlan });
  }
}

/** customer_tags keys are own VLANs of the tenant; two VLANs sharing a tag would merge. */
function validateCustomerTags(c: Checker, tenant: string, ctags: Map<string, unknown>, vlansUsed: Set<number>): void {
  const base: DocPath = ['tenants', tenant];
  const byTag = new Map<number, string>();
  for (const [vlanKey, tag] of ctags) {
    const vlan = Number(vlanKey);
    if (/^[1-9][0-9]{0,3}$/.test(vlanKey) && isVlan(vlan) && !vlansUsed.has(vlan)) {
      c.report(
        'E_UNKNOWN_VLAN',
        [...base, 'customer_tags', vlanKey],
        `tenant ${tenant} has no system in VLAN ${vlan}`,
        `own VLANs of ${tenant}: ${[...vlansUsed].sort((a, b) => a - b).join(', ') || '(none)'}`,
        true,
      );
    }
    if (!isVlan(tag)) continue;
    const prev = byTag.get(tag);
    if (prev !== undefined) {
      c.report(
        'E_TAG_COLLISION',
        [...base, 'customer_tags', vlanKey],
        `customer tag ${tag} of VLAN ${vlanKey} is also the customer tag of VLAN ${prev} in tenant ${tenant}`,
        'two own VLANs with one customer tag would be merged into one L2 domain: give each its own tag',
      );
    } else byTag.set(tag, vlanKey);
  }
}
