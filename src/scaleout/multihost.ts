// One containerlab topology per host. Each host's file holds the nodes placed there and the links
// between them exactly as the single-host file has them; a link whose ends sit on two hosts
// becomes, on each side, containerlab's own `type: vxlan` link (a kernel VXLAN device towards the
// other host's address, moved into the node or added to its OVS bridge). The lab keeps its name
// on every host, so containers are `clab-<lab>-<node>` wherever they run.
import { stringify } from 'yaml';
import { DiagnosticBag } from '../errors/diagnostics.js';
import { FabricError } from '../errors/fabric-error.js';
import { renderClab, validateClab, type ClabEndpoint, type ClabLink } from '../topology/clab.js';
import type { ClabNode } from '../topology/kinds/index.js';
import { kindOf } from '../topology/kinds/index.js';
import { VXLAN_OVERHEAD } from '../topology/encoding.js';
import type { LabModel } from '../topology/model.js';
import { STITCH_DST_PORT, type HostSpec, type HostsFile } from './hosts.js';
import { listenerFor, OPENFLOW_PORT_BASE, PKI_CONTROLLER, tlsFiles, type SwitchReach } from './listener.js';
import type { Placement, StitchedLink } from './placement.js';

export interface VxlanLink {
  type: 'vxlan';
  endpoint: ClabEndpoint;
  remote: string;
  vni: number;
  'dst-port': number;
  mtu: number;
  labels: Record<string, string>;
}

export interface HostTopology {
  name: string;
  topology: { nodes: Record<string, ClabNode>; links?: (ClabLink | VxlanLink)[] };
}

export interface HostFile {
  host: HostSpec;
  topology: HostTopology;
}

/** Underlay MTU a stitched link needs: its own MTU plus outer IPv4, UDP, VXLAN and Ethernet. */
export const stitchedUnderlayMtu = (s: StitchedLink): number => s.link.mtu + VXLAN_OVERHEAD;

/** Refuses (located in the hosts file) an underlay MTU that cannot carry a stitched link. */
export function checkUnderlayMtu(hostsFile: HostsFile, placement: Placement): void {
  const bag = new DiagnosticBag();
  for (const h of hostsFile.hosts) {
    if (h.mtu === undefined) continue;
    const over = placement.stitched.filter((s) => s.hosts.includes(h.name) && stitchedUnderlayMtu(s) > h.mtu!);
    if (!over.length) continue;
    const worst = over.reduce((a, b) => (stitchedUnderlayMtu(b) > stitchedUnderlayMtu(a) ? b : a));
    bag.add(
      hostsFile.src.diag(
        'E_HOST_MTU',
        [...h.path, 'mtu'],
        `${over.length} stitched link(s) of host ${h.name} need an underlay MTU above ${h.mtu}: ${worst.link.id} needs ${stitchedUnderlayMtu(worst)} (${worst.link.mtu} + ${VXLAN_OVERHEAD} VXLAN)`,
        `raise the MTU between the hosts to at least ${stitchedUnderlayMtu(worst)} (and mtu: here)`,
      ),
    );
  }
  bag.throwIfAny('hosts');
}

