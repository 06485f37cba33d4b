// Link MTUs follow the tag plan's budget: each class carries the client's IP packet plus the
// headers the fabric adds there (src/topology/encoding.ts documents them per class).
import { classMtu } from './encoding.js';
import type { LinkClass } from './model.js';

/** The single place a link's MTU comes from; `tenantMtu` is the intent's optional `mtu`. */
export function linkMtu(linkClass: LinkClass, tenantMtu = 1500): number {
  return classMtu(linkClass, tenantMtu);
}

export { VXLAN_OVERHEAD } from './encoding.js';
