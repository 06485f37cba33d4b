// Pure view of a lab model's hypervisors (src/topology/hypervisors.ts) and the model edits a
// failover makes: which hypervisor holds a site, which hypervisor each virtual hypervisor runs on.
// The deployed model (state file) stays the one truth: after a failover `computePlan(model)`
// attaches the site at its new hypervisor, and `fabric status --json` links each VM to its host.
import { FabricError } from '../errors/fabric-error.js';
import { kindOf } from '../topology/kinds/index.js';
import { setFacts, setTenant, siteOf, type VmState } from '../topology/facts.js';
import type { LabModel, LinkModel, NodeModel } from '../topology/model.js';

export type { VmState };

export interface HvInfo {
  name: string;
  type: 'customer' | 'ha';
  dc: string;
  bridge: string;
  /** `tenant/site` currently attached here (at most one), or null. */
  site: string | null;
  /** Its bridge device (VXLAN gateway) node. */
  gateway: string;
  /** The site its bridge device is configured for: its own, or the one its pool mirrors. */
  serves: string | null;
}

export interface VmInfo {
  name: string;
  /** qemu: a virtual hypervisor (QEMU guest); host: the host stack of a traditional hypervisor (FIG. 1-2, a namespace). */
  kind: 'qemu' | 'host';
  host: string;
  state: VmState;
  /** The site this virtual hypervisor carries customer VMs for (mirrors carry it too). */
  site: string | null;
  /** The HA hypervisor whose pool it was built in (null: a customer hypervisor's own). */
  pool: string | null;
  /** Host-side tap = the hypervisor bridge port of the VM's link. */
  tap: string;
  linkId: string;
}

export interface Layout {
  hypervisors: HvInfo[];
  vms: VmInfo[];
}

export interface SystemDef {
  name: string;
  vlan: number;
  ip: string;
  mac: string;
}

function vmLink(model: LabModel, vm: string): LinkModel | undefined {
  return model.links.find((l) => l.class === 'hypervisor' && l.endpoints.some((e) => e.node === vm));
}

/** A hypervisor's bridge device. */
function gatewayOf(model: LabModel, hv: string): NodeModel | undefined {
  return model.nodes.find((g) => g.role === 'vxlan-gateway' && g.facts?.hypervisor === hv);
}

export function layoutOf(model: LabModel): Layout {
  const hypervisors: HvInfo[] = model.nodes
    .filter((n) => n.role === 'hypervisor' && n.kind === 'ovs-bridge')
    .map((n) => ({
      name: n.name,
      type: n.facts?.hypervisorType === 'customer' ? 'customer' : 'ha',
      dc: n.dc ?? '',
      bridge: n.bridge ?? n.name,
      site: n.tenant && n.facts?.site ? `${n.tenant}/${n.facts.site}` : null,
      gateway: gatewayOf(model, n.name)?.name ?? '',
      serves: n.facts?.serves ?? null,
    }));
  const vms: VmInfo[] = [];
  for (const n of model.nodes.filter(
    (x) => x.role === 'vm' && (x.kind === 'generic_vm' || x.facts?.hostStack) && x.facts?.hypervisor,
  )) {
    const l = vmLink(model, n.name);
    const hostEnd = l?.endpoints.find((e) => e.node !== n.name);
    if (!l || !hostEnd) continue;
    const st = n.facts?.vmState;
    vms.push({
      name: n.name,
      kind: n.kind === 'generic_vm' ? 'qemu' : 'host',
      host: hostEnd.node,
      state: st === 'active' || st === 'failed' ? st : 'inactive',
      site: n.facts?.hostsSite ?? null,
      pool: n.facts?.pool ?? null,
      tap: hostEnd.ifname,
      linkId: l.id,
    });
  }
  // Pool mirrors carry their mirrored site as a label from the build (seed 000: inactive virtual
  // hypervisors are configured as mirrors of customer hypervisors). Models saved before that
  // label existed fall back to the customer hypervisor of the DC that still holds its site.
  for (const v of vms) {
    if (v.site) continue;
    const dc = hypervisors.find((h) => h.name === v.host)?.dc;
    const cust = hypervisors.find((h) => h.type === 'customer' && h.dc === dc && h.site);
    v.site = cust?.site ?? null;
  }
  // A bridge device serves the site of the virtual hypervisors on its host, or else the site
  // mirrored in its DC (an evacuation target): configured at setup, never on the restoration path.
  const dcOf = (hv: string) => hypervisors.find((x) => x.name === hv)?.dc;
  for (const h of hypervisors) {
    h.serves ??=
      vms.find((v) => v.host === h.name && v.site)?.site ??
      vms.find((v) => v.site && dcOf(v.host) === h.dc)?.site ??
      null;
  }
  return { hypervisors, vms };
}

