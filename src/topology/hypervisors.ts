// Hypervisors (seed 000, docs/failover.md): the `hypervisors:` section → nodes and links.
//
// - Every physical (first-level) hypervisor is an OVS bridge node, role `hypervisor`, with one
//   uplink (class `hypervisor`, all VLANs) to its DC switch: an attachment point like a tenant
//   site's access switch. The tag plan finds a hosted site on the hypervisor that currently holds
//   it (node.tenant + labels fabric.site), so re-tagging after a failover is a model edit.
// - `type: customer` hypervisors host tenant sites (`hosts: [tenant/site]`): the site's systems are
//   customer VMs (namespaces inside one virtual hypervisor `<hv>-v1`), not netns endpoints.
// - `type: ha` hypervisors hold an inactive pool (`pool: N` virtual hypervisors `<hv>-p<i>`).
// Virtual hypervisors are generic_vm nodes (role vm) linked by tap (class `hypervisor`) to their
// host's bridge; the netns runtime skips them, src/failover runs them under QEMU.
// Seed 000 FIG. 5: a virtual hypervisor carries its customer VMs' frames as VXLAN from its own
// VTEP, on a dot1q transport VLAN, to the physical hypervisor. Each physical hypervisor reaches
// the fabric through its bridge device `<hv>-gw` (FIG. 1: "takes the vxlan traffic bound for a
// dot1q vlan in on one interface and forwards it out on a second without the vxlan header"):
//   VM tap ─ <hv> bridge ─ <hv>:p1 ═ <hv>-gw:eth1 (VLAN 4000, VTEP) │ <hv>-gw:eth2 (own VLAN) ═ DC switch
import type { Diagnostic, DiagnosticBag } from '../errors/diagnostics.js';
import { siteOf, type NodeFacts } from './facts.js';
import type { FabricIntent, HypervisorIntent, SiteIntent } from './intent.js';
import type { DocPath, SourceMap } from './locate.js';
import type { LinkClass } from './model.js';
import { VXLAN_OVERHEAD } from './encoding.js';
import { dcSwitchName } from '../names/index.js';
import type { LabBuilder } from './builder.js';

export const HV_TYPES = ['customer', 'ha'] as const;
export type HypervisorType = (typeof HV_TYPES)[number];
export const MAX_POOL = 4;
/** Image attribute of virtual hypervisor nodes (the locally built guest image, docs/vm.md). */
export const GUEST_IMAGE = 'fabric-guest';

export function hvType(h: HypervisorIntent): HypervisorType {
  return h.type === 'customer' ? 'customer' : 'ha';
}

export function hostsOf(h: HypervisorIntent): string[] {
  return Array.isArray(h.hosts) ? h.hosts.filter((x): x is string => typeof x === 'string') : [];
}

/** `tenant/site` keys of sites hosted on a customer hypervisor (no access switch, no endpoints). */
export function hostedSites(intent: FabricIntent): Set<string> {
  return new Set((intent.hypervisors ?? []).flatMap(hostsOf));
}

export const activeVmName = (hv: string): string => `${hv}-v1`;
/** Host stack of a traditional (partially virtualized) customer hypervisor. */
export const hostStackName = (hv: string): string => `${hv}-host`;
export const VIRTUALIZATION = ['full', 'partial'] as const;
export type Virtualization = (typeof VIRTUALIZATION)[number];

/** full (FIG. 3-4, default): customer VMs in a virtual hypervisor; partial (FIG. 1-2): on the physical one. */
export function virtualization(h: HypervisorIntent): Virtualization {
  return h.virtualization === 'partial' ? 'partial' : 'full';
}
export const gatewayName = (hv: string): string => `${hv}-gw`;
/** The bridge device's VTEP interface; eth2.. are its tenant side, one per served own VLAN. */
export const GATEWAY_TRANSPORT_IF = 'eth1';

/**
 * The VXLAN leg between virtual hypervisors and their physical hypervisor's bridge device. The
 * addresses live only in the bridge device's namespace and inside the guests; every physical
 * hypervisor is its own L2 segment, so the same pair serves all of them (a mirror keeps the VTEP
 * address of the hypervisor it mirrors). Every bridge device answers with the same MAC too (an
 * anycast gateway): a guest migrated to another hypervisor keeps a valid neighbour entry for its
 * remote VTEP, so an evacuated mirror works at once when it is activated there.
 */
