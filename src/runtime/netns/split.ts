// A lab split over emulated hosts (`fabric up <lab> --hosts N`): the lab is placed exactly as
// `fabric generate --hosts` places it for real machines, each host becomes a network namespace
// running its own ovsdb-server and ovs-vswitchd with the bridges placed there, and a link whose
// ends sit on two hosts becomes, on each side, the kernel VXLAN device containerlab builds for a
// `type: vxlan` link. Pure: this turns a single-host plan into the split plan and its record.
import { FabricError } from '../../errors/fabric-error.js';
import { checkLabName } from '../../names/index.js';
import {
  checkUnderlayMtu,
  parseHosts,
  place,
  STITCH_DST_PORT,
  stitchedUnderlayMtu,
  switchReach,
  type HostsFile,
} from '../../scaleout/index.js';
import type { OvsSite } from '../../hostnet/index.js';
import type { LabModel } from '../../topology/model.js';
import type { EmulatedHost, SplitRecord, StatusDoc, StitchEnd } from '../types.js';
import type { NetnsPlan } from './plan.js';
import { checkEmulatedHosts, emulatedNets } from './split-hosts.js';

/** Most emulated hosts one machine is asked for (each runs two OVS daemons). */
export const MAX_EMULATED_HOSTS = 8;
/** The underlay carries every stitched link's frames plus 50 bytes; never below this. */
const MIN_UNDERLAY_MTU = 1600;
/** Where the OVS files of a lab's emulated hosts live. */
export const HOSTS_RUN_DIR = '/run/fabric/hosts';

export const hostNetns = (lab: string, host: string): string => `fh-${lab}-${host}`;

/** The hosts file an emulation of `n` hosts places the lab on (documentation-range underlay). */
export function emulatedHostsText(n: number): string {
  const lines = ['hosts:'];
  for (let i = 1; i <= n; i++) lines.push(`  - { name: h${i}, address: 192.0.2.${i}, mgmt: 10.99.0.${i} }`);
  return lines.join('\n') + '\n';
}

export function checkHostCount(n: number): number {
  if (!Number.isInteger(n) || n < 2 || n > MAX_EMULATED_HOSTS)
    throw new FabricError('E_USAGE', `--hosts ${n}: give a whole number of emulated hosts, 2..${MAX_EMULATED_HOSTS}`, {
      hint: 'e.g. fabric up mtdc --hosts 2 (docs/scale-out.md)',
    });
  return n;
}

/**
 * The split plan: bridge ports move from the root namespace into their host's namespace, links
 * between hosts leave the veth list (their VXLAN devices are built per host), and the lab's
 * namespaces gain the hosts, the underlay and the management namespace.
 */
