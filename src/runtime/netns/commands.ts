// Command text the netns runtime hands to the host-networking adapter: `ip -batch` lines and
// ovs-vsctl transactions built from a NetnsPlan. Pure, so unit tests check every line.
import { labAlias, LAB_KEY } from '../../names/index.js';
import type { LinuxBridgePlan, NsPlan, OvsBridgePlan, PlannedLink, PlacedEnd } from './plan.js';

export const OPENFLOW_VERSIONS = 'OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15';
/** Baseline flow of a tenant-owned access switch: a plain learning switch inside one tenant. */
export const ACCESS_SWITCH_FLOW = 'priority=0,actions=NORMAL';

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

/** sysctl settings (inside the namespace) that turn IPv6 off for all and default interfaces. */
export function nsSysctlSettings(ns: NsPlan): string[] {
  return nsSysctlArgs(ns).slice(3);
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
      if (++n % chunkPorts === 0) {
        calls.push(cur);
        cur = [];
      }
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

/** The NORMAL baseline on tenant access switches only: one flow per bridge. */
export function accessFlows(bridges: OvsBridgePlan[]): { bridge: string; flow: string }[] {
  return bridges.filter((b) => b.access).map((b) => ({ bridge: b.name, flow: ACCESS_SWITCH_FLOW }));
}

/** accessFlows() as `ovs-ofctl add-flow` argument lines. */
export function accessFlowLines(bridges: OvsBridgePlan[]): string[] {
  return accessFlows(bridges).map((f) => `add-flow ${f.bridge} ${f.flow}`);
}