export const VTEP = {
  vlan: 4000,
  gatewayIp: '172.31.255.1',
  gatewayMac: '02:fe:00:00:0f:a0',
  guestIp: '172.31.255.2',
  prefix: 24,
  dstport: 4789,
} as const;

/** VNI of a site's own VLAN: unique per (site, VLAN) because Tag1 is unique per site. */
export function vniOf(hostTag: number, vlan: number): number {
  return hostTag * 4096 + vlan;
}
export const poolVmName = (hv: string, i: number): string => `${hv}-p${i}`;

/**
 * The customer hypervisor an HA hypervisor's pool mirrors: its `mirrors:` (a customer hypervisor
 * of any DC), else the one customer hypervisor of its DC. A string says why there is none that can be used; undefined: nothing to
 * mirror (no customer hypervisor in the DC).
 */
export function mirroredBy(hvs: HypervisorIntent[], h: HypervisorIntent): HypervisorIntent | string | undefined {
  const here = hvs.filter((c) => hvType(c) === 'customer' && c.dc === h.dc);
  if (h.mirrors === undefined) {
    if (here.length > 1 && (h.pool ?? 0) !== 0)
      return `${h.dc} has ${here.length} customer hypervisors; say which one its pool mirrors`;
    return here.length === 1 ? here[0] : undefined;
  }
  const named = hvs.find((c) => c.name === h.mirrors);
  if (!named) return `mirrors ${JSON.stringify(h.mirrors)}, which is not a hypervisor`;
  if (hvType(named) !== 'customer') return `mirrors ${named.name}, which is not a customer hypervisor`;
  // Any DC: a failover to an HA hypervisor of another DC moves the site's attachment there
  // (validate/hypervisors.ts checks that DC reaches the site's tenant domains).
  return named;
}

/** The hypervisor's first problem as a diagnostic, or null when its own fields are usable. */
function hypervisorProblem(
  b: LabBuilder,
  hvs: HypervisorIntent[],
  h: HypervisorIntent,
  i: number,
  src: SourceMap,
): Diagnostic | null {
  const type = h.type === undefined ? 'ha' : h.type;
  if (!HV_TYPES.includes(type as HypervisorType))
    return src.diag(
      'E_HV_TYPE',
      ['hypervisors', i, 'type'],
      `hypervisor ${h.name}: unknown type ${JSON.stringify(type)}`,
      `types: ${HV_TYPES.join(', ')}`,
    );
  if (b.nodes.has(h.name) || b.nodes.has(gatewayName(h.name)) || b.nodes.has(hostStackName(h.name)))
    return src.diag(
      'E_DUP_NAME',
      ['hypervisors', i, 'name'],
      `hypervisor ${h.name} has the name of another node`,
      'pick a name no generated node uses',
    );
  const hosts = hostsOf(h);
  const pool = h.pool === undefined ? 0 : h.pool;
  if (hvType(h) === 'ha' && (!Number.isInteger(pool) || pool < 0 || pool > MAX_POOL))
    return src.diag(
      'E_HV_POOL',
      ['hypervisors', i, 'pool'],
      `hypervisor ${h.name}: pool ${JSON.stringify(pool)} is not 0..${MAX_POOL}`,
      'the inactive pool holds paused QEMU guests of 96 MiB each',
    );
  if (hvType(h) === 'customer' && hosts.length !== 1)
    return src.diag(
      'E_HV_HOSTS',
      ['hypervisors', i, 'hosts'],
      `customer hypervisor ${h.name} must host exactly one tenant site (hosts: [tenant/site])`,
      "one virtual hypervisor per customer hypervisor carries that site's customer VMs",
    );
  if (
    h.virtualization !== undefined &&
    (!VIRTUALIZATION.includes(h.virtualization as Virtualization) || hvType(h) !== 'customer')
  )
    return src.diag(
      'E_HV_VIRT',
      ['hypervisors', i, 'virtualization'],
      `hypervisor ${h.name}: virtualization ${JSON.stringify(h.virtualization)} is not allowed here`,
      'customer hypervisors take virtualization: full (customer VMs in a virtual hypervisor, FIG. 3-4) or partial (on the physical hypervisor, FIG. 1-2); HA hypervisors are always nested',
    );
  if (hvType(h) === 'ha' && hosts.length)
    return src.diag(
      'E_HV_HOSTS',
      ['hypervisors', i, 'hosts'],
      `HA hypervisor ${h.name} cannot host sites from the start`,
      'HA hypervisors receive sites by failover',
    );
  return mirrorProblem(hvs, h, i, src);
}

