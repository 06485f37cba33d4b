// The embedded `netns` runtime: each namespace node is `clab-<lab>-<node>`, bridges are Open
// vSwitch userspace bridges (datapath_type=netdev, fail_mode=secure) in the root namespace, and
// links are veth pairs created with both ends directly in their final namespaces. Work is done
// in batches (ip -batch, xargs fan-out, chunked ovs-vsctl transactions) so 1,000 nodes come up in
// seconds. Datapath traps handled here (docs/design-facts.md): tx checksum offload off on every veth end, IPv6 off,
// vlan-limit=2 (daemon), fail_mode=secure, VXLAN dstport explicit.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FabricError } from '../../errors/fabric-error.js';
import { run, type RunResult } from '../../hostnet/exec.js';
import type { LabModel } from '../../topology/model.js';
import { checkLabName, labAlias, NETNS_PREFIX, netnsName } from '../names.js';
import { ensureOvs } from '../../hostnet/ovs-daemon.js';
import { addObjects, emptyObjects, listStates, readState, removeState, writeState } from '../state.js';
import { getRuntime } from '../registry.js';
import { buildStatus } from '../status.js';
import type {
  DeployOptions,
  DestroyOptions,
  DestroyReport,
  LabObjects,
  LabState,
  ProgressEvent,
  Runtime,
  StatusDoc,
} from '../types.js';
import {
  accessFlowLines,
  linuxBridgeCreateLines,
  linuxBridgeUpLines,
  nsBatch,
  nsSysctlArgs,
  ovsBridgeCommands,
  ovsPortCommands,
  placement,
  planLab,
  rootMarkLines,
  vethLine,
  type NetnsPlan,
  type NsPlan,
} from './plan.js';
import {
  disableIpv6Root,
  ipBatch,
  listAllNsLinks,
  listNetns,
  listOvsBridges,
  listRootLinks,
  nsPath,
  snapshot,
  xargsRun,
  type Snapshot,
} from './system.js';

export const RUNTIME_NAME = 'netns';

async function timed<T>(
  stages: ProgressEvent[],
  stage: string,
  fn: () => Promise<T>,
  detail?: (r: T) => string,
  onProgress?: (ev: ProgressEvent) => void,
): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  const ev: ProgressEvent = { stage, ms: Math.round(performance.now() - t0) };
  const d = detail?.(r);
  if (d) ev.detail = d;
  stages.push(ev);
  onProgress?.(ev);
  return r;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

export class NetnsRuntime implements Runtime {
  // Subclasses (the docker runtime) reuse every stage and swap only how node namespaces are
  // made and removed: `name`, `nodeStage`, createNodes() and removeNodes().
  readonly name: string = RUNTIME_NAME;
  protected readonly nodeStage: string = 'netns';

  /** Makes the namespaces of the nodes (`missing`: those not on the machine yet); returns the stage detail. */
  protected async createNodes(_lab: string, plan: NetnsPlan, missing: NsPlan[]): Promise<string> {
    await ipBatch(missing.map((n) => `netns add ${n.netns}`));
    return `${missing.length} created, ${plan.namespaces.length - missing.length} kept`;
  }

  /** Removes node namespaces (their veths go with them). */
  protected async removeNodes(_lab: string, netns: string[]): Promise<void> {
    await ipBatch(
      netns.map((n) => `netns delete ${n}`),
      { force: true },
    );
  }

  async list(): Promise<string[]> {
    return listStates().filter((lab) => readState(lab)?.runtime === this.name);
  }

