// The intent as written in labs/<lab>/fabric.yml (after schema validation). Optional sections
// are optional here too; resolve.ts turns this into the LabModel.
import type { ImpairIntent } from './impair-spec.js';

export interface SystemIntent {
  name: string;
  /** The system's own VLAN (it sends frames tagged with it). */
  vlan: number;
  /** IPv4 address with prefix, e.g. 10.20.30.10/24. */
  ip: string;
  mac?: string;
}

export interface SiteIntent {
  name: string;
  /** client: a tenant rack (seed 102); cloud: systems extending the tenant LAN (seed 110). */
  type: 'client' | 'cloud';
  dc: string;
  /** Tag1, when declared; otherwise the tag plan allocates it. */
  host_tag?: number;
  systems: SystemIntent[];
}

export interface TenantIntent {
  description?: string;
  /** Tag2 per own VLAN, keys are the own VLAN IDs as strings (YAML map keys). */
  customer_tags?: Record<string, number>;
  sites: SiteIntent[];
}

export interface DatacenterIntent {
  /** Tag3 (DC/VPLS tag), when declared. */
  dc_tag?: number;
  description?: string;
}

export interface LongHaulIntent {
  p_routers: string[];
  provider_segment: { subnet: string; vni?: number; impair?: ImpairIntent };
  /** A path's impairment applies to its outbound PE's uplink to the first P router. */
  paths: { between: [string, string]; impair?: ImpairIntent }[];
}

export interface HypervisorIntent {
  name: string;
  dc: string;
  /** customer: hosts tenant sites (`hosts`); ha: holds an inactive pool (`pool`). See hypervisors.ts. */
  type?: 'customer' | 'ha';
  /** `tenant/site` keys whose systems run as customer VMs on this hypervisor. */
  hosts?: string[];
  /** Number of inactive (paused) virtual hypervisors. */
  pool?: number;
  /** customer only: full (default, FIG. 3-4) or partial (FIG. 1-2). */
  virtualization?: 'full' | 'partial';
  /** ha only: the customer hypervisor its pool mirrors (default: the one customer hypervisor of its DC). */
  mirrors?: string;
  [attr: string]: unknown;
}

export interface ExtraNodeIntent {
  name: string;
  kind: string;
  role?: string;
  dc?: string;
  tenant?: string;
  labels?: Record<string, string>;
  /** Kind-specific attributes (validated by the kind). */
  [attr: string]: unknown;
}

export interface ExtraLinkIntent {
  /** `node:interface` */
  a: string;
  b: string;
  class?: string;
  mtu?: number;
}

export interface FabricIntent {
  name: string;
  description?: string;
  mtu?: number;
  /** A datacenter with no attributes may be written `dc1: {}` or `dc1:` (null). */
  datacenters: Record<string, DatacenterIntent | null>;
  interconnects?: { between: [string, string]; impair?: ImpairIntent }[];
  long_haul?: LongHaulIntent;
  tenants: Record<string, TenantIntent>;
  hypervisors?: HypervisorIntent[];
  extra_nodes?: ExtraNodeIntent[];
  extra_links?: ExtraLinkIntent[];
  /** Impairment of any link by its id (`<node>:<if>--<node>:<if>`). */
  impair_links?: { link: string; impair: ImpairIntent }[];
}
