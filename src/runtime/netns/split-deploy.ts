// Deploying a lab split over emulated hosts: the hosts (namespaces joined by an underlay and a
// management network), their own OVS daemons, each host's bridges with an OpenFlow listener on
// its management address, then the node namespaces and veths as on one machine, the stitched
// links' VXLAN devices built as containerlab builds a `type: vxlan` link, and the ports. Every
// command goes through the host-networking adapter.
import { hostNet, type NsJob } from '../../hostnet/index.js';
import { labAlias } from '../../names/index.js';
import { addObjects, writeState } from '../state.js';
import type { SplitRecord } from '../types.js';
import { accessFlows, ovsBridgeCommands, ovsPortCommands } from './commands.js';
import { missingLinks, nsConfigStage, sysctlStage, vethStage, type DeployRun } from './deploy.js';
import type { NsPlan } from './plan.js';
import type { Snapshot } from './system.js';
import { timed } from './timed.js';

const dbOf = (dir: string): string[] => [`--db=unix:${dir}/db.sock`];

function stage<T>(d: DeployRun, name: string, fn: () => Promise<T>, detail?: (r: T) => string): Promise<T> {
  return timed(d.state.stages, name, fn, detail, d.onProgress);
}

/** Root-namespace `ip -batch` lines: each host's underlay and management veths, made in place. */
export function hostWiringLines(rec: SplitRecord): string[] {
  return rec.hosts.flatMap((h) => [
    `link add name ul mtu ${rec.underlayMtu} netns ${h.netns} type veth peer name ${h.name} mtu ${rec.underlayMtu} netns ${rec.underlay}`,
    `link add name mg netns ${h.netns} type veth peer name ${h.name} netns ${rec.mgmt}`,
  ]);
}

/** Per-namespace batches: the two networks' bridges, and each host's addresses. */
export function hostJobs(rec: SplitRecord): NsJob[] {
  const enslave = rec.hosts.flatMap((h) => [`link set dev ${h.name} master br`, `link set dev ${h.name} up`]);
  return [
    {
      netns: rec.underlay,
      kind: 'ip-batch',
      lines: [`link add name br mtu ${rec.underlayMtu} type bridge`, ...enslave, 'link set dev br up'],
    },
    {
      netns: rec.mgmt,
      kind: 'ip-batch',
      lines: [
        'link add name br type bridge',
        ...enslave,
        `addr add ${rec.client}/${rec.mgmtPrefix ?? 24} dev br`,
        'link set dev br up',
      ],
    },
    ...rec.hosts.map((h): NsJob => ({
      netns: h.netns,
      kind: 'ip-batch',
      lines: [
        'link set dev lo up',
        `addr add ${h.address}/${rec.underlayPrefix ?? 24} dev ul`,
        'link set dev ul up',
        `addr add ${h.mgmt}/${rec.mgmtPrefix ?? 24} dev mg`,
        'link set dev mg up',
      ],
    })),
  ];
}

/**
 * `ip -batch` lines (inside the host) for its ends of stitched links, as containerlab builds a
 * vxlan link: a VXLAN device towards the other host (parent: the underlay, learning on, the
 * link's dst-port and MTU), renamed to the endpoint's interface, then moved into the node's
 * namespace or left for the bridge to take as a port.
 */
export function vxlanLines(rec: SplitRecord, host: string): string[] {
  const out: string[] = [];
  for (const s of rec.stitched) {
    for (const e of s.ends) {
      if (e.host !== host) continue;
      const tmp = `vx${s.vni}`;
      out.push(
        `link add name ${tmp} mtu ${s.mtu} type vxlan id ${s.vni} remote ${e.remote} dev ul dstport ${rec.dstPort} learning`,
        `link set dev ${tmp} name ${e.ifname}`,
        e.nodeNetns ? `link set dev ${e.ifname} netns ${e.nodeNetns}` : `link set dev ${e.ifname} up`,
      );
    }
  }
  return out;
}

/** The hosts: namespaces (IPv6 off), underlay and management network, then their OVS daemons. */
async function hostsStage(d: DeployRun, rec: SplitRecord, snap: Snapshot): Promise<boolean> {
  const h = hostNet();
  const nss = [...rec.hosts.map((x) => x.netns), rec.underlay, rec.mgmt];
  const fresh = nss.every((n) => !snap.netns.has(n));
  await stage(
    d,
    'hosts',
    async () => {
      if (!fresh) return;
      await h.ip.addNetns(nss);
      addObjects(d.state.created, { netns: nss });
      writeState(d.state);
      const off = ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'];
      // The lab's marker first: `fabric down --all` finds the hosts by it once the state is gone.
      const mark = [`link set dev lo alias ${labAlias(d.lab)}`];
      await h.ip.inEachNetns(nss.map((netns): NsJob => ({ netns, kind: 'ip-batch', lines: mark })));
      await h.ip.inEachNetns(nss.map((netns) => ({ netns, kind: 'sysctl', settings: off })));
      await h.ip.batch(hostWiringLines(rec));
      await h.ip.inEachNetns(hostJobs(rec));
    },
    () =>
      `${rec.hosts.length} emulated hosts ${fresh ? 'created' : 'kept'}, underlay MTU ${rec.underlayMtu}, management ${rec.client}/${rec.mgmtPrefix ?? 24}`,
  );
  await stage(
    d,
    'host-ovs',
    async () => {
      for (const x of rec.hosts) x.pids = await h.daemon.startAt(x.netns, x.dir);
      writeState(d.state);
    },
    () => rec.hosts.map((x) => `${x.name}: ovs-vswitchd ${x.pids?.ovsVswitchd}`).join(', '),
  );
  return fresh;
}

