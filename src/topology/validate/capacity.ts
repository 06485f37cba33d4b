// Tag capacity, checked at load: the tag plan allocates Tag1 (one per site without host_tag) and
// Tag2 (one per tenant VLAN domain without a customer tag) from 802.1Q ranges. A lab that needs
// more than the ranges hold is refused here with one diagnostic per tag space, instead of one
// E_TAG_EXHAUSTED per site at plan time.
import { arr, entries, isObj, isVlan, type Checker } from './checker.js';

/** Where the tag plan starts allocating (it skips declared values); both end at VLAN 4094. */
export const HOST_TAG_START = 101;
export const CUSTOMER_TAG_START = 201;
export const VLAN_MAX = 4094;

interface Demand {
  need: number;
  declared: Set<number>;
}

export function validateCapacity(c: Checker): void {
  const host: Demand = { need: 0, declared: new Set() };
  const cust: Demand = { need: 0, declared: new Set() };
  for (const [, t] of entries(c.data.tenants)) {
    if (!isObj(t)) continue;
    const ctags = new Map(entries(t.customer_tags));
    for (const tag of ctags.values()) if (isVlan(tag)) cust.declared.add(tag);
    const vlans = new Set<number>();
    for (const s of arr(t.sites)) {
      if (!isObj(s)) continue;
      if (isVlan(s.host_tag)) host.declared.add(s.host_tag);
      else host.need++;
      for (const y of arr(s.systems)) if (isObj(y) && isVlan(y.vlan)) vlans.add(y.vlan);
    }
    for (const v of vlans) if (!isVlan(ctags.get(String(v)))) cust.need++;
  }
  const hostFree = free(HOST_TAG_START, host.declared);
  if (host.need > hostFree)
    c.report(
      'E_TAG_EXHAUSTED',
      ['tenants'],
      `${host.need} sites need a host tag (Tag1) from the plan, but only ${hostFree} are free in ${HOST_TAG_START}..${VLAN_MAX}`,
      `a lab holds at most ${hostFree} sites without host_tag (plus sites that declare one): split the lab, or declare host_tag values`,
      true,
    );
  const custFree = free(CUSTOMER_TAG_START, cust.declared);
  if (cust.need > custFree)
    c.report(
      'E_TAG_EXHAUSTED',
      ['tenants'],
      `${cust.need} tenant VLAN domains need a customer tag (Tag2) from the plan, but only ${custFree} are free in ${CUSTOMER_TAG_START}..${VLAN_MAX}`,
      `a lab holds at most ${custFree} (tenant, own VLAN) domains without customer_tags: split the lab, or declare customer_tags`,
      true,
    );
}

function free(start: number, declared: Set<number>): number {
  let taken = 0;
  for (const t of declared) if (t >= start && t <= VLAN_MAX) taken++;
  return VLAN_MAX - start + 1 - taken;
}
