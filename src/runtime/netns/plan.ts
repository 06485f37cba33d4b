// Pure planning for the netns runtime: LabModel → the batched command lists a deploy runs. Kept
// free of I/O so unit tests can check every line, and so a deploy spawns a handful of processes
// (ip -batch, one xargs per stage, a few chunked ovs-vsctl calls) instead of one per object.
import { isIP } from 'node:net';
import { FabricError } from '../../errors/fabric-error.js';
import type { InterfaceModel, LabModel, LinkModel, NodeModel } from '../../topology/model.js';
import { checkIfName, checkLabName, checkMac, checkNodeName, labAlias, LAB_KEY, netnsName } from '../names.js';
import type { LabObjects } from '../types.js';

export const OPENFLOW_VERSIONS = 'OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15';
/** Baseline flow of a tenant-owned access switch: a plain learning switch inside one tenant. */
export const ACCESS_SWITCH_FLOW = 'priority=0,actions=NORMAL';

/** Where one end of a veth lives. */
export interface PlacedEnd {
  node: string;
  ifname: string;
  /** Namespace for nodes that are namespaces; null for root-namespace ends (bridge ports). */
  netns: string | null;
  mac?: string;
  mtu: number;
}

export interface PlannedLink {
  id: string;
  a: PlacedEnd;
  b: PlacedEnd;
}

export interface OvsBridgePlan {
  name: string;
  node: string;
  /** Tenant access switch: VLAN access/trunk ports and the NORMAL baseline flow. */
  access: boolean;
  ports: OvsPortPlan[];
}

export interface OvsPortPlan {
  name: string;
  accessVlan?: number;
  trunks?: number[];
}

export interface LinuxBridgePlan {
  name: string;
  node: string;
  ports: string[];
  mtu?: number;
}

/** Everything one namespace needs after its veth ends exist. */
export interface NsPlan {
  netns: string;
  node: string;
  /** veth ends inside this namespace (tx checksum offload goes off on each). */
  vethEnds: PlacedEnd[];
  /** Interfaces that keep IPv6 because the model gives them an IPv6 address. */
  ipv6Ifs: string[];
  node_: NodeModel;
}

export interface NetnsPlan {
  lab: string;
  objects: LabObjects;
  namespaces: NsPlan[];
  links: PlannedLink[];
  rootEnds: PlacedEnd[];
  ovsBridges: OvsBridgePlan[];
  linuxBridges: LinuxBridgePlan[];
  /** Nodes this runtime leaves to another one (e.g. generic_vm: QEMU guests are failover's). */
  skipped: string[];
}

function modelError(msg: string, hint?: string): FabricError {
  return new FabricError('E_MODEL', msg, {
    hint: hint ?? 'the lab model is inconsistent; fix the lab file or report a resolver bug',
  });
}

function checkCidr(addr: string): string {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(addr);
  const fam = m ? isIP(m[1]!) : 0;
  if (!m || !fam || Number(m[2]) > (fam === 4 ? 32 : 128))
    throw new FabricError('E_BAD_ADDRESS', `invalid address ${JSON.stringify(addr)}`, {
      hint: 'write addresses as CIDR, e.g. 10.20.30.10/24',
    });
  return addr;
}

function checkIp(ip: string, what: string): string {
  if (!isIP(ip)) throw new FabricError('E_BAD_ADDRESS', `invalid ${what} ${JSON.stringify(ip)}`);
  return ip;
}

function checkDst(dst: string): string {
  return dst === 'default' ? dst : checkCidr(dst);
}

function checkInt(v: number, lo: number, hi: number, what: string): number {
  if (!Number.isInteger(v) || v < lo || v > hi) throw modelError(`${what} ${v} outside ${lo}..${hi}`);
  return v;
}

/** Placement: linux nodes are namespaces; bridges live in the root namespace. */
export type Placement = 'netns' | 'ovs' | 'linux-bridge' | 'root' | 'skip';
export function placement(n: NodeModel): Placement {
  switch (n.kind) {
    case 'linux':
      return 'netns';
    case 'ovs-bridge':
      return 'ovs';
    case 'bridge':
      return 'linux-bridge';
    case 'host':
      return 'root';
    case 'generic_vm':
      return 'skip';
    default:
      throw new FabricError(
        'E_UNSUPPORTED_KIND',
        `node ${n.name}: kind ${String((n as NodeModel).kind)} is not supported by the netns runtime`,
      );
  }
}

