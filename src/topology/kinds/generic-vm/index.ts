// `generic_vm`: a QEMU guest (containerlab runs it in a vrnetlab-style container; the failover
// issue runs it under QEMU directly). Needs an image.
import { BaseKind, sortedLabels, type AttributeSpec, type ClabNode } from '../base/index.js';
import type { NodeModel, NodeRole } from '../../model.js';

export class GenericVmKind extends BaseKind {
  readonly name = 'generic_vm' as const;
  override readonly defaultRole: NodeRole = 'vm';
  override readonly description = 'virtual machine';
  override readonly attributes: Record<string, AttributeSpec> = {
    image: {
      type: 'string',
      required: true,
      description: 'VM image (containerlab: a vrnetlab-style generic_vm image)',
    },
  };

  override render(node: NodeModel): ClabNode {
    return {
      kind: this.name,
      image: String(node.attributes?.image ?? ''),
      'network-mode': 'none',
      labels: sortedLabels(node.labels),
    };
  }
}
