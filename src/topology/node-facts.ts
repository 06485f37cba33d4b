// The typed fabric facts a node carries in the resolved model (facts.ts writes them and their labels).
import type { SiteIntent } from './intent.js';

export type SiteType = SiteIntent['type'];
export type HypervisorKind = 'customer' | 'ha';
export type VmState = 'active' | 'inactive' | 'failed';

export interface NodeFacts {
  /** access switch, endpoint, hypervisor holding a site: the site's name (its tenant is node.tenant). */
  site?: string;
  siteType?: SiteType;
  /** endpoint: the system's name and own VLAN. */
  system?: string;
  vlan?: number;
  /** hypervisor: its type, and the `tenant/site` its bridge device is configured for. */
  hypervisorType?: HypervisorKind;
  serves?: string;
  /** vm and vxlan-gateway: the physical hypervisor it runs on / belongs to. */
  hypervisor?: string;
  /** vm: its state, the `tenant/site` it carries, the HA hypervisor whose pool it was built in. */
  vmState?: VmState;
  hostsSite?: string;
  pool?: string;
  /** vm: a traditional hypervisor's host stack (a namespace) rather than a QEMU guest. */
  hostStack?: boolean;
}