export function renderHostTopologies(lab: LabModel, hostsFile: HostsFile, placement: Placement): HostFile[] {
  const full = renderClab(lab);
  const byName = new Map(lab.nodes.map((n) => [n.name, n]));
  const fabricOf = new Map(lab.nodes.map((n) => [kindOf(n.kind).clabName(n), n.name]));
  const hostOfClab = (clab: string) => placement.hostOf.get(fabricOf.get(clab) ?? '') ?? '';
  const stitchOf = new Map<string, StitchedLink>();
  for (const s of placement.stitched) {
    const e = s.link.endpoints[0];
    const n = byName.get(e.node);
    if (n) stitchOf.set(`${kindOf(n.kind).clabName(n)}:${e.ifname}`, s);
  }
  const address = new Map(hostsFile.hosts.map((h) => [h.name, h.address]));
  const out: HostFile[] = [];
  for (const host of hostsFile.hosts) {
    const nodes: Record<string, ClabNode> = {};
    for (const [clab, node] of Object.entries(full.topology.nodes))
      if (hostOfClab(clab) === host.name) nodes[clab] = node;
    if (!Object.keys(nodes).length) continue;
    const links: (ClabLink | VxlanLink)[] = [];
    for (const l of full.topology.links ?? []) {
      const sides = l.endpoints.map((e) => hostOfClab(e.node));
      if (sides[0] === host.name && sides[1] === host.name) {
        links.push(l);
        continue;
      }
      const mine = sides.indexOf(host.name);
      if (mine < 0) continue;
      const s = stitchOf.get(`${l.endpoints[0].node}:${l.endpoints[0].interface}`);
      if (!s)
        throw new Error(
          `multihost: link ${l.endpoints[0].node}:${l.endpoints[0].interface} crosses hosts but was not stitched`,
        );
      const peer = sides[1 - mine];
      const far = l.endpoints[1 - mine];
      links.push({
        type: 'vxlan',
        endpoint: l.endpoints[mine],
        remote: address.get(peer) ?? '',
        vni: s.vni,
        'dst-port': STITCH_DST_PORT,
        mtu: l.mtu,
        labels: { ...l.labels, 'fabric.peer': `${far.node}:${far.interface}`, 'fabric.peer-host': peer },
      });
    }
    const topology: HostTopology = { name: lab.name, topology: { nodes } };
    if (links.length) topology.topology.links = links;
    const problems = validateClab(topology);
    if (problems.length)
      throw new FabricError(
        'E_CLAB_INVALID',
        `generated topology of ${lab.name} for host ${host.name} violates the containerlab schema: ${problems.slice(0, 5).join('; ')}`,
        { hint: 'this is a generator bug: report it with the lab file and the hosts file' },
      );
    out.push({ host, topology });
  }
  return out;
}

export function hostClabYaml(lab: LabModel, f: HostFile, sourceLabel: string): string {
  const header =
    `# Generated by \`fabric generate --hosts\` from ${sourceLabel}: do not edit, edit the intent and regenerate.\n` +
    `# The share of lab ${lab.name} that host ${f.host.name} (${f.host.address}) runs; deploy it there with\n` +
    `# \`containerlab deploy -t\` after the bridges exist. Links to nodes on other hosts are containerlab\n` +
    `# vxlan links (UDP ${STITCH_DST_PORT}): the network between the hosts carries each one's MTU + ${VXLAN_OVERHEAD}.\n`;
  return header + stringify(f.topology, { lineWidth: 0, sortMapEntries: false, indent: 2 });
}

/** Where each OVS bridge listens for OpenFlow: hosts with a management address only (`pssl:`
 * with `tls`). */
export function switchReach(lab: LabModel, hostsFile: HostsFile, placement: Placement, tls = false): SwitchReach[] {
  const out: SwitchReach[] = [];
  for (const h of hostsFile.hosts) {
    if (h.mgmt === undefined) continue;
    const bridges = lab.nodes
      .filter((n) => n.kind === 'ovs-bridge' && placement.hostOf.get(n.name) === h.name)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    bridges.forEach((n, i) =>
      out.push({
        node: n.name,
        bridge: n.bridge ?? n.name,
        host: h.name,
        ...listenerFor(h.mgmt!, h.address, OPENFLOW_PORT_BASE + i, tls),
      }),
    );
  }
  return out;
}

/** The placement as a record: which host runs what, every stitched link with its VNI and MTUs,
 * where each switch is reached for programming, and with `tls` the PKI files of each host's SSL
 * table and of the controller (relative to the record's folder). */
export function placementRecord(lab: LabModel, hostsFile: HostsFile, placement: Placement, tls = false): object {
  const switches = switchReach(lab, hostsFile, placement, tls);
  return {
    lab: lab.name,
    dstPort: STITCH_DST_PORT,
    hosts: hostsFile.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      ...(h.capacity !== undefined ? { capacity: h.capacity } : {}),
      ...(h.mtu !== undefined ? { mtu: h.mtu } : {}),
      ...(h.mgmt !== undefined ? { mgmt: h.mgmt } : {}),
      ...(tls && h.mgmt !== undefined ? { ssl: tlsFiles(lab.name, h.name) } : {}),
      load: placement.load.get(h.name) ?? 0,
      nodes: placement.nodesOf.get(h.name) ?? [],
    })),
    stitched: placement.stitched.map((s) => ({
      link: s.link.id,
      class: s.link.class,
      vni: s.vni,
      mtu: s.link.mtu,
      underlayMtu: stitchedUnderlayMtu(s),
      ends: s.link.endpoints.map((e, i) => ({ host: s.hosts[i], node: e.node, ifname: e.ifname })),
    })),
    ...(switches.length ? { switches } : {}),
    ...(tls && switches.length ? { controller: tlsFiles(lab.name, PKI_CONTROLLER) } : {}),
  };
}
