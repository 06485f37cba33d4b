// `--runtime containerlab`: delegate node and link creation to a user's containerlab. fabric
// writes the topology (local fabric/<role> images, network-mode none, validated against
// containerlab's schema), creates the OVS/Linux bridges containerlab expects to exist, runs
// `containerlab deploy -t <file>` (argv, never a shell), links each container's
// namespace at /run/netns/clab-<lab>-<node>, then runs the same converging stages as the netns
// and docker runtimes (tx offload off, IPv6 off, OVS port tags/trunks and markers, addresses,
// NORMAL baseline on access switches). `fabric up` then programs the tags as for any runtime.
// Teardown: `containerlab destroy -t <file> --cleanup`, then bridges and leftovers by markers.
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { FabricError } from '../../errors/fabric-error.js';
import { hostNet, run, type RunOptions, type RunResult } from '../../hostnet/index.js';
import type { LabModel } from '../../topology/model.js';
import { refuseHypervisors } from '../../topology/clab-hypervisors.js';
import { DockerRuntime, otherRuntime, type DockerRuntimeOptions } from '../docker/index.js';
import { labContainers, linkNetns } from '../docker/containers.js';
import { NetnsRuntime } from '../netns/index.js';
import { linuxBridgeCreateLines, ovsCommands } from '../netns/commands.js';
import { planLab, type NetnsPlan, type NsPlan } from '../netns/plan.js';
import { listRootLinks } from '../netns/system.js';
import { addObjects, emptyObjects, readState, writeState } from '../state.js';
import type { DeployOptions, LabState } from '../types.js';
import { clabFilePath, writeContainerTopology } from './topology.js';

export const CONTAINERLAB_RUNTIME = 'containerlab';

/** `containerlab` on PATH (or $FABRIC_CONTAINERLAB), or null. */
export function findContainerlab(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.FABRIC_CONTAINERLAB
    ? [env.FABRIC_CONTAINERLAB]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, 'containerlab'));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  return null;
}

export function containerlabMissing(): FabricError {
  return new FabricError('E_CONTAINERLAB_MISSING', 'containerlab is not installed (no containerlab binary on PATH)', {
    hint: 'install it (https://containerlab.dev/install/) or set FABRIC_CONTAINERLAB to its path; or use --runtime netns (embedded) or --runtime docker (same containers, no containerlab)',
  });
}

/** argv of `containerlab deploy`: the topology file; --reconfigure when re-deploying a lab. */
export function deployArgs(topo: string, opts: { reconfigure?: boolean } = {}): string[] {
  return ['deploy', '-t', topo, ...(opts.reconfigure ? ['--reconfigure'] : [])];
}

/** argv of `containerlab destroy`: --cleanup also removes containerlab's lab directory. */
export function destroyArgs(topo: string): string[] {
  return ['destroy', '-t', topo, '--cleanup'];
}

export type Runner = (file: string, args: readonly string[], opts?: RunOptions) => Promise<RunResult>;

export interface ContainerlabRuntimeOptions extends DockerRuntimeOptions {
  /** containerlab binary (default: found on PATH at deploy time). */
  bin?: string;
  /** Command runner (unit tests record the argv). */
  runner?: Runner;
}

export class ContainerlabRuntime extends DockerRuntime {
  override readonly name: string = CONTAINERLAB_RUNTIME;
  protected override readonly nodeStage: string = 'containerlab';
  private readonly clab: ContainerlabRuntimeOptions;

  constructor(opts: ContainerlabRuntimeOptions = {}) {
    super(opts);
    this.clab = opts;
  }

  /** The binary, or E_CONTAINERLAB_MISSING (checked before anything is created). */
  binary(): string {
    const b = this.clab.bin ?? findContainerlab();
    if (!b) throw containerlabMissing();
    return b;
  }

  private runner(): Runner {
    return this.clab.runner ?? run;
  }

  override async deploy(model: LabModel, opts: DeployOptions = {}): Promise<LabState> {
    // Before the binary check: a hypervisor lab is refused whether or not containerlab is here.
    refuseHypervisors(model);
    const bin = this.binary();
    const plan = planLab(model);
    const lab = plan.lab;
    const prior = readState(lab);
    if (prior && prior.runtime !== this.name) throw otherRuntime(lab, prior.runtime, this.name);
    const pre = await this.prepare(model, plan, opts);
    const topo = writeContainerTopology(model, (n) => this.imageOf(n), true);

    // A state file before anything exists (down works after a crash); host ends containerlab
    // creates are listed as planned, so the converging stages accept them as ours.
    const now = new Date().toISOString();
    const state: LabState = prior ?? {
      stateVersion: 1,
      lab,
      runtime: this.name,
      phase: 'deploying',
      startedAt: now,
      updatedAt: now,
      planned: emptyObjects(),
      created: emptyObjects(),
      stages: [],
      model,
    };
    addObjects(state.planned, plan.objects);
    state.phase = 'deploying';
    writeState(state);

    // containerlab's ovs-bridge and bridge kinds expect their bridges to exist.
    const h = hostNet();
    await h.daemon.ensure();
    for (const c of ovsCommands(
      lab,
      plan.ovsBridges.map((b) => ({ ...b, ports: [] })),
    ))
      await h.ovs.transaction(c);
    const links = await listRootLinks();
    await h.ip.batch(plan.linuxBridges.flatMap((b) => linuxBridgeCreateLines(lab, b, links.has(b.name))));
    addObjects(state.created, { bridges: plan.objects.bridges });
    writeState(state);

    const t0 = performance.now();
    await this.runner()(bin, deployArgs(topo, { reconfigure: Boolean(prior) }), { timeout: 1_800_000 });
    pre.push({
      stage: 'clab-deploy',
      ms: Math.round(performance.now() - t0),
      detail: `${bin} ${deployArgs(topo).join(' ')}`,
    });
    opts.onProgress?.(pre[pre.length - 1]!);
    await this.linkAll(lab, plan);

    const out = await NetnsRuntime.prototype.deploy.call(this, model, opts);
    out.stages.unshift(...pre);
    writeState(out);
    return out;
  }

  /** Links every lab container's namespace; a node without a running container is an error. */
  private async linkAll(lab: string, plan: NetnsPlan): Promise<number> {
    const docker = this.docker();
    const byName = new Map((await labContainers(docker, lab)).map((c) => [c.name, c]));
    for (const ns of plan.namespaces) {
      const c = byName.get(ns.netns);
      if (!c?.running) {
        throw new FabricError('E_CONTAINER_DIED', `containerlab did not leave container ${ns.netns} running`, {
          hint: `see containerlab's output; fabric down ${lab} cleans up`,
        });
      }
      const info = await docker.getContainer(c.id).inspect();
      linkNetns(ns.netns, info.State.Pid, this.opts.netnsDir);
    }
    return plan.namespaces.length;
  }

  protected override async createNodes(lab: string, plan: NetnsPlan, _missing: NsPlan[]): Promise<string> {
    const n = await this.linkAll(lab, plan);
    return `${n} containerlab containers linked`;
  }

  protected override async removeNodes(lab: string, netns: string[]): Promise<void> {
    const topo = clabFilePath(lab);
    const bin = this.clab.bin ?? findContainerlab();
    if (bin && existsSync(topo)) await this.runner()(bin, destroyArgs(topo), { timeout: 1_800_000 });
    await super.removeNodes(lab, netns); // leftovers by label, then the netns links
  }
}
