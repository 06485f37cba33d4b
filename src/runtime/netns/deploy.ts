// The stages of a netns deploy after the namespaces exist, each through the host-networking
// adapter: OVS bridges and baseline flows, sysctls, veths, the host side, OVS ports and each
// namespace's own configuration. Design traps handled here: tx checksum offload off on every
// veth end, IPv6 off, vlan-limit=2, fail_mode=secure, VXLAN dstport explicit.
import { FabricError } from '../../errors/fabric-error.js';
import { hostNet, type NsJob } from '../../hostnet/index.js';
import { labAlias } from '../../names/index.js';
import { addObjects, writeState } from '../state.js';
import type { LabState, ProgressEvent } from '../types.js';
import {
  accessFlows,
  linuxBridgeCreateLines,
  linuxBridgeUpLines,
  nsBatch,
  nsSysctlSettings,
  ovsBridgeCommands,
  ovsPortCommands,
  rootMarkLines,
  vethLine,
} from './commands.js';
import type { NetnsPlan, PlannedLink } from './plan.js';
import type { Snapshot } from './system.js';
import { timed } from './timed.js';

/** One deploy in progress: its plan, its state file and where stage timings go. */
export interface DeployRun {
  lab: string;
  plan: NetnsPlan;
  state: LabState;
  onProgress?: (ev: ProgressEvent) => void;
}

type NsLinks = Map<string, Map<string, string | undefined>>;

function stage<T>(d: DeployRun, name: string, fn: () => Promise<T>, detail?: (r: T) => string): Promise<T> {
  return timed(d.state.stages, name, fn, detail, d.onProgress);
}

/** Refuses to build over objects that belong to another lab or to something else. */
export function checkClashes(lab: string, plan: NetnsPlan, snap: Snapshot, ours: Set<string>): void {
  const mine = labAlias(lab);
  for (const b of plan.objects.bridges) {
    const owner = snap.bridges.get(b);
    if (snap.bridges.has(b) && owner !== lab) {
      throw new FabricError(
        'E_NAME_CLASH',
        `OVS bridge ${b} already exists and belongs to ${owner ? `lab ${owner}` : 'something else'}`,
        { hint: 'bridge names are machine-wide; rename the node or remove the other bridge' },
      );
    }
  }
  for (const i of plan.objects.rootIfs) {
    if (!snap.rootLinks.has(i)) continue;
    const a = snap.rootLinks.get(i);
    // Unmarked but listed by our own earlier (crashed) deploy: ours, converge on it.
    if (a !== mine && !(a === undefined && ours.has(i))) {
      throw new FabricError(
        'E_NAME_CLASH',
        `interface ${i} already exists in the root namespace${a ? ` (${a})` : ''}`,
        { hint: 'root-namespace names are machine-wide; remove the other interface or rename the node' },
      );
    }
  }
}

/**
 * Bridges and the access-switch baseline flows need no veth, so they are built while the kernel
 * side runs. Flows go in before the ports, while ovs-vswitchd's main loop is still cheap (with
 * many userspace ports every OpenFlow request waits on a long loop).
 */
export async function ovsBridgesStage(d: DeployRun): Promise<void> {
  const br = ovsBridgeCommands(d.lab, d.plan.ovsBridges);
  await stage(
    d,
    'ovs-bridges',
    () => hostNet().ovs.transaction(br),
    () => `${d.plan.ovsBridges.length} bridges (secure, netdev, OpenFlow10-15)`,
  );
  addObjects(d.state.created, { bridges: d.plan.objects.bridges });
  writeState(d.state);
  const flows = accessFlows(d.plan.ovsBridges);
  await stage(
    d,
    'flows',
    () => hostNet().ovs.addFlowEach(flows),
    () => `NORMAL baseline on ${flows.length} tenant access switches`,
  );
}

/** IPv6 default off in every namespace, BEFORE veths appear (so they inherit it). */
export async function sysctlStage(d: DeployRun): Promise<void> {
  const ns = d.plan.namespaces;
  await stage(
    d,
    'sysctl',
    () => hostNet().ip.inEachNetns(ns.map((n) => ({ netns: n.netns, kind: 'sysctl', settings: nsSysctlSettings(n) }))),
    () => `IPv6 off in ${ns.length} namespaces`,
  );
}