export function bridgeOf(n: NodeModel): string {
  return checkIfName(n.bridge ?? n.name);
}

export function planLab(model: LabModel): NetnsPlan {
  const lab = checkLabName(model.name);
  const nodes = new Map<string, NodeModel>();
  for (const n of model.nodes) {
    checkNodeName(n.name);
    if (nodes.has(n.name)) throw modelError(`duplicate node ${n.name}`);
    nodes.set(n.name, n);
  }
  const ifModel = (n: NodeModel, ifname: string): InterfaceModel | undefined =>
    n.interfaces.find((i) => i.name === ifname);

  const nsPlans = new Map<string, NsPlan>();
  const ovs = new Map<string, OvsBridgePlan>();
  const lbr = new Map<string, LinuxBridgePlan>();
  const skipped: string[] = [];
  const bridgeNames = new Set<string>();
  for (const n of model.nodes) {
    const p = placement(n);
    if (p === 'netns') {
      const ipv6Ifs = n.interfaces
        .filter((i) => i.addresses.some((a) => a.includes(':')))
        .map((i) => checkIfName(i.name));
      nsPlans.set(n.name, { netns: netnsName(lab, n.name), node: n.name, vethEnds: [], ipv6Ifs, node_: n });
    } else if (p === 'ovs' || p === 'linux-bridge') {
      const br = bridgeOf(n);
      if (bridgeNames.has(br)) throw modelError(`bridge name ${br} used twice`);
      bridgeNames.add(br);
      if (p === 'ovs') ovs.set(n.name, { name: br, node: n.name, access: n.role === 'access-switch', ports: [] });
      else lbr.set(n.name, { name: br, node: n.name, ports: [] });
    } else if (p === 'skip') skipped.push(n.name);
  }

  const links: PlannedLink[] = [];
  const rootEnds: PlacedEnd[] = [];
  const rootNames = new Set<string>(bridgeNames);
  const nsIfNames = new Map<string, Set<string>>();
  for (const l of model.links) {
    if (l.endpoints.some((e) => skipped.includes(e.node))) continue;
    const mtu = checkInt(l.mtu, 68, 65535, `link ${l.id} mtu`);
    const ends = l.endpoints.map((e) => {
      const n = nodes.get(e.node);
      if (!n) throw modelError(`link ${l.id}: unknown node ${e.node}`);
      checkIfName(e.ifname);
      const im = ifModel(n, e.ifname);
      const end: PlacedEnd = {
        node: n.name,
        ifname: e.ifname,
        netns: null,
        mtu: im?.mtu ? checkInt(im.mtu, 68, 65535, `${n.name}:${e.ifname} mtu`) : mtu,
      };
      if (im?.mac) end.mac = checkMac(im.mac);
      const p = placement(n);
      if (p === 'netns') {
        const ns = nsPlans.get(n.name)!;
        end.netns = ns.netns;
        const seen = nsIfNames.get(n.name) ?? new Set<string>();
        if (seen.has(e.ifname)) throw modelError(`link ${l.id}: interface ${n.name}:${e.ifname} used by two links`);
        seen.add(e.ifname);
        nsIfNames.set(n.name, seen);
        ns.vethEnds.push(end);
      } else {
        if (rootNames.has(e.ifname))
          throw modelError(
            `link ${l.id}: root-namespace interface ${e.ifname} used twice`,
            'OVS port and bridge names must be unique on the machine',
          );
        rootNames.add(e.ifname);
        rootEnds.push(end);
        if (p === 'ovs') {
          const port: OvsPortPlan = { name: e.ifname };
          if (im?.accessVlan !== undefined)
            port.accessVlan = checkInt(im.accessVlan, 1, 4094, `${n.name}:${e.ifname} accessVlan`);
          if (im?.trunks) port.trunks = im.trunks.map((v) => checkInt(v, 1, 4094, `${n.name}:${e.ifname} trunk VLAN`));
          ovs.get(n.name)!.ports.push(port);
        } else if (p === 'linux-bridge') lbr.get(n.name)!.ports.push(e.ifname);
      }
      return end;
    });
    links.push({ id: l.id, a: ends[0]!, b: ends[1]! });
  }

  // Everything a namespace node builds inside itself is validated here too.
  for (const ns of nsPlans.values()) {
    const n = ns.node_;
    for (const i of n.interfaces) i.addresses.forEach(checkCidr);
    for (const d of n.netdevs ?? []) {
      checkIfName(d.name);
      if (d.type === 'vxlan') {
        checkInt(d.vni, 0, 16777215, `${n.name}:${d.name} vni`);
        checkInt(d.dstport, 1, 65535, `${n.name}:${d.name} dstport`);
        checkIp(d.local, 'vxlan local');
        checkIp(d.remote, 'vxlan remote');
        checkIfName(d.dev);
      } else d.ports.forEach(checkIfName);
    }
    for (const r of n.routes ?? []) (checkDst(r.dst), checkIp(r.via, 'route gateway'));
  }

  const objects: LabObjects = {
    netns: [...nsPlans.values()].map((n) => n.netns),
    rootIfs: [...rootEnds.map((e) => e.ifname), ...[...lbr.values()].map((b) => b.name)],
    bridges: [...ovs.values()].map((b) => b.name),
  };
  return {
    lab,
    objects,
    namespaces: [...nsPlans.values()],
    links,
    rootEnds,
    ovsBridges: [...ovs.values()],
    linuxBridges: [...lbr.values()],
    skipped,
  };
}

