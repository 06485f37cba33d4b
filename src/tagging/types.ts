// The tag plan: every tag value the fabric uses, derived from fabric.yml (declared or allocated).
// It is plain data, hashed into every capture manifest, so a verdict names the plan it judged by.
import type { PwPayloadKind } from '../decode/types.js';
import type { LinkClass } from '../topology/model.js';

/** One tenant site (client system 102 or cloud system 110): it owns the host tag (Tag1). */
export interface SitePlan {
  tenant: string;
  site: string;
  type: 'client' | 'cloud';
  /** The DC it is attached in now (a site failed over to an HA hypervisor of another DC is there). */
  dc: string;
  /** Tag1, the S-VID (802.1ad) identifying this host system on the fabric. */
  hostTag: number;
  /** Own VLANs in use at this site. */
  vlans: number[];
  /** The site's access switch node and its uplink port on the DC switch. */
  accessSwitch: string;
  dcPort: string;
}

/** A tenant L2 domain = (tenant, own VLAN). Learning, flooding and Tag2 are per domain. */
export interface DomainPlan {
  /** Small integer carried in reg0 on the DC switches. */
  id: number;
  tenant: string;
  ownVlan: number;
  /** Tag2, the C-VID (802.1Q) identifying the customer service on the fabric. */
  customerTag: number;
  /** Sites with systems in this VLAN. */
  sites: string[];
}

/** A datacenter: Tag3 is its DC/VPLS label (the pseudowire service label for frames to it). */
export interface DcPlan {
  name: string;
  dcTag: number;
  /** Gateway ports on the DC switch, one per reachable remote DC. */
  gateways: GatewayPlan[];
}

export interface GatewayPlan {
  remoteDc: string;
  /** interconnect (dedicated line) or pe (long haul). */
  via: 'interconnect' | 'pe';
  /** The gateway node (ic or pe) and the ports at both ends of the dc-fabric link. */
  node: string;
  dcSwitchPort: string;
  gatewayPort: string;
}

/** One direction of a long-haul path: a label-switched path from one PE to another. */
export interface LspPlan {
  from: string; // dc
  to: string; // dc
  /** Hops in path order: each link crossed, the label on it and the TTL it carries. */
  hops: LspHop[];
}

export interface LspHop {
  linkId: string;
  class: LinkClass;
  /** Sending node and its interface; receiving node and its interface. */
  from: { node: string; ifname: string };
  to: { node: string; ifname: string };
  /** Tag4 on this link. */
  label: number;
  ttl: number;
}

export interface MtuBudget {
  class: LinkClass;
  /** Headers beyond the outer Ethernet header, outer to inner, with sizes. */
  headers: { name: string; bytes: number }[];
  /** Link MTU needed so a full client IP packet (tenant MTU) crosses. */
  mtu: number;
}

export interface TagPlan {
  lab: string;
  /** Client IP MTU every path must carry. */
  tenantMtu: number;
  sites: SitePlan[];
  domains: DomainPlan[];
  dcs: DcPlan[];
  lsps: LspPlan[];
  /** Interconnect (dedicated line) pseudowires: the label is the destination DC's Tag3. */
  provider?: { vni: number; dstport: number; local: string; remote: string };
  /** What follows each bottom-of-stack label: for `--decode-as` and `tshark -d mpls.label==N,pwethnocw`. */
  decodeHints: Record<string, PwPayloadKind>;
  mtu: MtuBudget[];
  /** Initial MPLS TTL set by the ingress PE (and carried unchanged by the pseudowire label). */
  mplsTtl: number;
  /** Meter rate (packets/s) of the flood storm guard on each DC switch. */
  floodMeterPps: number;
}
