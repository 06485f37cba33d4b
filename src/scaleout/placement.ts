// Which host runs which node of a lab. Rules, in order of precedence:
// 1. hypervisors (with their gateway and guests, one unit each) are spread over the hosts in
//    proportion to their capacity: QEMU guests are what a machine runs out of first;
// 2. a DC stays on one host when it fits there; the hosts' capacities are never exceeded;
// 3. as few links as possible cross hosts: a unit goes where most of its links already are.
// A DC that fits nowhere is split into its core and its tenant sites, a site that fits nowhere
// into its nodes. Everything is deterministic (sorted, ties broken by host order).
import { DiagnosticBag } from '../errors/diagnostics.js';
import type { LabModel, LinkModel, NodeModel } from '../topology/model.js';
import { MAX_VNI, type HostsFile } from './hosts.js';

/** A QEMU guest costs a machine what about a hundred namespaces do (TCG guests on two cores). */
export const GUEST_WEIGHT = 100;
/** Headroom of a host without a stated capacity over an even share, so whole DCs fit. */
const SOFT_HEADROOM = 1.25;
/** The group of the nodes outside every DC (P routers, provider routers). */
export const LONG_HAUL_GROUP = '(long haul)';

export function nodeWeight(n: NodeModel): number {
  return n.kind === 'generic_vm' && !n.facts?.hostStack ? GUEST_WEIGHT : 1;
}

export interface StitchedLink {
  link: LinkModel;
  /** Host of endpoints[0] and of endpoints[1]. */
  hosts: [string, string];
  vni: number;
}

export interface Placement {
  /** Host name per node name. */
  hostOf: Map<string, string>;
  /** Node names per host, in host order. */
  nodesOf: Map<string, string[]>;
  /** Links between nodes on different hosts, sorted by link id. */
  stitched: StitchedLink[];
  /** Weight carried per host. */
  load: Map<string, number>;
}

interface Unit {
  key: string;
  nodes: NodeModel[];
  weight: number;
  /** How the unit splits when no host has room: a DC into core + sites, a site into nodes. */
  split?: () => Unit[];
}

const unitOf = (key: string, nodes: NodeModel[], split?: () => Unit[]): Unit => ({
  key,
  nodes,
  weight: nodes.reduce((s, n) => s + nodeWeight(n), 0),
  split,
});

const byWeight = (a: Unit, b: Unit) => b.weight - a.weight || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function singles(nodes: NodeModel[]): Unit[] {
  return nodes.map((n) => unitOf(n.name, [n])).sort(byWeight);
}

/** The DC's group: split into the core (switches, gateways) and one unit per tenant site. */
function dcUnit(key: string, nodes: NodeModel[]): Unit {
  return unitOf(key, nodes, () => {
    const sites = new Map<string, NodeModel[]>();
    const core: NodeModel[] = [];
    for (const n of nodes) {
      if (n.tenant && n.facts?.site) {
        const k = `${key}/${n.tenant}/${n.facts.site}`;
        sites.set(k, [...(sites.get(k) ?? []), n]);
      } else core.push(n);
    }
    const units = [...sites].map(([k, ns]) => unitOf(k, ns, () => singles(ns)));
    if (core.length) units.push(unitOf(`${key}/core`, core, () => singles(core)));
    return units.sort(byWeight);
  });
}

/** Hypervisor units (with their gateways and guests) and the DC groups of everything else. */
export function placementUnits(lab: LabModel): { hypervisors: Unit[]; groups: Unit[] } {
  const members = new Map<string, NodeModel[]>();
  for (const n of lab.nodes) if (n.role === 'hypervisor') members.set(n.name, [n]);
  const rest: NodeModel[] = [];
  for (const n of lab.nodes) {
    if (n.role === 'hypervisor') continue;
    const hv = n.facts?.hypervisor;
    const m = hv !== undefined ? members.get(hv) : undefined;
    if (m) m.push(n);
    else rest.push(n);
  }
  const hypervisors = [...members].map(([k, ns]) => unitOf(`hypervisor ${k}`, ns, () => singles(ns))).sort(byWeight);
  const dcs = new Map<string, NodeModel[]>();
  for (const n of rest) {
    const k = n.dc ?? LONG_HAUL_GROUP;
    dcs.set(k, [...(dcs.get(k) ?? []), n]);
  }
  return { hypervisors, groups: [...dcs].map(([k, ns]) => dcUnit(k, ns)).sort(byWeight) };
}