// ---- command builders ------------------------------------------------------------------------

function endOpts(e: PlacedEnd): string {
  return [e.mac ? `address ${e.mac}` : '', `mtu ${e.mtu}`, e.netns ? `netns ${e.netns}` : ''].filter(Boolean).join(' ');
}

/** `ip -batch` line creating a veth pair with both ends directly in their final namespaces. */
export function vethLine(l: PlannedLink): string {
  return `link add name ${l.a.ifname} ${endOpts(l.a)} type veth peer name ${l.b.ifname} ${endOpts(l.b)}`;
}

/** Lines for the root namespace batch that marks (alias) root ends and linux bridges. */
export function rootMarkLines(lab: string, names: string[]): string[] {
  return names.map((n) => `link set dev ${n} alias ${labAlias(lab)}`);
}

/** Root-namespace Linux bridges (kind `bridge`): create if missing, mark, enslave ports. */
export function linuxBridgeCreateLines(lab: string, b: LinuxBridgePlan, exists: boolean): string[] {
  const out: string[] = [];
  if (!exists) out.push(`link add name ${b.name} type bridge`);
  out.push(`link set dev ${b.name} alias ${labAlias(lab)}`);
  return out;
}

export function linuxBridgeUpLines(b: LinuxBridgePlan): string[] {
  return [...b.ports.map((p) => `link set dev ${p} master ${b.name}`), `link set dev ${b.name} up`];
}

/**
 * `ip -n <ns> -batch` content for one namespace node: marker, loopback, link state, kernel
 * netdevs (VXLAN with an explicit dstport, Linux bridges), addresses, routes. Every line is
 * idempotent or guarded by `existing`, so re-running `up` converges.
 */
export function nsBatch(
  lab: string,
  ns: NsPlan,
  existing: { has(name: string): boolean } = new Set<string>(),
): string[] {
  const n = ns.node_;
  const out = [`link set dev lo alias ${labAlias(lab)}`, 'link set dev lo up'];
  for (const e of ns.vethEnds) out.push(`link set dev ${e.ifname} ${e.mac ? `address ${e.mac} ` : ''}mtu ${e.mtu} up`);
  const netdevs = n.netdevs ?? [];
  for (const d of netdevs) {
    if (d.type !== 'vxlan' || existing.has(d.name)) continue;
    out.push(
      `link add name ${d.name} ${d.mtu ? `mtu ${d.mtu} ` : ''}type vxlan id ${d.vni} local ${d.local} remote ${d.remote} dstport ${d.dstport} dev ${d.dev}`,
    );
  }
  for (const d of netdevs) {
    if (d.type !== 'bridge' || existing.has(d.name)) continue;
    out.push(`link add name ${d.name} ${d.mtu ? `mtu ${d.mtu} ` : ''}type bridge`);
  }
  // Interfaces carrying addresses must be up before a route via them is accepted.
  for (const d of netdevs) if (d.type === 'vxlan') out.push(`link set dev ${d.name} up`);
  for (const d of netdevs) {
    if (d.type !== 'bridge') continue;
    for (const p of d.ports) out.push(`link set dev ${p} master ${d.name}`);
    out.push(`link set dev ${d.name} up`);
  }
  const known = new Set([...ns.vethEnds.map((e) => e.ifname), ...netdevs.map((d) => d.name), 'lo']);
  for (const i of n.interfaces) {
    if (!known.has(i.name)) continue; // declared but not wired in this lab: nothing to address
    for (const a of i.addresses) out.push(`addr replace ${a} dev ${i.name}`);
  }
  for (const r of n.routes ?? []) out.push(`route replace ${r.dst} via ${r.via}`);
  return out;
}