function mirrorProblem(hvs: HypervisorIntent[], h: HypervisorIntent, i: number, src: SourceMap): Diagnostic | null {
  if (h.mirrors !== undefined && hvType(h) !== 'ha')
    return src.diag(
      'E_HV_MIRRORS',
      ['hypervisors', i, 'mirrors'],
      `customer hypervisor ${h.name} cannot mirror another`,
      'mirrors: belongs to HA hypervisors (type: ha), naming the customer hypervisor their pool mirrors',
    );
  const mirrored = hvType(h) === 'ha' ? mirroredBy(hvs, h) : undefined;
  if (typeof mirrored !== 'string') return null;
  const customers = hvs.filter((c) => hvType(c) === 'customer');
  const customersHere = customers.filter((c) => c.dc === h.dc).map((c) => c.name);
  return src.diag(
    'E_HV_MIRRORS',
    ['hypervisors', i, h.mirrors === undefined ? 'name' : 'mirrors'],
    `HA hypervisor ${h.name}: ${mirrored}`,
    customersHere.length
      ? `write mirrors: one of ${customersHere.join(', ')} (customer hypervisors of ${h.dc})`
      : customers.length
        ? `write mirrors: one of ${customers.map((c) => `${c.name} (${c.dc})`).join(', ')}`
        : 'the lab has no customer hypervisor: drop mirrors:',
  );
}

/** The site a `hosts:` entry names, or the diagnostic saying why it cannot be hosted here. */
function hostedSite(
  h: HypervisorIntent,
  i: number,
  key: string,
  intent: FabricIntent,
  hostedBy: Map<string, string>,
  src: SourceMap,
): SiteIntent | Diagnostic {
  const at: DocPath = ['hypervisors', i, 'hosts'];
  const s = siteOf(intent, key);
  if (!s)
    return src.diag(
      'E_HV_SITE',
      at,
      `hypervisor ${h.name}: no tenant site ${key}`,
      'write hosts as tenant/site, e.g. red/vm',
    );
  if (s.dc !== h.dc)
    return src.diag(
      'E_HV_SITE',
      at,
      `site ${key} is in ${s.dc}, hypervisor ${h.name} in ${h.dc}`,
      'a hypervisor hosts sites of its own DC',
    );
  const by = hostedBy.get(key);
  if (by !== undefined)
    return src.diag('E_HV_SITE', at, `site ${key} is already hosted by ${by}`, 'a site runs on one hypervisor');
  if (s.systems.some((y) => y.vlan === VTEP.vlan))
    return src.diag(
      'E_HV_VLAN',
      at,
      `site ${key} uses VLAN ${VTEP.vlan}, the hypervisors' VXLAN transport VLAN`,
      `move the site's systems to another own VLAN (${VTEP.vlan} carries VTEP traffic on every hypervisor bridge)`,
    );
  return s;
}

/** The virtual hypervisors (or host stack) a hypervisor starts with, and their facts. */
function virtualHypervisors(h: HypervisorIntent, served: string | undefined): { name: string; facts: NodeFacts }[] {
  const hosts = hostsOf(h);
  const vms: { name: string; facts: NodeFacts }[] = [];
  if (hvType(h) === 'customer' && virtualization(h) === 'partial') {
    // FIG. 1-2: a traditional hypervisor on the physical system. Its host stack (vSwitch +
    // VTEP) is a namespace on the bridge's transport VLAN; its customer VMs are namespaces
    // beside it, made by src/failover. It carries the site like a virtual hypervisor would.
    vms.push({ name: hostStackName(h.name), facts: { vmState: 'active', hostsSite: hosts[0]!, hostStack: true } });
  } else if (hvType(h) === 'customer') {
    vms.push({ name: activeVmName(h.name), facts: { vmState: 'active', hostsSite: hosts[0]! } });
  }
  // Mirrors carry the mirrored site from the start (seed 000: configured as mirrors of customer
  // hypervisors), wherever evacuation later takes them.
  for (let p = 1; p <= (h.pool ?? 0); p++)
    vms.push({ name: poolVmName(h.name, p), facts: { vmState: 'inactive', pool: h.name, hostsSite: served } });
  return vms;
}

