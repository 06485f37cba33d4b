// The lab under construction: nodes, interfaces in allocation order, and links. resolve.ts and
// the section resolvers (hypervisors.ts) add to it; model() freezes it into a LabModel.
import { factLabels, type NodeFacts } from './facts.js';
import type { FabricIntent } from './intent.js';
import type { DocPath } from './locate.js';
import type { InterfaceModel, LabModel, LinkClass, NodeKind, NodeModel, NodeRole } from './model.js';
import { kindOf } from './kinds/index.js';
import { MAX_PORT_INDEX, RootNames } from '../names/index.js';

export interface Port {
  iface: InterfaceModel;
  /** Short label used in link ids: `p3` on bridges, the ifname elsewhere. */
  label: string;
}

/** Builds nodes and links; allocates interfaces in call order. */
export class LabBuilder {
  readonly nodes = new Map<string, NodeModel>();
  readonly links: LabModel['links'] = [];
  private readonly next = new Map<string, number>();
  /** Where each node comes from in the intent (for diagnostics). */
  readonly origin = new Map<string, DocPath>();
  /** Bridge and port names in the root namespace, allocated in call order (unique in the lab). */
  private readonly rootNames: RootNames;

  constructor(readonly lab: string) {
    this.rootNames = new RootNames(lab);
  }

  addNode(
    name: string,
    kind: NodeKind,
    role: NodeRole,
    opts: {
      dc?: string | null;
      tenant?: string | null;
      labels?: Record<string, string>;
      facts?: NodeFacts;
      origin?: DocPath;
      bridge?: string;
    } = {},
  ): NodeModel {
    const dc = opts.dc ?? null;
    const tenant = opts.tenant ?? null;
    const labels: Record<string, string> = {
      'fabric.role': role,
      ...(opts.labels ?? {}),
      ...(opts.facts ? factLabels(opts.facts) : {}),
    };
    if (dc) labels['fabric.dc'] = dc;
    if (tenant) labels['fabric.tenant'] = tenant;
    const node: NodeModel = { name, kind, role, dc, tenant, interfaces: [], labels };
    if (opts.facts) node.facts = { ...opts.facts };
    if (kindOf(kind).bridgePorts) {
      if (opts.bridge) this.rootNames.reserve(opts.bridge);
      node.bridge = opts.bridge ?? this.rootNames.bridge(name);
    }
    this.nodes.set(name, node);
    this.next.set(name, 1);
    if (opts.origin) this.origin.set(name, opts.origin);
    return node;
  }

  node(name: string): NodeModel {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`resolve: no node ${name}`);
    return n;
  }

  /** Allocates the node's next interface (eth<N> in namespaces, port <N> on bridges). */
  port(nodeName: string, extra: Partial<InterfaceModel> = {}): Port {
    const node = this.node(nodeName);
    const index = this.next.get(nodeName) ?? 1;
    this.next.set(nodeName, index + 1);
    const kind = kindOf(node.kind);
    const iface: InterfaceModel = { name: this.ifName(nodeName, index), addresses: [], ...extra };
    node.interfaces.push(iface);
    return { iface, label: kind.bridgePorts ? `p${index}` : iface.name };
  }

  /** Name of interface `index` of a node: a root-namespace port name on bridge kinds. */
  ifName(nodeName: string, index: number): string {
    const kind = kindOf(this.node(nodeName).kind);
    if (!kind.bridgePorts) return kind.interfaceName(this.lab, nodeName, index);
    if (!Number.isInteger(index) || index < 1 || index > MAX_PORT_INDEX)
      throw new RangeError(`port index ${index} outside 1..${MAX_PORT_INDEX}`);
    return this.rootNames.port(nodeName, index);
  }

  /** Highest interface index allocated so far (bridges) — explicit ports must be above it. */
  allocated(nodeName: string): number {
    return (this.next.get(nodeName) ?? 1) - 1;
  }

  connect(cls: LinkClass, a: Port & { node: string }, b: Port & { node: string }, mtu: number): void {
    a.iface.mtu = mtu;
    b.iface.mtu = mtu;
    this.links.push({
      id: `${a.node}:${a.label}--${b.node}:${b.label}`,
      class: cls,
      endpoints: [
        { node: a.node, ifname: a.iface.name },
        { node: b.node, ifname: b.iface.name },
      ],
      mtu,
    });
  }

  /** Allocates one interface on each side and links them. */
  link(
    cls: LinkClass,
    a: string,
    b: string,
    mtu: number,
    aIf: Partial<InterfaceModel> = {},
    bIf: Partial<InterfaceModel> = {},
  ): [InterfaceModel, InterfaceModel] {
    const pa = { ...this.port(a, aIf), node: a };
    const pb = { ...this.port(b, bIf), node: b };
    this.connect(cls, pa, pb, mtu);
    return [pa.iface, pb.iface];
  }

  model(source: string, intent: FabricIntent): LabModel {
    return { name: this.lab, source, nodes: [...this.nodes.values()], links: this.links, intent };
  }
}
