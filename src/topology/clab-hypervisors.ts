// Hypervisor labs and containerlab. A generic_vm node would need the fabric guest image packaged
// the way containerlab's generic_vm (vrnetlab) nodes expect, which fabric does not build yet, so
// a containerlab file for such a lab would fail at deploy. `fabric generate` and `--runtime
// containerlab` refuse these labs (E_CLAB_HYPERVISORS); `--without-hypervisors` gives the
// deployable fabric part instead: every generic_vm node, every hypervisor bridge and VXLAN
// gateway, and every node whose only links are hypervisor links, with the links touching them.
import { FabricError } from '../errors/fabric-error.js';
import type { Diagnostic } from '../errors/diagnostics.js';
import type { LoadedIntent } from './load.js';
import type { DocPath } from './locate.js';
import type { FabricIntent, TenantIntent } from './intent.js';
import type { LabModel, NodeModel } from './model.js';

const HYPERVISOR_ROLES = new Set(['hypervisor', 'vxlan-gateway']);

/** generic_vm nodes: what containerlab cannot deploy from a fabric-generated file yet. */
export function vmNodes(model: LabModel): string[] {
  return model.nodes.filter((n) => n.kind === 'generic_vm').map((n) => n.name);
}

function isHypervisorPart(model: LabModel, n: NodeModel): boolean {
  if (n.kind === 'generic_vm' || HYPERVISOR_ROLES.has(n.role)) return true;
  const links = model.links.filter((l) => l.endpoints.some((e) => e.node === n.name));
  return links.length > 0 && links.every((l) => l.class === 'hypervisor');
}

/** The lab without its hypervisor part, and the names of the nodes left out (in model order). */
export function withoutHypervisors(model: LabModel): { model: LabModel; dropped: string[] } {
  if (!vmNodes(model).length && !model.nodes.some((n) => HYPERVISOR_ROLES.has(n.role))) return { model, dropped: [] };
  const drop = new Set(model.nodes.filter((n) => isHypervisorPart(model, n)).map((n) => n.name));
  const links = model.links.filter((l) => l.endpoints.every((e) => !drop.has(e.node)));
  // A kept node loses the interfaces of dropped links (those ports are never created).
  const gone = new Set(
    model.links.filter((l) => !links.includes(l)).flatMap((l) => l.endpoints.map((e) => `${e.node}\u0000${e.ifname}`)),
  );
  const nodes = model.nodes
    .filter((n) => !drop.has(n.name))
    .map((n) => {
      const kept = n.interfaces.filter((f) => !gone.has(`${n.name}\u0000${f.name}`));
      return kept.length === n.interfaces.length ? n : { ...n, interfaces: kept };
    });
  return { model: { ...model, nodes, links, intent: withoutHostedSites(model.intent) }, dropped: [...drop] };
}

/**
 * The intent of the fabric part: no hypervisors, and no site they host (those sites' systems are
 * customer VMs, so the part has nothing that attaches them). The tag plan and the intent-derived
 * verdicts (reach, delivery) then ask only for what the part can carry.
 */
function withoutHostedSites(intent: FabricIntent): FabricIntent {
  const hosted = new Set((intent.hypervisors ?? []).flatMap((h) => h.hosts ?? []));
  const tenants: Record<string, TenantIntent> = {};
  for (const [name, tenant] of Object.entries(intent.tenants))
    tenants[name] = { ...tenant, sites: tenant.sites.filter((s) => !hosted.has(`${name}/${s.name}`)) };
  const { hypervisors: _dropped, ...rest } = intent;
  return { ...rest, tenants };
}

/** withoutHypervisors() with the note `fabric generate --without-hypervisors` prints and writes. */
export function fabricPart(model: LabModel): { model: LabModel; dropped: string[]; note?: string } {
  const part = withoutHypervisors(model);
  if (!part.dropped.length) return part;
  return {
    ...part,
    note: `without hypervisors: ${part.dropped.length} nodes left out (${part.dropped.join(', ')})`,
  };
}

const HINT =
  'generate the deployable fabric part alone with fabric generate <lab> --without-hypervisors, or run the whole lab on the netns runtime (fabric up <lab>)';

function message(model: LabModel, vms: string[]): string {
  return `lab ${model.name} has generic_vm nodes (${vms.slice(0, 4).join(', ')}${vms.length > 4 ? ', ...' : ''}): containerlab cannot deploy them from a fabric-generated file (no packaged guest image)`;
}

/** Where a lab's VMs come from in its intent: the hypervisors section, or an extra node. */
function vmOrigin(loaded: LoadedIntent, vms: string[]): DocPath {
  const extra = (loaded.intent.extra_nodes ?? []).findIndex((n) => vms.includes(n.name));
  if (loaded.intent.hypervisors !== undefined) return ['hypervisors'];
  return extra >= 0 ? ['extra_nodes', extra, 'kind'] : [];
}

/** A located diagnostic for `fabric generate` on a hypervisor lab, or undefined. */
export function hypervisorDiagnostic(loaded: LoadedIntent, model: LabModel): Diagnostic | undefined {
  const vms = vmNodes(model);
  if (!vms.length) return undefined;
  return loaded.src.diag('E_CLAB_HYPERVISORS', vmOrigin(loaded, vms), message(model, vms), HINT, { key: true });
}

/** The runtime's refusal (no source map there: the lab file and the nodes are named). */
export function refuseHypervisors(model: LabModel): void {
  const vms = vmNodes(model);
  if (vms.length)
    throw new FabricError('E_CLAB_HYPERVISORS', `${model.source}: ${message(model, vms)}`, {
      hint: 'run the lab on the netns runtime (fabric up <lab>), or deploy the fabric part: fabric generate <lab> --without-hypervisors, then containerlab deploy',
    });
}
