// The embedded `netns` runtime: each namespace node is `clab-<lab>-<node>`, bridges are Open
// vSwitch userspace bridges (datapath_type=netdev, fail_mode=secure) in the root namespace, and
// links are veth pairs created with both ends directly in their final namespaces. Work is done
// in batches (ip -batch, xargs fan-out, chunked ovs-vsctl transactions) so 1,000 nodes come up in
// seconds. Datapath traps handled here (docs/design-facts.md): tx checksum offload off on every veth end, IPv6 off,
// vlan-limit=2 (daemon), fail_mode=secure, VXLAN dstport explicit.
import { FabricError } from '../../errors/fabric-error.js';
import { hostNet, type RunResult } from '../../hostnet/index.js';
import type { LabModel } from '../../topology/model.js';
import { checkLabName, labAlias, NETNS_PREFIX, netnsName } from '../../names/index.js';
import { addObjects, emptyObjects, listStates, readState, writeState } from '../state.js';
import { getRuntime } from '../registry.js';
import { buildStatus } from '../status.js';
import type { DeployOptions, DestroyOptions, DestroyReport, LabState, Runtime, StatusDoc } from '../types.js';
import {
  checkClashes,
  hostSideStage,
  missingLinks,
  nsConfigStage,
  ovsBridgesStage,
  ovsPortsStage,
  sysctlStage,
  vethStage,
  type DeployRun,
} from './deploy.js';
import { destroyLab, type Discovery } from './destroy.js';
import { placement, planLab, type NetnsPlan, type NsPlan } from './plan.js';
import { snapshot, type Snapshot } from './system.js';
import { timed } from './timed.js';
import { splitPlan, splitStatus } from './split.js';
import { deploySplit } from './split-deploy.js';
import { forgetHosts, stopHosts } from './split-destroy.js';
import { hostDirsOnMachine, removeHostDirs, splitLabsFound, stopHostDirs } from './split-orphans.js';

export const RUNTIME_NAME = 'netns';

export class NetnsRuntime implements Runtime {
  // Subclasses (the docker runtime) reuse every stage and swap only how node namespaces are
  // made and removed: `name`, `nodeStage`, createNodes() and removeNodes().
  readonly name: string = RUNTIME_NAME;
  protected readonly nodeStage: string = 'netns';

  /** Makes the namespaces of the nodes (`missing`: those not on the machine yet); returns the stage detail. */
  protected async createNodes(_lab: string, plan: NetnsPlan, missing: NsPlan[]): Promise<string> {
    await hostNet().ip.addNetns(missing.map((n) => n.netns));
    return `${missing.length} created, ${plan.namespaces.length - missing.length} kept`;
  }

  /** Removes node namespaces (their veths go with them). */
  protected async removeNodes(_lab: string, netns: string[]): Promise<void> {
    await hostNet().ip.delNetns(netns);
  }

  async list(): Promise<string[]> {
    return listStates().filter((lab) => readState(lab)?.runtime === this.name);
  }

  async deploy(model: LabModel, opts: DeployOptions = {}): Promise<LabState> {
    const single = planLab(model); // validates every name before anything runs
    const lab = single.lab;
    if (opts.hosts !== undefined && this.name !== RUNTIME_NAME)
      throw new FabricError('E_USAGE', `runtime ${this.name} does not emulate hosts`, {
        hint: 'fabric up --hosts runs on the netns runtime',
      });
    const split = opts.hosts !== undefined ? splitPlan(model, single, opts.hosts) : null;
    const plan = split?.plan ?? single;
    const prior = readState(lab);
    if (prior && prior.runtime !== this.name) {
      throw new FabricError('E_LAB_EXISTS', `lab ${lab} is deployed with runtime ${prior.runtime}`, {
        hint: `run fabric down ${lab} first`,
      });
    }
    if (prior && (prior.split?.hosts.length ?? 1) !== (split?.record.hosts.length ?? 1)) {
      throw new FabricError(
        'E_LAB_EXISTS',
        `lab ${lab} is deployed on ${prior.split?.hosts.length ?? 1} host(s), not ${split?.record.hosts.length ?? 1}`,
        { hint: `run fabric down ${lab} first` },
      );
    }
    const now = new Date().toISOString();
    const state: LabState = {
      stateVersion: 1,
      lab,
      runtime: this.name,
      phase: 'deploying',
      startedAt: prior?.startedAt ?? now,
      updatedAt: now,
      planned: emptyObjects(),
      created: prior?.created ?? emptyObjects(),
      stages: [],
      model,
      ...(split ? { split: split.record } : {}),
    };
    // Keep what an earlier deploy planned: a changed model must not orphan old objects.
    if (prior) addObjects(state.planned, prior.planned);
    addObjects(state.planned, plan.objects);
    writeState(state); // BEFORE anything is created: a crash from here on is cleanable
    const d: DeployRun = { lab, plan, state, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) };
    const h = hostNet();
    if (split) {
      const snap = await timed(state.stages, 'inspect', () => snapshot({ ovs: false }), undefined, opts.onProgress);
      await deploySplit(d, split.record, snap, (missing) => this.createNodes(lab, plan, missing), this.nodeStage);
      state.phase = 'deployed';
      writeState(state);
      return state;
    }

