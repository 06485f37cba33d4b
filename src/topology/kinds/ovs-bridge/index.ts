// `ovs-bridge`: an Open vSwitch bridge in the root namespace (userspace datapath in our runtime).
// Containerlab looks for a pre-existing bridge named like the node, so the clab node name is the
// root-namespace bridge name (≤ 15 chars), and the fabric node name rides in `fabric.node`.
import type { ErrorCode } from '../../../errors/codes/index.js';
import {
  BaseKind,
  parsePortRef,
  sortedLabels,
  type AttributeSpec,
  type ClabNode,
  type InterfaceRef,
} from '../base/index.js';
import type { NodeKind, NodeModel, NodeRole } from '../../model.js';
import { IFNAMSIZ, portName, SAFE_IFNAME } from '../../../names/index.js';

export function checkBridgeName(value: unknown): [ErrorCode, string, string] | undefined {
  const v = String(value);
  if (!SAFE_IFNAME.test(v))
    return ['E_BAD_NAME', `bridge name '${v}' is not allowed`, 'bridge names match [a-zA-Z][a-zA-Z0-9_-]*'];
  if (v.length > IFNAMSIZ) {
    return [
      'E_NAME_TOO_LONG',
      `bridge name '${v}' has ${v.length} characters, Linux allows ${IFNAMSIZ}`,
      'a netdev bridge creates a tap named after itself: use at most 15 characters, or drop `bridge:` to get a derived name',
    ];
  }
  return undefined;
}

export class OvsBridgeKind extends BaseKind {
  readonly name: NodeKind = 'ovs-bridge';
  override readonly defaultRole: NodeRole = 'access-switch';
  override readonly bridgePorts = true;
  override readonly description: string = 'Open vSwitch bridge (root namespace)';
  override readonly attributes: Record<string, AttributeSpec> = {
    bridge: {
      type: 'string',
      description: 'root-namespace bridge name (≤ 15 chars); derived from lab and node names when absent',
      check: checkBridgeName,
    },
  };

  override interfaceName(lab: string, node: string, index: number): string {
    return portName(lab, node, index);
  }

  override parseInterface(ref: string): InterfaceRef {
    return parsePortRef(this.name, ref);
  }

  override clabName(node: NodeModel): string {
    return node.bridge ?? node.name;
  }

  override render(node: NodeModel): ClabNode {
    return { kind: this.name, labels: sortedLabels({ ...node.labels, 'fabric.node': node.name }) };
  }
}
