// The resolved lab: what `fabric.yml` becomes after load → validate → resolve. It is the one
// model every later stage reads: the containerlab generator, the runtimes, the tag planner and
// the conformance suites. Keep it plain data (JSON-serialisable) so it can live in a state file.
import type { NodeFacts } from './node-facts.js';
import type { FabricIntent } from './intent.js';
import type { ImpairSpec } from './impair-spec.js';

/** Canonical containerlab kinds (the schema rejects short aliases). */
export type NodeKind = 'linux' | 'ovs-bridge' | 'bridge' | 'generic_vm' | 'host';

/**
 * What a node is in fabric terms (seed 001 numbering in brackets):
 * - endpoint: a tenant system (client system 102 host, or cloud system 110), a netns;
 * - access-switch: the tenant-owned LAN switch of one site (client rack or cloud host vSwitch), OVS;
 * - dc-switch: the datacenter switch 116/212 with the tag map 118, OVS;
 * - interconnect: DC interconnect switch 124/220/222 on a dedicated line, OVS;
 * - pe / p: long-haul MPLS routers 300/302/304 (push/pop, swap), OVS;
 * - provider: a router namespace on the provider L3 segment (outer IPv4 added/removed here);
 * - hypervisor / vm: first-level hypervisors and QEMU guests (docs/failover.md);
 * - vxlan-gateway: a hypervisor's bridge device (seed 000 FIG. 1): VXLAN on a dot1q VLAN in on
 *   one side, the tenant's own VLAN out on the other.
 */
export type NodeRole =
  | 'endpoint'
  | 'access-switch'
  | 'dc-switch'
  | 'interconnect'
  | 'pe'
  | 'p'
  | 'provider'
  | 'hypervisor'
  | 'vxlan-gateway'
  | 'vm';

/** Link classes, as `fabric status --json` reports them. */
export type LinkClass =
  | 'client-access' // endpoint ↔ its tenant access switch (untagged or own VLAN)
  | 'tenant-lan' // tenant access switch ↔ DC switch (trunk of the tenant's own VLANs)
  | 'dc-fabric' // DC switch ↔ interconnect switch or PE router (fabric tags)
  | 'dc-interconnect' // interconnect switch ↔ interconnect switch (dedicated line, DC tag)
  | 'long-haul' // PE/P router ↔ P/provider router (MPLS)
  | 'provider' // provider router ↔ provider router (outer IPv4)
  | 'hypervisor'; // hypervisor uplinks (via the bridge device), VTEP transport, VM taps

export interface InterfaceModel {
  /** Name inside the node (netns) or, for OVS/bridge nodes, the port name in the root namespace. */
  name: string;
  mac?: string;
  /** CIDR addresses configured inside the node's namespace only (never in the root namespace). */
  addresses: string[];
  mtu?: number;
  /** OVS access port: the port's VLAN (tenant access switches put endpoints in their own VLANs). */
  accessVlan?: number;
  /** OVS trunk port: allowed VLANs; absent means all. */
  trunks?: number[];
}

/** Extra kernel devices a linux node builds inside its namespace (provider routers). */
export type NetdevModel =
  | {
      type: 'vxlan';
      name: string;
      vni: number;
      local: string;
      remote: string;
      dstport: number;
      dev: string;
      mtu?: number;
    }
  | { type: 'bridge'; name: string; ports: string[]; mtu?: number };

export interface NodeModel {
  name: string;
  kind: NodeKind;
  role: NodeRole;
  dc: string | null;
  tenant: string | null;
  /** OVS bridge name for ovs-bridge nodes (≤ 15 chars, abbreviated when long: a netdev bridge makes a tap of its name). */
  bridge?: string;
  interfaces: InterfaceModel[];
  netdevs?: NetdevModel[];
  /** Static routes inside the namespace, e.g. { dst: '192.0.2.0/24', via: '198.51.100.1' }. */
  routes?: { dst: string; via: string }[];
  /** Typed fabric facts (site, own VLAN, hypervisor placement); read these, not the labels. */
  facts?: NodeFacts;
  /** Labels copied into the containerlab topology; the `fabric.*` ones render `facts` (facts.ts). */
  labels: Record<string, string>;
  /** Kind-specific attributes of an `extra_nodes` entry (e.g. generic_vm `image`), validated by the kind. */
  attributes?: Record<string, string | number | boolean>;
}

export interface EndpointModel {
  node: string;
  /** Interface name in the node (see InterfaceModel.name). */
  ifname: string;
}

export interface LinkModel {
  /** Stable id, e.g. `dc1-sw:p3--dc1-ic:p1`. */
  id: string;
  class: LinkClass;
  endpoints: [EndpointModel, EndpointModel];
  mtu: number;
  /**
   * dc-fabric links between a DC switch and a gateway (interconnect switch or PE) exist once per
   * remote DC reached through that gateway: the DC switch learns which DC a MAC sits behind from
   * the port, as a VPLS forwarder does per pseudowire.
   */
  remoteDc?: string;
  /** Declared impairment (both directions); see docs/impairment.md. */
  impair?: ImpairSpec;
}

export interface LabModel {
  /** Lab name: [a-z][a-z0-9-]*, ≤ 20 chars; validated before it reaches any command. */
  name: string;
  /** Absolute path of the fabric.yml this came from (or '<scale>' for generated labs). */
  source: string;
  nodes: NodeModel[];
  links: LinkModel[];
  /** The intent itself (tenants, tag plan inputs, long haul, hypervisors), kept for later stages. */
  intent: FabricIntent;
}