    await timed(
      state.stages,
      'ovs-daemon',
      () => h.daemon.ensure(),
      (s) =>
        s.hostChanges?.length
          ? `host change: ${s.hostChanges.join('; ')}`
          : 'ovsdb-server and ovs-vswitchd reused, vlan-limit=2 already set',
      opts.onProgress,
    );
    const snap = await timed(
      state.stages,
      'inspect',
      () => snapshot(),
      (s) => `${s.netns.size} namespaces, ${s.bridges.size} OVS bridges on the machine`,
      opts.onProgress,
    );
    checkClashes(lab, plan, snap, new Set(prior?.planned.rootIfs ?? []));

    const ovsEarly = ovsBridgesStage(d);
    // Surface a failure of the early branch only when it is awaited (no unhandled rejection).
    ovsEarly.catch(() => undefined);

    const newNs = plan.namespaces.filter((n) => !snap.netns.has(n.netns));
    await timed(
      state.stages,
      this.nodeStage,
      () => this.createNodes(lab, plan, newNs),
      (x) => x,
      opts.onProgress,
    );
    addObjects(state.created, { netns: plan.namespaces.map((n) => n.netns) });
    writeState(state);
    await sysctlStage(d);

    const existingNs =
      newNs.length === plan.namespaces.length
        ? new Map<string, Map<string, string | undefined>>()
        : await h.ip.linksInAllNetns();
    await vethStage(d, missingLinks(d, snap, existingNs), snap);

    // Host side then OVS ports, beside the namespaces. (Adding the ports while the host ends are
    // configured was measured slower: ovs-vswitchd's single main loop is starved by the fan-out.)
    await Promise.all([
      (async () => {
        await hostSideStage(d);
        await ovsEarly;
        await ovsPortsStage(d);
      })(),
      nsConfigStage(d, existingNs),
    ]);

    state.phase = 'deployed';
    writeState(state);
    return state;
  }

  async status(lab: string): Promise<StatusDoc> {
    const state = readState(checkLabName(lab));
    if (!state)
      throw new FabricError('E_LAB_NOT_FOUND', `lab ${lab} is not deployed (no state file)`, {
        hint: 'run fabric up <lab file> first',
      });
    const doc = buildStatus(state.model, state.runtime);
    return state.split ? splitStatus(doc, state.split) : doc;
  }

  async exec(
    lab: string,
    node: string,
    argv: string[],
    opts: { input?: string; timeout?: number } = {},
  ): Promise<RunResult> {
    const state = readState(checkLabName(lab));
    if (!state) throw new FabricError('E_LAB_NOT_FOUND', `lab ${lab} is not deployed (no state file)`);
    const n = state.model.nodes.find((x) => x.name === node);
    if (!n) throw new FabricError('E_UNKNOWN_NODE', `lab ${lab} has no node ${node}`);
    if (!argv.length) throw new FabricError('E_USAGE', 'exec needs a command');
    return hostNet().ip.exec(placement(n) === 'netns' ? netnsName(lab, node) : null, argv, opts);
  }

  async destroy(lab: string, opts: DestroyOptions = {}): Promise<DestroyReport> {
    checkLabName(lab);
    const snap = await snapshot({ ovs: !readState(lab)?.split });
    return this.destroyWith(lab, snap, null, opts);
  }

  async destroyAll(opts: DestroyOptions = {}): Promise<DestroyReport[]> {
    const snap = await snapshot();
    const nsLinks = await hostNet().ip.linksInAllNetns();
    const labs = new Set(listStates());
    const fromAlias = (a: string | undefined): string | undefined =>
      a?.startsWith(`${labAlias('')}`) ? a.slice(labAlias('').length) : undefined;
    for (const v of snap.bridges.values()) if (v) labs.add(v);
    for (const a of snap.rootLinks.values()) {
      const l = fromAlias(a);
      if (l) labs.add(l);
    }
    for (const [ns, links] of nsLinks) {
      const l = fromAlias(links.get('lo'));
      if (l && ns.startsWith(NETNS_PREFIX)) labs.add(l);
    }
    const hostDirs = hostDirsOnMachine();
    for (const l of splitLabsFound(nsLinks, hostDirs)) labs.add(l);
    const reports: DestroyReport[] = [];
    for (const lab of [...labs].sort()) {
      if (opts.labFilter && !opts.labFilter(lab)) continue;
      try {
        checkLabName(lab);
      } catch {
        continue; // a marker we did not write: never act on it
      }
      const other = readState(lab)?.runtime;
      if (other && other !== this.name) {
        reports.push(await getRuntime(other).destroy(lab, opts)); // a lab of another runtime: its own teardown
        continue;
      }
      reports.push(await this.destroyWith(lab, snap, { nsLinks, knownLabs: labs, hostDirs }, opts));
    }
    return reports;
  }

  private async destroyWith(
    lab: string,
    snap: Snapshot,
    discovery: Discovery | null,
    opts: DestroyOptions,
  ): Promise<DestroyReport> {
    const state = readState(lab);
    if (state && state.runtime !== this.name) {
      throw new FabricError('E_WRONG_RUNTIME', `lab ${lab} was deployed by runtime ${state.runtime}`, {
        hint: `use fabric down ${lab} --runtime ${state.runtime}`,
      });
    }
    // An emulated host's daemons first: a namespace lives on while a process runs in it.
    if (state?.split) await stopHosts(state, opts);
    else await stopHostDirs(lab, discovery?.hostDirs.get(lab) ?? []);
    const report = await destroyLab(lab, snap, discovery, opts, {
      stage: this.nodeStage,
      remove: (l, netns) => this.removeNodes(l, netns),
    });
    if (state?.split) forgetHosts(state.split, lab);
    else if (discovery?.hostDirs.has(lab)) removeHostDirs(lab);
    return report;
  }
}