class Hosts {
  readonly load = new Map<string, number>();
  /** Weight of the hypervisor units a host holds (what they are spread by). */
  readonly hvLoad = new Map<string, number>();
  readonly hostOf = new Map<string, string>();
  /** Effective capacity: stated (hard) or an even share with headroom (soft). */
  readonly cap = new Map<string, number>();
  readonly hard = new Set<string>();

  constructor(
    readonly names: string[],
    private readonly neighbours: Map<string, string[]>,
  ) {
    for (const h of names) {
      this.load.set(h, 0);
      this.hvLoad.set(h, 0);
    }
  }

  free(h: string): number {
    return (this.cap.get(h) ?? 0) - (this.load.get(h) ?? 0);
  }

  /** Links from the unit's nodes to nodes already on host h. */
  affinity(u: Unit, h: string): number {
    let n = 0;
    for (const node of u.nodes)
      for (const peer of this.neighbours.get(node.name) ?? []) if (this.hostOf.get(peer) === h) n++;
    return n;
  }

  put(u: Unit, h: string): void {
    for (const n of u.nodes) this.hostOf.set(n.name, h);
    this.load.set(h, (this.load.get(h) ?? 0) + u.weight);
  }
}

/** Places the lab on the hosts; capacity problems are located in the hosts file. */
export function place(lab: LabModel, hostsFile: HostsFile): Placement {
  const hostNames = hostsFile.hosts.map((h) => h.name);
  const neighbours = new Map<string, string[]>();
  for (const l of lab.links) {
    const [a, b] = l.endpoints.map((e) => e.node);
    neighbours.set(a, [...(neighbours.get(a) ?? []), b]);
    neighbours.set(b, [...(neighbours.get(b) ?? []), a]);
  }
  const hosts = new Hosts(hostNames, neighbours);
  const total = lab.nodes.reduce((s, n) => s + nodeWeight(n), 0);
  checkCapacity(lab, hostsFile, total);
  const stated = hostsFile.hosts.reduce((s, h) => s + (h.capacity ?? 0), 0);
  const open = hostsFile.hosts.filter((h) => h.capacity === undefined).length;
  const soft = open ? Math.max(1, Math.ceil((SOFT_HEADROOM * Math.max(0, total - stated)) / open)) : 0;
  for (const h of hostsFile.hosts) {
    hosts.cap.set(h.name, h.capacity ?? soft);
    if (h.capacity !== undefined) hosts.hard.add(h.name);
  }
  const { hypervisors, groups } = placementUnits(lab);
  for (const u of hypervisors) placeSpread(u, hosts, hostsFile);
  for (const u of groups) placeUnit(u, hosts, hostsFile);
  return summarize(lab, hostsFile, hosts);
}

function placeSpread(u: Unit, hosts: Hosts, hostsFile: HostsFile): void {
  const fits = hosts.names.filter((h) => hosts.free(h) >= u.weight);
  if (!fits.length) {
    for (const s of u.split?.() ?? []) placeUnit(s, hosts, hostsFile);
    return;
  }
  // The host whose guest load, relative to its capacity, stays lowest; then the one that
  // already holds the unit's neighbours; then host order.
  const ratio = (h: string) => ((hosts.hvLoad.get(h) ?? 0) + u.weight) / Math.max(1, hosts.cap.get(h) ?? 1);
  const best = fits.reduce((a, b) =>
    ratio(b) < ratio(a) || (ratio(b) === ratio(a) && hosts.affinity(u, b) > hosts.affinity(u, a)) ? b : a,
  );
  hosts.put(u, best);
  hosts.hvLoad.set(best, (hosts.hvLoad.get(best) ?? 0) + u.weight);
}