/** Links not on the machine yet (a pair exists or not as a whole: one end alone is drift). */
export function missingLinks(d: DeployRun, snap: Snapshot, existingNs: NsLinks): PlannedLink[] {
  const endExists = (e: { netns: string | null; ifname: string }): boolean =>
    e.netns ? (existingNs.get(e.netns)?.has(e.ifname) ?? false) : snap.rootLinks.has(e.ifname);
  return d.plan.links.filter((l) => {
    const a = endExists(l.a);
    const b = endExists(l.b);
    if (a !== b) {
      throw new FabricError('E_LAB_DRIFT', `link ${l.id}: only one end exists (${a ? l.a.ifname : l.b.ifname})`, {
        hint: `run fabric down ${d.lab}, then up again`,
      });
    }
    return !a;
  });
}

/** veth pairs (straight into their namespaces), root Linux bridges, and the root ends' markers. */
export async function vethStage(d: DeployRun, missing: PlannedLink[], snap: Snapshot): Promise<void> {
  const { lab, plan } = d;
  await stage(
    d,
    'veth',
    async () => {
      const lines = missing.map(vethLine);
      for (const b of plan.linuxBridges) lines.push(...linuxBridgeCreateLines(lab, b, snap.rootLinks.has(b.name)));
      lines.push(...rootMarkLines(lab, rootNames(plan)));
      await hostNet().ip.batch(lines);
    },
    () => `${missing.length} created, ${plan.links.length - missing.length} kept`,
  );
  addObjects(d.state.created, { rootIfs: plan.objects.rootIfs });
  writeState(d.state);
}

export function rootNames(plan: NetnsPlan): string[] {
  return plan.rootEnds.map((e) => e.ifname);
}

/** Root-namespace veth ends and Linux bridges: IPv6 off, up, enslaved, tx offload off. */
export async function hostSideStage(d: DeployRun): Promise<void> {
  const names = rootNames(d.plan);
  const h = hostNet();
  await stage(
    d,
    'host-side',
    async () => {
      h.kernel.disableIpv6Root([...names, ...d.plan.linuxBridges.map((b) => b.name)]);
      await h.ip.batch([
        ...names.map((n) => `link set dev ${n} up`),
        ...d.plan.linuxBridges.flatMap(linuxBridgeUpLines),
      ]);
      await h.kernel.txOffloadOff(null, names);
    },
    () => `${names.length} host-side veth ends: IPv6 off, tx offload off, up`,
  );
}

/**
 * OVS ports in chunked transactions. Every chunk is committed without waiting, then one wait for
 * ovs-vswitchd to apply them all: it reconfigures once per wait, and each reconfiguration walks
 * every port.
 */
export async function ovsPortsStage(d: DeployRun): Promise<void> {
  const calls = ovsPortCommands(d.lab, d.plan.ovsBridges);
  const h = hostNet();
  await stage(
    d,
    'ovs-ports',
    async () => {
      for (const c of calls) await h.ovs.transaction(c, { noWait: true });
      await h.ovs.setOtherConfig('vlan-limit', '2');
    },
    () => `${d.plan.ovsBridges.reduce((s, b) => s + b.ports.length, 0)} ports in ${calls.length} transactions`,
  );
}

/** Inside every namespace: per-interface IPv6 where addressed, then its batch and tx offload off. */
export async function nsConfigStage(d: DeployRun, existingNs: NsLinks): Promise<void> {
  const { lab, plan } = d;
  const h = hostNet();
  await stage(
    d,
    'ns-config',
    async () => {
      const v6 = plan.namespaces.filter((n) => n.ipv6Ifs.length);
      await h.ip.inEachNetns(
        v6.map((n) => ({
          netns: n.netns,
          kind: 'sysctl',
          settings: n.ipv6Ifs.map((i) => `net.ipv6.conf.${i}.disable_ipv6=0`),
        })),
      );
      const jobs: NsJob[] = [];
      for (const n of plan.namespaces) {
        jobs.push({ netns: n.netns, kind: 'ip-batch', lines: nsBatch(lab, n, existingNs.get(n.netns)) });
        for (const e of n.vethEnds) jobs.push({ netns: n.netns, kind: 'tx-offload-off', ifname: e.ifname });
      }
      await h.ip.inEachNetns(jobs);
    },
    () => `${plan.namespaces.length} namespaces: lo, links, netdevs, addresses, routes, tx offload off`,
  );
}
