// Link MTUs. A placeholder table: the tag planner replaces it with a computed budget (each fabric
// hop adds tags, MPLS labels or an outer IPv4+UDP+VXLAN header on top of the tenant MTU).
import type { LinkClass } from './model.js';

/** The single place a link's MTU comes from; `tenantMtu` is the intent's optional `mtu`. */
export function linkMtu(linkClass: LinkClass, tenantMtu = 1500): number {
  switch (linkClass) {
    case 'client-access':
    case 'tenant-lan':
      return tenantMtu;
    default:
      return 9000;
  }
}

/** Outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14) added on the provider segment. */
export const VXLAN_OVERHEAD = 50;
