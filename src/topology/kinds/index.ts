// The kind registry: keyed by the YAML `kind:`; each kind lives in its own folder over the base.
import type { BaseKind } from './base/index.js';
import { BridgeKind } from './bridge/index.js';
import { GenericVmKind } from './generic-vm/index.js';
import { HostKind } from './host/index.js';
import { LinuxKind } from './linux/index.js';
import { OvsBridgeKind } from './ovs-bridge/index.js';

export type { BaseKind, ClabNode, InterfaceRef, KindContext, AttributeSpec } from './base/index.js';

const registry = new Map<string, BaseKind>();

export function registerKind(kind: BaseKind): void {
  registry.set(kind.name, kind);
}

for (const k of [new LinuxKind(), new OvsBridgeKind(), new BridgeKind(), new GenericVmKind(), new HostKind()])
  registerKind(k);

export function getKind(name: string): BaseKind | undefined {
  return registry.get(name);
}

/** Like getKind, for kinds already validated (model data). */
export function kindOf(name: string): BaseKind {
  const k = registry.get(name);
  if (!k) throw new Error(`unknown kind ${name}`);
  return k;
}

export function kindNames(): string[] {
  return [...registry.keys()].sort();
}
