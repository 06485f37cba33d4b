// The lab as a clabernetes Topology (API group c9s.run, clabernetes 0.8 or later): the containerlab
// definition embedded as text, rewritten into what clabernetes runs. clabernetes has no launcher
// for the pseudo-node kinds (bridge, ovs-bridge, host), so every OVS switch and router becomes a
// `linux` node of the fabric OVS image that starts its own ovsdb-server and ovs-vswitchd and builds
// the bridge with the options fabric uses on a host; links take the brief `endpoints` form.
import { stringify } from 'yaml';
import { DiagnosticBag } from '../errors/diagnostics.js';
import type { LoadedIntent } from '../topology/load.js';
import type { DocPath } from '../topology/locate.js';
import { kindOf, type ClabNode } from '../topology/kinds/index.js';
import type { LabModel, NodeModel } from '../topology/model.js';
import { fabricImage } from '../topology/kinds/linux/images.js';

/**
 * The image every switch and router runs in a pod: OVS userspace from Debian's openvswitch
 * packages, iproute2 and ethtool on busybox, built by `fabric images build`; the cluster must be
 * able to pull it under this name (push it to the cluster's registry).
 */
export const OVS_IMAGE = fabricImage('ovs');
export const C9S_API_VERSION = 'c9s.run/v1alpha1';
const OPENFLOW = 'OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15';
/** Guest images packaged the way clabernetes runs a generic_vm (vrnetlab style); none yet. */
export const C9S_PACKAGED_GUEST_IMAGES: ReadonlySet<string> = new Set<string>();

export interface C9sNode extends ClabNode {
  'network-mode'?: string;
}

export interface C9sDefinition {
  name: string;
  topology: { nodes: Record<string, C9sNode>; links?: { endpoints: [string, string]; mtu: number }[] };
}

export interface C9sTopology {
  apiVersion: typeof C9S_API_VERSION;
  kind: 'Topology';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    naming: 'prefixed';
    connectivity: 'vxlan';
    expose: { disableExpose: true };
    definition: { containerlab: string };
  };
}

/** Where a node comes from in fabric.yml, for located refusals. */
function nodePath(loaded: LoadedIntent, n: NodeModel): DocPath {
  const hv = n.facts?.hypervisor ?? (n.role === 'hypervisor' ? n.name : undefined);
  const hvIndex = hv !== undefined ? (loaded.intent.hypervisors ?? []).findIndex((h) => h.name === hv) : -1;
  if (hvIndex >= 0) return ['hypervisors', hvIndex];
  const extra = (loaded.intent.extra_nodes ?? []).findIndex((e) => e.name === n.name);
  return extra >= 0 ? ['extra_nodes', extra] : [];
}

/** Refusals before anything is rendered: guests whose image is not packaged, host-kind nodes. */
export function checkClabernetes(lab: LabModel, loaded: LoadedIntent): void {
  const bag = new DiagnosticBag();
  const seen = new Set<string>();
  for (const n of lab.nodes) {
    if (n.kind === 'generic_vm' && !n.facts?.hostStack) {
      const image = String(n.attributes?.image ?? '(none)');
      if (C9S_PACKAGED_GUEST_IMAGES.has(image)) continue;
      const path = nodePath(loaded, n);
      const key = path.join('.');
      if (seen.has(key)) continue;
      seen.add(key);
      const guests = lab.nodes.filter((m) => m.kind === 'generic_vm' && nodePath(loaded, m).join('.') === key);
      bag.add(
        loaded.src.diag(
          'E_C9S_GUEST_IMAGE',
          path,
          `${guests.map((g) => g.name).join(', ')}: QEMU guest(s) of image ${image}, which is not packaged for clabernetes (a vrnetlab-style generic_vm image)`,
          'run this lab with containerlab on hosts (fabric generate --hosts) or with fabric up; clabernetes takes labs without hypervisors',
        ),
      );
    } else if (n.kind === 'host') {
      bag.add(
        loaded.src.diag(
          'E_UNSUPPORTED_KIND',
          nodePath(loaded, n),
          `node ${n.name} is of kind host (the machine's own namespace), which clabernetes refuses`,
          'drop the node for clabernetes, or run the lab with containerlab on hosts',
        ),
      );
    }
  }
  bag.throwIfAny('clabernetes');
}