/** sysctl argv (run inside the namespace) that turns IPv6 off for all and default interfaces. */
export function nsSysctlArgs(ns: NsPlan): string[] {
  // A node with IPv6 addresses keeps `all` on and gets per-interface switches instead.
  return ns.ipv6Ifs.length
    ? ['sysctl', '-q', '-w', 'net.ipv6.conf.default.disable_ipv6=1']
    : ['sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'];
}

/** ovs-vsctl commands creating the lab's bridges (secure, netdev, OF1.0-1.5, marked); no ports. */
export function ovsBridgeCommands(lab: string, bridges: OvsBridgePlan[]): string[] {
  const mark = `external_ids:${LAB_KEY}=${lab}`;
  return bridges.flatMap((b) => [
    '--',
    '--may-exist',
    'add-br',
    b.name,
    '--',
    'set',
    'Bridge',
    b.name,
    'datapath_type=netdev',
    'fail_mode=secure',
    `protocols=${OPENFLOW_VERSIONS}`,
    mark,
    `external_ids:fabric-node=${b.node}`,
    '--',
    'set',
    'Port',
    b.name,
    mark,
    '--',
    'set',
    'Interface',
    b.name,
    mark,
  ]);
}

/**
 * ovs-vsctl argv lists adding the ports (each list is one call, `--` separated commands),
 * chunked to keep ovs-vsctl's own CPU time low (it grows faster than linearly with the size of
 * one transaction).
 */
export function ovsPortCommands(lab: string, bridges: OvsBridgePlan[], chunkPorts = 200): string[][] {
  const mark = `external_ids:${LAB_KEY}=${lab}`;
  const calls: string[][] = [];
  let cur: string[] = [];
  let n = 0;
  for (const b of bridges) {
    for (const p of b.ports) {
      const vlan: string[] = [];
      if (b.access) {
        if (p.accessVlan !== undefined) vlan.push(`tag=${p.accessVlan}`, 'vlan_mode=access', 'trunks=[]');
        else vlan.push('tag=[]', 'vlan_mode=trunk', `trunks=${p.trunks?.length ? p.trunks.join(',') : '[]'}`);
      }
      cur.push(
        '--',
        '--may-exist',
        'add-port',
        b.name,
        p.name,
        '--',
        'set',
        'Port',
        p.name,
        mark,
        ...vlan,
        '--',
        'set',
        'Interface',
        p.name,
        mark,
      );
      if (++n % chunkPorts === 0) (calls.push(cur), (cur = []));
    }
  }
  if (cur.length) calls.push(cur);
  return calls;
}

/** All OVS commands of a lab: the bridge transaction first, then the port chunks. */
export function ovsCommands(lab: string, bridges: OvsBridgePlan[], chunkPorts = 200): string[][] {
  const br = ovsBridgeCommands(lab, bridges);
  return [...(br.length ? [br] : []), ...ovsPortCommands(lab, bridges, chunkPorts)];
}

/** Lines for `xargs -L1 ovs-ofctl`: the NORMAL baseline on tenant access switches only. */
export function accessFlowLines(bridges: OvsBridgePlan[]): string[] {
  return bridges.filter((b) => b.access).map((b) => `add-flow ${b.name} ${ACCESS_SWITCH_FLOW}`);
}

export function linkById(model: LabModel, id: string): LinkModel | undefined {
  return model.links.find((l) => l.id === id);
}