function placeUnit(u: Unit, hosts: Hosts, hostsFile: HostsFile): void {
  let fits = hosts.names.filter((h) => hosts.free(h) >= u.weight);
  if (!fits.length && u.split) {
    for (const s of u.split()) placeUnit(s, hosts, hostsFile);
    return;
  }
  // A single node with no room under the even shares still goes to a host without a stated
  // capacity: shares are a balance, only stated capacities are limits.
  if (!fits.length) fits = hosts.names.filter((h) => !hosts.hard.has(h));
  if (!fits.length) {
    const bag = new DiagnosticBag();
    bag.add(
      hostsFile.src.diag(
        'E_HOST_CAPACITY',
        ['hosts'],
        `node ${u.nodes[0].name} (weight ${u.weight}) fits on no host: free ${hosts.names.map((h) => `${h} ${hosts.free(h)}`).join(', ')}`,
        'raise a capacity or add a host; a node weighs 1, a QEMU guest 100',
      ),
    );
    bag.throwIfAny('placement');
  }
  const share = (h: string) => hosts.free(h) / Math.max(1, hosts.cap.get(h) ?? 1);
  const best = fits.reduce((a, b) => {
    const fa = hosts.affinity(u, a);
    const fb = hosts.affinity(u, b);
    return fb > fa || (fb === fa && share(b) > share(a)) ? b : a;
  });
  hosts.put(u, best);
}

/** Refusals that need no placement: the stated capacities cannot hold the lab at all. */
function checkCapacity(lab: LabModel, hostsFile: HostsFile, total: number): void {
  const bag = new DiagnosticBag();
  const guests = lab.nodes.filter((n) => nodeWeight(n) > 1).length;
  const what = `${lab.nodes.length - guests} nodes + ${guests} QEMU guests × ${GUEST_WEIGHT}`;
  if (hostsFile.hosts.every((h) => h.capacity !== undefined)) {
    const sum = hostsFile.hosts.reduce((s, h) => s + (h.capacity ?? 0), 0);
    if (sum < total)
      bag.add(
        hostsFile.src.diag(
          'E_HOST_CAPACITY',
          ['hosts'],
          `lab ${lab.name} weighs ${total} (${what}); the hosts' capacities add up to ${sum}`,
          'raise a capacity, drop one (that host takes an even share), or add a host',
          { key: true },
        ),
      );
    const heaviest = Math.max(0, ...lab.nodes.map(nodeWeight));
    const largest = Math.max(...hostsFile.hosts.map((h) => h.capacity ?? 0));
    if (sum >= total && heaviest > largest)
      bag.add(
        hostsFile.src.diag(
          'E_HOST_CAPACITY',
          ['hosts'],
          `a QEMU guest weighs ${heaviest}, no host has that capacity (largest: ${largest})`,
          `give one host a capacity of at least ${heaviest}`,
          { key: true },
        ),
      );
  }
  bag.throwIfAny('placement');
}

function summarize(lab: LabModel, hostsFile: HostsFile, hosts: Hosts): Placement {
  const nodesOf = new Map<string, string[]>(hostsFile.hosts.map((h) => [h.name, []]));
  for (const n of lab.nodes) nodesOf.get(hosts.hostOf.get(n.name) ?? '')?.push(n.name);
  for (const list of nodesOf.values()) list.sort();
  const stitched: StitchedLink[] = [];
  for (const link of [...lab.links].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const ha = hosts.hostOf.get(link.endpoints[0].node) ?? '';
    const hb = hosts.hostOf.get(link.endpoints[1].node) ?? '';
    if (ha !== hb) stitched.push({ link, hosts: [ha, hb], vni: hostsFile.vniBase + stitched.length });
  }
  const last = stitched.length ? stitched[stitched.length - 1].vni : 0;
  if (last > MAX_VNI) {
    const bag = new DiagnosticBag();
    bag.add(
      hostsFile.src.diag(
        'E_HOSTS_FILE',
        ['vni_base'],
        `${stitched.length} stitched links from VNI ${hostsFile.vniBase} end at ${last}, above ${MAX_VNI}`,
        `lower vni_base to at most ${MAX_VNI - stitched.length + 1}`,
      ),
    );
    bag.throwIfAny('placement');
  }
  return { hostOf: hosts.hostOf, nodesOf, stitched, load: hosts.load };
}