/** The exec lines that turn a fabric OVS image container into the node's switch. */
export function ovsExec(lab: LabModel, n: NodeModel): string[] {
  const br = n.bridge ?? n.name;
  const lines = [
    'mkdir -p /var/run/openvswitch /etc/openvswitch',
    'ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema',
    'ovsdb-server --remote=punix:/var/run/openvswitch/db.sock --pidfile --detach /etc/openvswitch/conf.db',
    'ovs-vsctl --no-wait init',
    'ovs-vsctl --no-wait set Open_vSwitch . other_config:vlan-limit=2',
    'ovs-vswitchd --pidfile --detach',
    `ovs-vsctl --may-exist add-br ${br} -- set Bridge ${br} datapath_type=netdev fail_mode=secure protocols=${OPENFLOW} external_ids:fabric-lab=${lab.name} external_ids:fabric-node=${n.name}`,
  ];
  for (const f of n.interfaces) {
    let vlan = '';
    if (f.accessVlan !== undefined) vlan = ` -- set Port ${f.name} tag=${f.accessVlan} vlan_mode=access`;
    else if (f.trunks) vlan = ` -- set Port ${f.name} vlan_mode=trunk trunks=${f.trunks.join(',')}`;
    lines.push(`ethtool -K ${f.name} tx off`, `ovs-vsctl --may-exist add-port ${br} ${f.name}${vlan}`);
  }
  // Tenant access switches are plain learning switches; every other bridge waits for its tags.
  if (n.role === 'access-switch') lines.push(`ovs-ofctl add-flow ${br} priority=0,actions=NORMAL`);
  return lines;
}

/** A Linux bridge node (kind bridge) as a linux node that builds the bridge itself. */
function linuxBridgeExec(n: NodeModel): string[] {
  const br = n.bridge ?? n.name;
  return [
    `ip link add ${br} type bridge`,
    `ip link set ${br} up`,
    ...n.interfaces.map((f) => `ip link set ${f.name} master ${br}`),
  ];
}

function c9sNode(lab: LabModel, n: NodeModel): C9sNode {
  const rendered = kindOf(n.kind).render(n);
  const labels = { ...rendered.labels, 'fabric.node': n.name };
  if (n.kind === 'ovs-bridge') return { kind: 'linux', image: OVS_IMAGE, labels, exec: ovsExec(lab, n) };
  if (n.kind === 'bridge') return { kind: 'linux', image: OVS_IMAGE, labels, exec: linuxBridgeExec(n) };
  // clabernetes accepts no network-mode but container:<node>: a pod has its own network anyway.
  const out: C9sNode = { ...rendered, labels };
  // Routers that build kernel VXLAN devices need iproute2: busybox's ip drops `dstport` silently.
  if (n.netdevs?.length && n.attributes?.image === undefined) out.image = OVS_IMAGE;
  delete out['network-mode'];
  return out;
}

/** The containerlab definition clabernetes receives: fabric node names, linux nodes, brief links. */
export function renderC9sDefinition(lab: LabModel): C9sDefinition {
  const nodes: Record<string, C9sNode> = {};
  for (const n of [...lab.nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
    nodes[n.name] = c9sNode(lab, n);
  const links = [...lab.links]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((l) => ({
      endpoints: l.endpoints.map((e) => `${e.node}:${e.ifname}`) as [string, string],
      mtu: l.mtu,
    }));
  const def: C9sDefinition = { name: lab.name, topology: { nodes } };
  if (links.length) def.topology.links = links;
  return def;
}

export function renderC9sTopology(lab: LabModel): C9sTopology {
  const definition = stringify(renderC9sDefinition(lab), { lineWidth: 0, sortMapEntries: false, indent: 2 });
  return {
    apiVersion: C9S_API_VERSION,
    kind: 'Topology',
    metadata: { name: lab.name, namespace: `c9s-${lab.name}`, labels: { 'app.kubernetes.io/part-of': 'fabric' } },
    spec: {
      naming: 'prefixed',
      connectivity: 'vxlan',
      // No LoadBalancer in front of lab nodes: a reachable switch is a way around the isolation.
      expose: { disableExpose: true },
      definition: { containerlab: definition },
    },
  };
}