/** Each host's bridges in its own database, each with its listener, then the access baseline. */
async function bridgesStage(d: DeployRun, rec: SplitRecord): Promise<void> {
  const h = hostNet();
  await stage(
    d,
    'ovs-bridges',
    async () => {
      for (const x of rec.hosts) {
        const mine = rec.switches.filter((s) => s.host === x.name);
        const bridges = d.plan.ovsBridges.filter((b) => mine.some((s) => s.bridge === b.name));
        const listen = mine.flatMap((s) => ['--', 'set-controller', s.bridge, s.listen]);
        await h.ovs.transaction([...ovsBridgeCommands(d.lab, bridges), ...listen], { at: { vsctl: dbOf(x.dir) } });
      }
    },
    () => `${rec.switches.length} bridges, each listening on its host's management address only`,
  );
  const flows = accessFlows(d.plan.ovsBridges);
  await stage(
    d,
    'flows',
    () => h.ovs.addFlowEach(flows),
    () => `NORMAL baseline on ${flows.length} tenant access switches (OpenFlow TCP)`,
  );
}

async function portsStage(d: DeployRun, rec: SplitRecord): Promise<void> {
  const h = hostNet();
  await stage(
    d,
    'host-side',
    () =>
      h.ip.inEachNetns(
        Object.entries(rec.ports).flatMap(([netns, ports]): NsJob[] => [
          { netns, kind: 'ip-batch', lines: ports.map((p) => `link set dev ${p} up`) },
          ...ports.map((ifname): NsJob => ({ netns, kind: 'tx-offload-off', ifname })),
        ]),
      ),
    () => `${Object.values(rec.ports).flat().length} bridge-side veth ends in their hosts: tx offload off, up`,
  );
  await stage(
    d,
    'ovs-ports',
    async () => {
      for (const x of rec.hosts) {
        const mine = new Set(rec.switches.filter((s) => s.host === x.name).map((s) => s.bridge));
        const calls = ovsPortCommands(
          d.lab,
          d.plan.ovsBridges.filter((b) => mine.has(b.name)),
        );
        for (const c of calls) await h.ovs.transaction(c, { noWait: true, at: { vsctl: dbOf(x.dir) } });
        // One wait for the host's ovs-vswitchd to apply them all.
        await h.ovs.transaction(['set', 'Open_vSwitch', '.', 'other_config:vlan-limit=2'], {
          at: { vsctl: dbOf(x.dir) },
        });
      }
    },
    () => `${d.plan.ovsBridges.reduce((s, b) => s + b.ports.length, 0)} ports on ${rec.hosts.length} hosts`,
  );
}

/** The split deploy; `createNodes` makes the node namespaces (the runtime's own way). */
export async function deploySplit(
  d: DeployRun,
  rec: SplitRecord,
  snap: Snapshot,
  createNodes: (missing: NsPlan[]) => Promise<string>,
  nodeStage: string,
): Promise<void> {
  const h = hostNet();
  const fresh = await hostsStage(d, rec, snap);
  await bridgesStage(d, rec);
  const newNs = d.plan.namespaces.filter((n) => !snap.netns.has(n.netns));
  await stage(d, nodeStage, () => createNodes(newNs));
  addObjects(d.state.created, { netns: d.plan.namespaces.map((n) => n.netns) });
  writeState(d.state);
  await sysctlStage(d);
  const existingNs = fresh ? new Map<string, Map<string, string | undefined>>() : await h.ip.linksInAllNetns();
  await vethStage(d, missingLinks(d, snap, existingNs), snap);
  await stage(
    d,
    'vxlan',
    async () => {
      if (!fresh) return;
      for (const x of rec.hosts) await h.ip.batch(vxlanLines(rec, x.name), { netns: x.netns });
    },
    () => `${rec.stitched.length} stitched links, VXLAN udp ${rec.dstPort} between the hosts`,
  );
  await portsStage(d, rec);
  await nsConfigStage(d, existingNs);
}
