// Typed fabric facts of a node: which site it belongs to, a system's own VLAN, where a virtual
// hypervisor runs and in which state. Later stages read these fields; the `fabric.*` labels are
// only their rendering for containerlab, written here and nowhere else.
import type { FabricIntent, SiteIntent, TenantIntent } from './intent.js';
import type { NodeModel } from './model.js';
import type { NodeFacts } from './node-facts.js';

export type { HypervisorKind, NodeFacts, SiteType, VmState } from './node-facts.js';

// Label order follows the order the builder has always written them in (golden files).
const LABEL: Record<keyof NodeFacts, string> = {
  hypervisorType: 'fabric.hypervisor-type',
  serves: 'fabric.serves',
  site: 'fabric.site',
  siteType: 'fabric.site-type',
  system: 'fabric.system',
  vlan: 'fabric.vlan',
  vmState: 'fabric.vm-state',
  pool: 'fabric.pool',
  hostsSite: 'fabric.hosts-site',
  hostStack: 'fabric.vm-kind',
  hypervisor: 'fabric.hypervisor',
};

function labelValue(k: keyof NodeFacts, v: NonNullable<NodeFacts[keyof NodeFacts]>): string {
  if (k === 'hostStack') return 'host';
  return String(v);
}

/** The containerlab labels of a set of facts. */
export function factLabels(facts: NodeFacts): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(LABEL) as (keyof NodeFacts)[]) {
    const v = facts[k];
    if (v !== undefined && v !== false) out[LABEL[k]] = labelValue(k, v);
  }
  return out;
}

/** Sets (undefined: removes) facts of a node, keeping its labels in step. */
export function setFacts(node: NodeModel, patch: NodeFacts): void {
  const facts: NodeFacts = { ...(node.facts ?? {}) };
  for (const k of Object.keys(patch) as (keyof NodeFacts)[]) {
    const v = patch[k];
    if (v === undefined || v === false) {
      delete facts[k];
      delete node.labels[LABEL[k]];
    } else {
      (facts as Record<string, unknown>)[k] = v;
      node.labels[LABEL[k]] = labelValue(k, v);
    }
  }
  node.facts = facts;
}

/** Sets a node's tenant, keeping its `fabric.tenant` label in step. */
export function setTenant(node: NodeModel, tenant: string | null): void {
  node.tenant = tenant;
  if (tenant) node.labels['fabric.tenant'] = tenant;
  else delete node.labels['fabric.tenant'];
}

/** A tenant by its user-given name (own properties only: `toString` is no tenant). */
export function tenantOf(intent: FabricIntent, name: string): TenantIntent | undefined {
  return Object.hasOwn(intent.tenants, name) ? intent.tenants[name] : undefined;
}

/** A site by its `tenant/site` key. */
export function siteOf(intent: FabricIntent, key: string): SiteIntent | undefined {
  const slash = key.indexOf('/');
  if (slash < 0) return undefined;
  return tenantOf(intent, key.slice(0, slash))?.sites.find((s) => s.name === key.slice(slash + 1));
}
