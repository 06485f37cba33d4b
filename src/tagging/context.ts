// Shared lookups over a LabModel for the tag modules: who is linked to whom, through which port.
import type { DiagnosticBag } from '../errors/diagnostics.js';
import type { FabricIntent } from '../topology/intent.js';
import type { LabModel, LinkModel, NodeModel } from '../topology/model.js';
import type { TagPlan } from './types.js';

export interface PortRef {
  link: LinkModel;
  /** This node's interface (for OVS nodes: the root-namespace port name). */
  ifname: string;
  peer: string;
  peerIf: string;
}

export class LabIndex {
  readonly nodes = new Map<string, NodeModel>();
  private readonly ports = new Map<string, PortRef[]>();

  constructor(readonly lab: LabModel) {
    for (const n of lab.nodes) {
      this.nodes.set(n.name, n);
      this.ports.set(n.name, []);
    }
    for (const l of lab.links) {
      const [a, b] = l.endpoints;
      this.ports.get(a.node)?.push({ link: l, ifname: a.ifname, peer: b.node, peerIf: b.ifname });
      this.ports.get(b.node)?.push({ link: l, ifname: b.ifname, peer: a.node, peerIf: a.ifname });
    }
  }

  node(name: string): NodeModel {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`tagging: no node ${name} in lab ${this.lab.name}`);
    return n;
  }

  portsOf(node: string): PortRef[] {
    return this.ports.get(node) ?? [];
  }

  byRole(role: NodeModel['role']): NodeModel[] {
    return this.lab.nodes.filter((n) => n.role === role);
  }

  /**
   * OpenFlow port number of an OVS port, as a placeholder (`{{ofport:NAME}}`): OVS assigns the
   * numbers, so renders stay a pure function of the model (golden files) and `fabric program`
   * substitutes the live numbers just before it pushes the bundle.
   */
  ofport(node: string, ifname: string): string {
    if (!this.node(node).interfaces.some((f) => f.name === ifname))
      throw new Error(`tagging: node ${node} has no interface ${ifname}`);
    return `{{ofport:${ifname}}}`;
  }
}

export interface PlanContext {
  lab: LabModel;
  intent: FabricIntent;
  index: LabIndex;
  plan: TagPlan;
  bag: DiagnosticBag;
  /** `tenant/site` → the node where a module attaches the site instead of an access switch. */
  attachments: Map<string, string>;
}