export function splitPlan(
  model: LabModel,
  single: NetnsPlan,
  n: number | HostsFile,
): { plan: NetnsPlan; record: SplitRecord } {
  const lab = checkLabName(model.name);
  if (single.linuxBridges.length || single.rootEnds.some((e) => !single.ovsBridges.some((b) => b.node === e.node)))
    throw new FabricError('E_USAGE', `lab ${lab}: only namespaces and OVS bridges can be split over emulated hosts`, {
      hint: 'Linux bridges and host-namespace nodes stay on one machine: run fabric up without --hosts',
    });
  // A number: today's documentation-range hosts; a hosts file: the user's hosts, as they are.
  const hostsFile =
    typeof n === 'number'
      ? parseHosts(emulatedHostsText(checkHostCount(n)), `fabric up --hosts ${n}`)
      : checkEmulatedHosts(n, MAX_EMULATED_HOSTS);
  const nets = emulatedNets(hostsFile);
  const placement = place(model, hostsFile);
  checkUnderlayMtu(hostsFile, placement);
  const hosts: EmulatedHost[] = hostsFile.hosts.map((h) => ({
    name: h.name,
    netns: hostNetns(lab, h.name),
    dir: `${HOSTS_RUN_DIR}/${lab}/${h.name}`,
    address: h.address,
    mgmt: h.mgmt!,
  }));
  const byHost = new Map(hosts.map((h) => [h.name, h]));
  const hostOf = (node: string): EmulatedHost => {
    const h = byHost.get(placement.hostOf.get(node) ?? '');
    if (!h) throw new FabricError('E_MODEL', `node ${node} was placed on no host`);
    return h;
  };
  const nodeNs = new Map(single.namespaces.map((ns) => [ns.node, ns.netns]));
  const stitchedIds = new Set(placement.stitched.map((s) => s.link.id));
  const stitchedEnds = new Set<string>();
  const stitched = placement.stitched.map((s) => {
    const [a, b] = s.link.endpoints;
    const end = (e: typeof a, other: typeof a): StitchEnd => {
      stitchedEnds.add(`${e.node}:${e.ifname}`);
      return {
        host: hostOf(e.node).name,
        node: e.node,
        ifname: e.ifname,
        nodeNetns: nodeNs.get(e.node) ?? null,
        remote: hostOf(other.node).address,
      };
    };
    return { id: s.link.id, vni: s.vni, mtu: s.link.mtu, ends: [end(a, b), end(b, a)] as [StitchEnd, StitchEnd] };
  });
  const ports: Record<string, string[]> = Object.fromEntries(hosts.map((h) => [h.netns, [] as string[]]));
  const rootEnds = single.rootEnds.filter((e) => !stitchedEnds.has(`${e.node}:${e.ifname}`));
  for (const e of rootEnds) {
    e.netns = hostOf(e.node).netns;
    ports[e.netns]!.push(e.ifname);
  }
  const underlayMtu = Math.max(MIN_UNDERLAY_MTU, ...placement.stitched.map(stitchedUnderlayMtu));
  const record: SplitRecord = {
    hosts,
    underlay: `fh-${lab}-ul`,
    mgmt: `fh-${lab}-mg`,
    client: nets.client,
    underlayPrefix: nets.underlayPrefix,
    mgmtPrefix: nets.mgmtPrefix,
    underlayMtu,
    dstPort: STITCH_DST_PORT,
    switches: switchReach(model, hostsFile, placement),
    stitched,
    ports,
  };
  const plan: NetnsPlan = {
    ...single,
    links: single.links.filter((l) => !stitchedIds.has(l.id)),
    // Bridge ports live in their hosts' namespaces now: nothing of the lab is in the root namespace.
    rootEnds: [],
    objects: {
      netns: [...single.objects.netns, ...hosts.map((h) => h.netns), record.underlay, record.mgmt],
      rootIfs: [],
      // The bridges are in the hosts' own databases, which go with their daemons.
      bridges: [],
    },
  };
  return { plan, record };
}

/**
 * Where each bridge of a split lab is reached, for the host-networking adapter; with the model,
 * also its ports (every interface of the switch node: veth ends, stitched links, guest taps).
 */
export function splitSites(rec: SplitRecord, model?: LabModel): OvsSite[] {
  const byName = new Map(rec.hosts.map((h) => [h.name, h]));
  const ifs = new Map(model?.nodes.map((n) => [n.name, n.interfaces.map((i) => i.name)]));
  return rec.switches.map((s) => {
    const h = byName.get(s.host)!;
    return {
      ...(model ? { ports: ifs.get(s.node) ?? [] } : {}),
      bridge: s.bridge,
      netns: h.netns,
      db: `unix:${h.dir}/db.sock`,
      connect: s.connect,
      client: rec.mgmt,
      ctl: `${h.dir}/ovs-vswitchd.ctl`,
    };
  });
}

/** Each emulated host's interface on the underlay (split-deploy.ts names it so). */
export const UNDERLAY_IFNAME = 'ul';

/**
 * Where a split lab's bridge ends are captured: in their host's namespace, not in the root
 * namespace. A stitched link end is captured there on the underlay, the link's VXLAN frames only
 * (`via`), so its captures show the outer VXLAN the link crosses the hosts in; both directions
 * of the link cross that interface.
 */
export function splitStatus(doc: StatusDoc, rec: SplitRecord): StatusDoc {
  const hostNs = new Map(rec.hosts.map((h) => [h.name, h.netns]));
  const nsOf = new Map(rec.switches.map((s) => [s.node, hostNs.get(s.host)!]));
  const stitched = new Map(rec.stitched.map((s) => [s.id, s]));
  for (const l of doc.links) {
    const s = stitched.get(l.id);
    for (const e of l.endpoints) {
      const end = s?.ends.find((x) => x.node === e.node);
      if (s && end) {
        // The VXLAN device is in the host's namespace, or moved into the node's.
        e.netns = end.nodeNetns ?? hostNs.get(end.host)!;
        e.hostIf = null;
        const via = { netns: hostNs.get(end.host)!, ifname: UNDERLAY_IFNAME };
        e.via = { ...via, vxlan: { vni: s.vni, dstPort: rec.dstPort } };
        continue;
      }
      const ns = e.netns === null ? nsOf.get(e.node) : undefined;
      if (ns) {
        e.netns = ns;
        e.hostIf = null;
      }
    }
  }
  return doc;
}
