// `host`: the machine itself; its interfaces live in the root namespace, so link endpoints must
// name them explicitly (≤ 15 chars).
import { BaseKind } from '../base/index.js';
import type { NodeRole } from '../../model.js';

export class HostKind extends BaseKind {
  readonly name = 'host' as const;
  override readonly defaultRole: NodeRole = 'hypervisor';
  override readonly description = 'the host (root namespace)';

  override interfaceName(_lab: string, node: string, index: number): string {
    // Hosts only get interfaces named in extra_links; the resolver never allocates one.
    throw new Error(`host node ${node}: interface ${index} must be named explicitly`);
  }
}