/** The customer VMs (systems) of a hosted site, from the intent. */
export function siteSystems(model: LabModel, siteKey: string): SystemDef[] {
  const s = siteOf(model.intent, siteKey);
  if (!s) throw new FabricError('E_FAILOVER_MODEL', `no site ${siteKey} in lab ${model.name}`);
  return s.systems.map((y) => {
    if (!y.mac)
      throw new FabricError('E_FAILOVER_MODEL', `customer VM ${siteKey}/${y.name} needs a declared mac`, {
        hint: 'the MAC must survive failover, so declare it in fabric.yml',
      });
    return { name: y.name, vlan: y.vlan, ip: y.ip, mac: y.mac.toLowerCase() };
  });
}

export interface FailoverTarget {
  /** The failed/maintained hypervisor and the site it hosts. */
  source: HvInfo;
  site: string;
  /** The virtual hypervisor that carried the site there. */
  sourceVm: VmInfo;
  /** HA hypervisor C1, the pool VM to activate there, and the rest of its pool. */
  c1: HvInfo;
  activate: VmInfo;
  evacuate: VmInfo[];
  /** HA hypervisor C2 (evacuation target), if any. */
  c2: HvInfo | null;
}

/** The DC a site calls home: that of the customer hypervisor it was declared on. */
function homeDc(layout: Layout, site: string, fallback: string): string {
  return layout.hypervisors.find((h) => h.type === 'customer' && h.serves === site)?.dc ?? fallback;
}

/** Hypervisors ordered for a site: its home DC first, then the others (stable otherwise). */
function homeFirst(hvs: HvInfo[], home: string): HvInfo[] {
  return [...hvs.filter((h) => h.dc === home), ...hvs.filter((h) => h.dc !== home)];
}

/**
 * Chooses C1 and C2 among the HA hypervisors that serve the failed site (their bridge devices are
 * configured for its own VLANs), in any DC joined to it, those of the site's home DC first: a
 * cross-DC HA hypervisor takes the site when none is left at home (or when it is the only one
 * mirroring the site). C1 is the first with an inactive pool VM of the site and no other tenant's
 * site; C2 (evacuation target) another one serving the site, else any other HA hypervisor of C1's
 * DC. Throws E_FAILOVER_HOST for an unknown or site-less host and E_FAILOVER_CAPACITY when no
 * pool VM is left.
 */
export function chooseTarget(layout: Layout, host: string): FailoverTarget {
  const source = layout.hypervisors.find((h) => h.name === host);
  if (!source) {
    throw new FabricError('E_FAILOVER_HOST', `unknown hypervisor ${JSON.stringify(host)}`, {
      hint: `hypervisors: ${layout.hypervisors.map((h) => h.name).join(', ') || '(none)'}`,
    });
  }
  if (!source.site) {
    throw new FabricError('E_FAILOVER_HOST', `hypervisor ${host} hosts no customer site`, {
      hint: `sites are on: ${
        layout.hypervisors
          .filter((h) => h.site)
          .map((h) => `${h.name} (${h.site})`)
          .join(', ') || '(none)'
      }`,
    });
  }
  const site = source.site;
  const sourceVm = layout.vms.find((v) => v.host === host && v.state === 'active' && v.site === site);
  if (!sourceVm)
    throw new FabricError('E_FAILOVER_HOST', `hypervisor ${host} runs no active virtual hypervisor for ${site}`);
  const home = homeDc(layout, site, source.dc);
  const ha = homeFirst(
    layout.hypervisors.filter((h) => h.type === 'ha' && h.name !== host),
    home,
  );
  const candidates = ha.filter((h) => h.serves === site && (!h.site || h.site === site));
  for (const c1 of candidates) {
    const pool = layout.vms.filter((v) => v.host === c1.name && v.state === 'inactive' && v.site === site);
    if (!pool.length) continue;
    const others = ha.filter((h) => h.name !== c1.name);
    const c2 = others.find((h) => h.serves === site) ?? others.find((h) => h.dc === c1.dc) ?? null;
    return { source, site, sourceVm, c1, activate: pool[0]!, evacuate: pool.slice(1), c2 };
  }
  throw new FabricError(
    'E_FAILOVER_CAPACITY',
    `no HA capacity left for ${site} (${host}): no inactive virtual hypervisor on an HA hypervisor serving it, in ${home} or another DC`,
    {
      hint: 'fail back first (fabric failover <lab> --failback), or give an HA hypervisor that mirrors the site a larger pool',
    },
  );
}

