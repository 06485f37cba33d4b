// `bridge`: a plain Linux bridge in the root namespace. Same naming rules as ovs-bridge.
import type { NodeKind } from '../../model.js';
import { OvsBridgeKind } from '../ovs-bridge/index.js';

export class BridgeKind extends OvsBridgeKind {
  override readonly name: NodeKind = 'bridge';
  override readonly description = 'Linux bridge (root namespace)';
}