  async deploy(model: LabModel, opts: DeployOptions = {}): Promise<LabState> {
    const plan = planLab(model); // validates every name before anything runs
    const lab = plan.lab;
    const prior = readState(lab);
    if (prior && prior.runtime !== this.name) {
      throw new FabricError('E_LAB_EXISTS', `lab ${lab} is deployed with runtime ${prior.runtime}`, {
        hint: `run fabric down ${lab} first`,
      });
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
    };
    // Keep what an earlier deploy planned: a changed model must not orphan old objects.
    if (prior) addObjects(state.planned, prior.planned);
    addObjects(state.planned, plan.objects);
    writeState(state); // BEFORE anything is created: a crash from here on is cleanable
    const st = state.stages;
    const p = opts.onProgress;

    await timed(
      st,
      'ovs-daemon',
      () => ensureOvs(),
      (s) =>
        `ovsdb-server ${s.ovsdbServer.started ? 'started' : 'reused'}, ovs-vswitchd ${s.ovsVswitchd.started ? 'started' : 'reused'}`,
      p,
    );
    const snap = await timed(
      st,
      'inspect',
      () => snapshot(),
      (s) => `${s.netns.size} namespaces, ${s.bridges.size} OVS bridges on the machine`,
      p,
    );
    checkClashes(lab, plan, snap, new Set(prior?.planned.rootIfs ?? []));

    // Bridges and the access-switch baseline flows need no veth: build them while the kernel
    // side runs. Flows go in before the ports, while ovs-vswitchd's main loop is still cheap
    // (with many userspace ports every OpenFlow request waits on a long loop).
    const ovsEarly = (async () => {
      const br = ovsBridgeCommands(lab, plan.ovsBridges);
      await timed(
        st,
        'ovs-bridges',
        async () => {
          if (br.length) await run('ovs-vsctl', ['--timeout=600', ...br], { timeout: 650_000 });
        },
        () => `${plan.ovsBridges.length} bridges (secure, netdev, OpenFlow10-15)`,
        p,
      );
      addObjects(state.created, { bridges: plan.objects.bridges });
      writeState(state);
      const flows = accessFlowLines(plan.ovsBridges);
      await timed(
        st,
        'flows',
        () => xargsRun(['ovs-ofctl'], flows),
        () => `NORMAL baseline on ${flows.length} tenant access switches`,
        p,
      );
    })();
    // Surface a failure of the early branch only when it is awaited (no unhandled rejection).
    ovsEarly.catch(() => undefined);

    // Namespaces, then their sysctls (IPv6 default off BEFORE veths appear, so they inherit it).
    const newNs = plan.namespaces.filter((n) => !snap.netns.has(n.netns));
    await timed(
      st,
      this.nodeStage,
      () => this.createNodes(lab, plan, newNs),
      (d) => d,
      p,
    );
    addObjects(state.created, { netns: plan.namespaces.map((n) => n.netns) });
    writeState(state);
    await timed(
      st,
      'sysctl',
      () =>
        xargsRun(
          ['nsenter'],
          plan.namespaces.map((n) => [`--net=${nsPath(n.netns)}`, ...nsSysctlArgs(n)].join(' ')),
        ),
      () => `IPv6 off in ${plan.namespaces.length} namespaces`,
      p,
    );

    // veth pairs: only the missing ones (a pair exists or not as a whole).
    const existingNs =
      newNs.length === plan.namespaces.length
        ? new Map<string, Map<string, string | undefined>>()
        : await listAllNsLinks();
    const endExists = (e: { netns: string | null; ifname: string }): boolean =>
      e.netns ? (existingNs.get(e.netns)?.has(e.ifname) ?? false) : snap.rootLinks.has(e.ifname);
    const missing = plan.links.filter((l) => {
      const a = endExists(l.a);
      const b = endExists(l.b);
      if (a !== b) {
        throw new FabricError('E_LAB_DRIFT', `link ${l.id}: only one end exists (${a ? l.a.ifname : l.b.ifname})`, {
          hint: `run fabric down ${lab}, then up again`,
        });
      }
      return !a;
    });
    const rootNames = plan.rootEnds.map((e) => e.ifname);
    await timed(
      st,
      'veth',
      async () => {
        const lines = missing.map(vethLine);
        for (const b of plan.linuxBridges) lines.push(...linuxBridgeCreateLines(lab, b, snap.rootLinks.has(b.name)));
        lines.push(...rootMarkLines(lab, rootNames));
        await ipBatch(lines);
      },
      () => `${missing.length} created, ${plan.links.length - missing.length} kept`,
      p,
    );
    addObjects(state.created, { rootIfs: plan.objects.rootIfs });
    writeState(state);

    // Host side and namespaces are independent from here: run them side by side.
    const hostSide = async (): Promise<void> => {
      await timed(
        st,
        'host-side',
        async () => {
          disableIpv6Root([...rootNames, ...plan.linuxBridges.map((b) => b.name)]);
          await ipBatch([
            ...rootNames.map((n) => `link set dev ${n} up`),
            ...plan.linuxBridges.flatMap(linuxBridgeUpLines),
          ]);
          await xargsRun(
            ['ethtool'],
            rootNames.map((n) => `-K ${n} tx off`),
          );
        },
        () => `${rootNames.length} host-side veth ends: IPv6 off, tx offload off, up`,
        p,
      );
    };
    const ovsPorts = async (): Promise<void> => {
      await ovsEarly;
      const calls = ovsPortCommands(lab, plan.ovsBridges);
      await timed(
        st,
        'ovs-ports',
        async () => {
          // Commit every chunk without waiting, then wait once for ovs-vswitchd to apply them
          // all: it reconfigures once per wait, and each reconfiguration walks every port.
          for (const c of calls) await run('ovs-vsctl', ['--timeout=600', '--no-wait', ...c], { timeout: 650_000 });
          await run('ovs-vsctl', ['--timeout=600', 'set', 'Open_vSwitch', '.', 'other_config:vlan-limit=2'], {
            timeout: 650_000,
          });
        },
        () => `${plan.ovsBridges.reduce((s, b) => s + b.ports.length, 0)} ports in ${calls.length} transactions`,
        p,
      );
    };
    const inside = async (): Promise<void> => {
      const dir = mkdtempSync(join(tmpdir(), 'fabric-ns-'));
      try {
        await timed(
          st,
          'ns-config',
          async () => {
            const v6 = plan.namespaces.filter((n) => n.ipv6Ifs.length);
            await xargsRun(
              ['nsenter'],
              v6.map((n) =>
                [
                  `--net=${nsPath(n.netns)}`,
                  'sysctl',
                  '-q',
                  '-w',
                  ...n.ipv6Ifs.map((i) => `net.ipv6.conf.${i}.disable_ipv6=0`),
                ].join(' '),
              ),
            );
            const lines: string[] = [];
            for (const n of plan.namespaces) {
              const file = join(dir, `${n.netns}.batch`);
              writeFileSync(file, nsBatch(lab, n, existingNs.get(n.netns)).join('\n') + '\n');
              lines.push(`--net=${nsPath(n.netns)} ip -batch ${file}`);
              for (const e of n.vethEnds) lines.push(`--net=${nsPath(n.netns)} ethtool -K ${e.ifname} tx off`);
            }
            await xargsRun(['nsenter'], lines);
          },
          () => `${plan.namespaces.length} namespaces: lo, links, netdevs, addresses, routes, tx offload off`,
          p,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    // Host side then OVS ports, beside the namespaces. (Adding the ports while the host ends are
    // configured was measured slower: ovs-vswitchd's single main loop is starved by the fan-out.)
    await Promise.all([(async () => (await hostSide(), await ovsPorts()))(), inside()]);

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
    return buildStatus(state.model, state.runtime);
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
    if (placement(n) === 'netns') return run('ip', ['netns', 'exec', netnsName(lab, node), ...argv], opts);
    return run(argv[0]!, argv.slice(1), opts);
  }

  async destroy(lab: string, opts: DestroyOptions = {}): Promise<DestroyReport> {
    checkLabName(lab);
    const snap = await snapshot();
    return this.destroyWith(lab, snap, null, opts);
  }

  async destroyAll(opts: DestroyOptions = {}): Promise<DestroyReport[]> {
    const snap = await snapshot();
    const nsLinks = await listAllNsLinks();
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
      reports.push(await this.destroyWith(lab, snap, { nsLinks, knownLabs: labs }, opts));
    }
    return reports;
  }

  private async destroyWith(
    lab: string,
    snap: Snapshot,
    discovery: { nsLinks: Map<string, Map<string, string | undefined>>; knownLabs: Set<string> } | null,
    opts: DestroyOptions,
  ): Promise<DestroyReport> {
    const stages: ProgressEvent[] = [];
    const p = opts.onProgress;
    const state = readState(lab);
    if (state && state.runtime !== this.name) {
      throw new FabricError('E_WRONG_RUNTIME', `lab ${lab} was deployed by runtime ${state.runtime}`, {
        hint: `use fabric down ${lab} --runtime ${state.runtime}`,
      });
    }
    const mine = labAlias(lab);
    const listed = emptyObjects();
    if (state) {
      state.phase = 'destroying';
      writeState(state);
      addObjects(listed, state.planned);
      addObjects(listed, state.created);
    }
    // Targets: what the state lists (unless another lab's marker is on it) plus lab markers.
    const target = emptyObjects();
    target.bridges = [...snap.bridges]
      .filter(([n, l]) => l === lab || (l === undefined && listed.bridges.includes(n)))
      .map(([n]) => n);
    target.rootIfs = [...snap.rootLinks]
      .filter(
        ([n, a]) => a === mine || (listed.rootIfs.includes(n) && (a === undefined || !a.startsWith(labAlias('')))),
      )
      .map(([n]) => n);
    const nsSet = new Set(listed.netns.filter((n) => snap.netns.has(n)));
    if (discovery) {
      for (const ns of snap.netns) {
        if (!ns.startsWith(netnsName(lab, ''))) continue;
        const lo = discovery.nsLinks.get(ns)?.get('lo');
        if (lo === mine) nsSet.add(ns);
        else if (lo === undefined) {
          // Unmarked (crash before marking): take it unless a longer known lab name claims the prefix.
          const longer = [...discovery.knownLabs].some(
            (o) => o !== lab && o.startsWith(`${lab}-`) && ns.startsWith(netnsName(o, '')),
          );
          if (!longer) nsSet.add(ns);
        }
      }
    }
    target.netns = [...nsSet];

    // Namespaces first: the kernel tears down their veths (and the peers on the host) in one
    // batch, far cheaper than deleting veths one by one.
    await timed(
      stages,
      this.nodeStage,
      () => this.removeNodes(lab, target.netns),
      () => `${target.netns.length} namespaces`,
      p,
    );
    const chunks: string[][] = [];
    for (let i = 0; i < target.bridges.length; i += 25)
      chunks.push(target.bridges.slice(i, i + 25).flatMap((b) => ['--', '--if-exists', 'del-br', b]));
    await timed(
      stages,
      'ovs',
      async () => {
        for (const c of chunks) await run('ovs-vsctl', ['--timeout=600', ...c], { timeout: 650_000 });
      },
      () => `${target.bridges.length} bridges`,
      p,
    );
    const settle = opts.settleTimeoutMs ?? 120_000;
    const leftover = await timed(
      stages,
      'settle',
      async () => {
        // Host ends whose peers lived in a deleted namespace vanish asynchronously; delete the rest.
        const end = Date.now() + settle;
        let deleted = false;
        for (;;) {
          const [links, netns] = await Promise.all([listRootLinks(), listNetns()]);
          const left: LabObjects = {
            netns: target.netns.filter((n) => netns.has(n)),
            rootIfs: target.rootIfs.filter((n) => links.has(n)),
            bridges: [],
          };
          if (!left.netns.length && !left.rootIfs.length) return left;
          if (Date.now() > end) return left;
          if (!deleted && (!left.netns.length || Date.now() > end - settle / 2)) {
            await ipBatch(
              left.rootIfs.map((n) => `link del ${n}`),
              { force: true },
            );
            deleted = true;
            continue;
          }
          await sleep(100);
        }
      },
      (l) =>
        l.netns.length || l.rootIfs.length
          ? `${l.netns.length} namespaces, ${l.rootIfs.length} interfaces still present`
          : `${target.rootIfs.length} host interfaces gone`,
      p,
    );
    const bridgesLeft = [...(await listOvsBridges())].filter(([, l]) => l === lab).map(([n]) => n);
    leftover.bridges = bridgesLeft;
    const clean = !leftover.netns.length && !leftover.rootIfs.length && !leftover.bridges.length;
    if (clean) removeState(lab);
    return { lab, removed: target, leftover, stages };
  }
}

function checkClashes(lab: string, plan: NetnsPlan, snap: Snapshot, ours: Set<string>): void {
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