function node(model: LabModel, name: string): NodeModel {
  const n = model.nodes.find((x) => x.name === name);
  if (!n) throw new FabricError('E_FAILOVER_MODEL', `no node ${name} in lab ${model.name}`);
  return n;
}

/** Moves a hosted site's attachment (tenant and site facts) from one hypervisor to another. */
export function moveSite(model: LabModel, siteKey: string, from: string, to: string): void {
  const slash = siteKey.indexOf('/');
  const tenant = siteKey.slice(0, slash);
  const site = siteKey.slice(slash + 1);
  const a = node(model, from);
  const b = node(model, to);
  if (slash < 0 || a.tenant !== tenant || a.facts?.site !== site)
    throw new FabricError('E_FAILOVER_MODEL', `${from} does not hold ${siteKey}`);
  if (b.tenant && b.tenant !== tenant)
    throw new FabricError('E_FAILOVER_CAPACITY', `${to} already holds a site of tenant ${b.tenant}`);
  const siteType = a.facts.siteType;
  setFacts(a, { site: undefined, siteType: undefined });
  setTenant(a, null);
  // The bridge devices follow their hypervisors (the tenant of the link they carry).
  for (const [hv, t] of [
    [from, null],
    [to, tenant],
  ] as const) {
    const gw = gatewayOf(model, hv);
    if (gw) setTenant(gw, t);
  }
  setTenant(b, tenant);
  setFacts(b, { site, ...(siteType ? { siteType } : {}) });
}

export function setVmState(model: LabModel, vm: string, state: VmState): void {
  setFacts(node(model, vm), { vmState: state });
}

/** The next free bridge port (name and index) of a hypervisor: a migration target's tap. */
export function nextPort(model: LabModel, host: string): { ifname: string; label: string } {
  const n = node(model, host);
  const kind = kindOf(n.kind);
  // Root-namespace names are unique across the lab, not only on this node.
  const used = new Set(
    model.nodes.flatMap((x) => [...x.interfaces.map((f) => f.name), ...(x.bridge ? [x.bridge] : [])]),
  );
  const labels = new Set(
    model.links.flatMap((l) =>
      l.id
        .split('--')
        .filter((e) => e.startsWith(`${host}:`))
        .map((e) => e.slice(host.length + 1)),
    ),
  );
  for (let i = 1; i < 10_000; i++) {
    const ifname = kind.interfaceName(model.name, host, i);
    if (!used.has(ifname) && !labels.has(`p${i}`)) return { ifname, label: `p${i}` };
  }
  throw new FabricError('E_FAILOVER_MODEL', `no free port on ${host}`);
}

/** Re-links a VM to another hypervisor through `tap` (the old port disappears from the old host). */
export function moveVm(model: LabModel, vm: string, to: string, port: { ifname: string; label: string }): void {
  const l = vmLink(model, vm);
  if (!l) throw new FabricError('E_FAILOVER_MODEL', `VM ${vm} has no hypervisor link`);
  const vmEnd = l.endpoints.find((e) => e.node === vm)!;
  const oldEnd = l.endpoints.find((e) => e.node !== vm)!;
  const oldHost = node(model, oldEnd.node);
  const mtu = oldHost.interfaces.find((f) => f.name === oldEnd.ifname)?.mtu ?? l.mtu;
  oldHost.interfaces = oldHost.interfaces.filter((f) => f.name !== oldEnd.ifname);
  node(model, to).interfaces.push({ name: port.ifname, addresses: [], mtu });
  const vmLabel = l.id.split('--')[0]!.slice(vm.length + 1);
  l.endpoints = [vmEnd, { node: to, ifname: port.ifname }];
  l.id = `${vm}:${vmLabel}--${to}:${port.label}`;
  setFacts(node(model, vm), { hypervisor: to });
}