/** The site each hypervisor serves, fixed at build time: a customer hypervisor's own, an HA one's mirrored. */
function servedSites(hvs: HypervisorIntent[]): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const h of hvs) {
    const m = hvType(h) === 'customer' ? undefined : mirroredBy(hvs, h);
    out.set(h.name, hvType(h) === 'customer' ? hostsOf(h)[0] : m && typeof m !== 'string' ? hostsOf(m)[0] : undefined);
  }
  return out;
}

/** Adds hypervisor nodes, their uplinks, virtual hypervisors and taps. Problems go to the bag. */
export function resolveHypervisors(
  b: LabBuilder,
  intent: FabricIntent,
  bag: DiagnosticBag,
  src: SourceMap,
  mtu: (c: LinkClass) => number,
): void {
  const hvs = intent.hypervisors ?? [];
  const hostedBy = new Map<string, string>();
  // Failover moves sites between hypervisors; the site each one serves never changes. Its
  // bridge device has one tenant-side port per own VLAN of that site.
  const servedSite = servedSites(hvs);
  const ownVlans = (key: string | undefined): number[] =>
    [...new Set((key ? siteOf(intent, key) : undefined)?.systems.map((y) => y.vlan) ?? [])].sort((a, b) => a - b);
  hvs.forEach((h, i) => {
    const problem = hypervisorProblem(b, hvs, h, i, src);
    if (problem) return void bag.add(problem);
    let siteTenant: string | null = null;
    const served = servedSite.get(h.name);
    const facts: NodeFacts = { hypervisorType: hvType(h), serves: served };
    for (const key of hostsOf(h)) {
      const s = hostedSite(h, i, key, intent, hostedBy, src);
      if (!('systems' in s)) return void bag.add(s);
      hostedBy.set(key, h.name);
      siteTenant = key.slice(0, key.indexOf('/'));
      facts.site = s.name;
      facts.siteType = s.type;
    }
    b.addNode(h.name, 'ovs-bridge', 'hypervisor', { dc: h.dc, tenant: siteTenant, facts, origin: ['hypervisors', i] });
    // Uplink: which tenant VLANs count is the DC switch's business (classification by port +
    // own VLAN); the hosted site may change at failover.
    b.link('hypervisor', h.name, dcSwitchName(h.dc), mtu('hypervisor'));
    // The bridge device carries the tenant of the site its hypervisor holds (moved with it).
    b.addNode(gatewayName(h.name), 'linux', 'vxlan-gateway', {
      dc: h.dc,
      tenant: siteTenant,
      facts: { hypervisor: h.name },
      origin: ['hypervisors', i],
    });
    // VTEP transport (VXLAN): room for a whole tagged tenant frame inside.
    const vtepMtu = mtu('hypervisor') + VXLAN_OVERHEAD;
    b.link('hypervisor', h.name, gatewayName(h.name), vtepMtu);
    for (let k = 0; k < ownVlans(served).length; k++)
      b.link('hypervisor', h.name, gatewayName(h.name), mtu('hypervisor'));
    for (const vm of virtualHypervisors(h, served)) {
      const node = b.addNode(vm.name, vm.facts.hostStack ? 'linux' : 'generic_vm', 'vm', {
        dc: h.dc,
        facts: { ...vm.facts, hypervisor: h.name },
        origin: ['hypervisors', i],
      });
      if (!vm.facts.hostStack) node.attributes = { image: GUEST_IMAGE };
      b.link('hypervisor', vm.name, h.name, vtepMtu);
    }
  });
}
