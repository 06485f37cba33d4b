// Pure planning for the netns runtime: LabModel → where every object goes (namespaces, veth ends,
// bridges, ports), validated before anything runs. commands.ts turns a plan into the batched
// command text, so a deploy spawns a handful of processes instead of one per object.
import { isIP } from 'node:net';
import { FabricError } from '../../errors/fabric-error.js';
import type { InterfaceModel, LabModel, LinkModel, NodeModel } from '../../topology/model.js';
import { checkIfName, checkLabName, checkMac, checkNodeName, netnsName } from '../../names/index.js';
import type { LabObjects } from '../types.js';

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
      } else d.ports.forEach((n) => checkIfName(n));
    }
    for (const r of n.routes ?? []) {
      checkDst(r.dst);
      checkIp(r.via, 'route gateway');
    }
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

export function linkById(model: LabModel, id: string): LinkModel | undefined {
  return model.links.find((l) => l.id === id);
}
