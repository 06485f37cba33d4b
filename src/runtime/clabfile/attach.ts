// `fabric attach <lab> --clab <file>`: adopts a lab that containerlab (or `fabric clab deploy`)
// deployed from a fabric-generated topology. The file must be what the intent generates (compared
// structurally); the containers `clab-<lab>-<node>`, their interfaces, the bridges and their ports
// must all be there. fabric then links each container's namespace at /run/netns, turns tx offload
// and IPv6 off on the veth ends, sets the access ports' VLANs (the file carries them as endpoint
// vars containerlab ignores) and the access switches' NORMAL baseline, and writes its state file
// with runtime `attached`. Nothing is created or deleted: detach (attached.ts) undoes exactly this.
import { DiagnosticBag } from '../../errors/diagnostics.js';
import { FabricError } from '../../errors/fabric-error.js';
import { hostNet, type NsJob } from '../../hostnet/index.js';
import type { LabModel } from '../../topology/model.js';
import { accessFlows } from '../netns/commands.js';
import { planLab, type NetnsPlan } from '../netns/plan.js';
import { timed } from '../netns/timed.js';
import { linkNetns, type DockerLike } from '../docker/containers.js';
import { dockerClient, ensureDockerd } from '../docker/engine.js';
import { emptyObjects, readState, writeState } from '../state.js';
import type { LabState, ProgressEvent } from '../types.js';
import { checkMatches } from './compare.js';
import { parseClabText } from './parse.js';

export const ATTACHED_RUNTIME = 'attached';

export interface AttachOptions {
  /** The topology file the lab was deployed from, and its text. */
  clabFile: string;
  clabText: string;
  /** What `fabric generate` writes for the intent now. */
  expectedText: string;
  /** How the intent is named in hints (e.g. labs/mtdc/fabric.yml). */
  intentLabel: string;
  onProgress?: (ev: ProgressEvent) => void;
  docker?: DockerLike;
}

/** ovs-vsctl words setting (or, `clear`, clearing) the VLAN columns of the access switches' ports. */
export function accessPortCommands(plan: NetnsPlan, clear = false): string[] {
  const out: string[] = [];
  for (const b of plan.ovsBridges) {
    if (!b.access) continue;
    for (const p of b.ports) {
      if (clear) {
        for (const col of ['tag', 'trunks', 'vlan_mode']) out.push('--', 'clear', 'Port', p.name, col);
        continue;
      }
      const cols =
        p.accessVlan !== undefined
          ? [`tag=${p.accessVlan}`, 'vlan_mode=access', 'trunks=[]']
          : ['tag=[]', 'vlan_mode=trunk', `trunks=${p.trunks?.length ? p.trunks.join(',') : '[]'}`];
      out.push('--', 'set', 'Port', p.name, ...cols);
    }
  }
  return out;
}

/** Everything the file declares that is not on the machine, as located diagnostics. */
async function discover(plan: NetnsPlan, docker: DockerLike, file: string): Promise<Map<string, number>> {
  const bag = new DiagnosticBag();
  const missing = (what: string) => bag.add({ code: 'E_ATTACH_MISSING', file, message: what });
  const pids = new Map<string, number>();
  for (const ns of plan.namespaces) {
    try {
      const info = await docker.getContainer(ns.netns).inspect();
      if (info.State.Running && info.State.Pid) pids.set(ns.netns, info.State.Pid);
      else missing(`container ${ns.netns} (node ${ns.node}) is not running`);
    } catch {
      missing(`no container ${ns.netns} (node ${ns.node})`);
    }
  }
  bag.throwIfAny('attach');
  const h = hostNet();
  const bridges = new Set(await h.ovs.bridgeNames());
  for (const b of plan.ovsBridges) if (!bridges.has(b.name)) missing(`no OVS bridge ${b.name} (node ${b.node})`);
  const ofports = await h.ovs.ofports();
  for (const b of plan.ovsBridges)
    for (const p of b.ports) if (!ofports.has(p.name)) missing(`no OVS port ${p.name} on ${b.name}`);
  for (const [ns, pid] of pids) linkNetns(ns, pid);
  const inNs = await h.ip.linksInAllNetns();
  for (const ns of plan.namespaces)
    for (const e of ns.vethEnds)
      if (!inNs.get(ns.netns)?.has(e.ifname)) missing(`no interface ${e.ifname} in ${ns.netns}`);
  bag.throwIfAny('attach');
  return pids;
}

export async function attachLab(model: LabModel, opts: AttachOptions): Promise<LabState> {
  const plan = planLab(model);
  const lab = plan.lab;
  const prior = readState(lab);
  if (prior && prior.runtime !== ATTACHED_RUNTIME)
    throw new FabricError('E_LAB_OTHER_RUNTIME', `lab ${lab} is deployed by fabric on runtime ${prior.runtime}`, {
      hint: `attach adopts labs containerlab deployed; fabric down ${lab} removes this one`,
    });
  const given = parseClabText(opts.clabText, opts.clabFile);
  const expected = parseClabText(opts.expectedText, 'generated');
  checkMatches(expected.data, given.data, given.source, opts.intentLabel);

  const stages: ProgressEvent[] = [];
  const p = opts.onProgress;
  await timed(
    stages,
    'engine',
    () => ensureDockerd(),
    (e) => `dockerd on ${e.socket}`,
    p,
  );
  const docker = opts.docker ?? (dockerClient() as unknown as DockerLike);
  const h = hostNet();
  await timed(
    stages,
    'ovs-daemon',
    () => h.daemon.ensure(),
    () => 'vlan-limit=2',
    p,
  );
  const pids = await timed(
    stages,
    'discover',
    () => discover(plan, docker, given.source.file),
    (m) => `${m.size} containers, ${plan.ovsBridges.length} bridges, ${plan.links.length} links found; netns linked`,
    p,
  );
  const now = new Date().toISOString();
  const state: LabState = {
    stateVersion: 1,
    lab,
    runtime: ATTACHED_RUNTIME,
    phase: 'deploying',
    startedAt: prior?.startedAt ?? now,
    updatedAt: now,
    // Only the namespace links are fabric's; containers, veths and bridges stay containerlab's.
    planned: { ...emptyObjects(), netns: [...pids.keys()] },
    created: { ...emptyObjects(), netns: [...pids.keys()] },
    stages,
    model,
  };
  writeState(state);
  const rootEnds = plan.rootEnds.map((e) => e.ifname);
  await timed(
    stages,
    'converge',
    async () => {
      h.kernel.disableIpv6Root(rootEnds);
      await h.kernel.txOffloadOff(null, rootEnds);
      const jobs: NsJob[] = plan.namespaces.flatMap((n) =>
        n.vethEnds.map((e) => ({ netns: n.netns, kind: 'tx-offload-off' as const, ifname: e.ifname })),
      );
      await h.ip.inEachNetns(jobs);
      await h.ovs.transaction(accessPortCommands(plan));
      await h.ovs.addFlowEach(accessFlows(plan.ovsBridges));
    },
    () =>
      `${rootEnds.length} host ends and ${plan.links.length} links: tx offload off, IPv6 off on host ends; access VLANs and NORMAL baseline`,
    p,
  );
  state.phase = 'deployed';
  writeState(state);
  return state;
}
