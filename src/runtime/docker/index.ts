// `--runtime docker`: linux nodes are containers created through dockerode (no docker CLI),
// named and labelled as containerlab does (`clab-<lab>-<node>`, `containerlab=<lab>`, ...), in
// network mode `none`. Everything else is the netns runtime's, reused as is: each container's
// network namespace is linked at /run/netns/clab-<lab>-<node> (→ /proc/<pid>/ns/net), so the
// same batched stages create the veths straight into the containers, configure them (addresses,
// MACs, MTU, tx checksum offload off, IPv6 off, VXLAN/bridge netdevs, routes), and build the
// ovs-bridge nodes on the host's Open vSwitch. Captures and `exec` reach a container the same way.
import { FabricError } from '../../errors/fabric-error.js';
import type { LabModel, NodeModel } from '../../topology/model.js';
import { requireImages, type ImageClient } from '../images/index.js';
import { buildRoleImages } from '../images/roles.js';
import { imageRoleOf } from '../../topology/kinds/linux/images.js';
import { clabFilePath, clabLabDir, removeContainerTopology, writeContainerTopology } from '../containerlab/topology.js';
import { checkLabName, netnsName } from '../../names/index.js';
import { NetnsRuntime } from '../netns/index.js';
import { planLab, type NetnsPlan, type NsPlan } from '../netns/plan.js';
import { readState, writeState } from '../state.js';
import type { DeployOptions, DestroyOptions, DestroyReport, LabState, ProgressEvent, StatusDoc } from '../types.js';
import {
  labContainers,
  linkNetns,
  netnsLinkDangling,
  removeContainers,
  startContainers,
  type DockerLike,
  type NodeContainer,
} from './containers.js';
import { dockerClient, ensureDockerd, pingEngine, type EngineStatus } from './engine.js';

export const DOCKER_RUNTIME = 'docker';

export interface DockerRuntimeOptions {
  /** dockerode client (unit tests pass a mock). */
  docker?: DockerLike & ImageClient;
  /** Engine check/start (default: ensureDockerd). */
  ensureEngine?: () => Promise<EngineStatus>;
  /** Whether the engine answers now, without starting it (default: a bounded /_ping). */
  engineAnswers?: () => Promise<boolean>;
  /** Image for nodes without an `image` attribute (default: the built fabric/endpoint image). */
  image?: string;
  privileged?: boolean;
  /** Where containers' netns links go (tests). */
  netnsDir?: string;
}

/** Stops a deploy that would mix runtimes for one lab name. */
export function otherRuntime(lab: string, runtime: string, mine: string): FabricError {
  return new FabricError('E_LAB_OTHER_RUNTIME', `lab ${lab} is already deployed on runtime ${runtime}, not ${mine}`, {
    hint: `run fabric down ${lab} first (it uses runtime ${runtime}), or deploy under another lab name`,
  });
}

export class DockerRuntime extends NetnsRuntime {
  override readonly name: string = DOCKER_RUNTIME;
  protected override readonly nodeStage: string = 'containers';
  protected readonly opts: DockerRuntimeOptions;
  /** Node → container plan of the deploy in progress. */
  protected containers = new Map<string, NodeContainer>();
  protected model: LabModel | undefined;

  constructor(opts: DockerRuntimeOptions = {}) {
    super();
    this.opts = opts;
  }

  protected docker(): DockerLike & ImageClient {
    return this.opts.docker ?? (dockerClient() as unknown as DockerLike & ImageClient);
  }

  protected async engine(): Promise<EngineStatus> {
    return (this.opts.ensureEngine ?? (() => ensureDockerd()))();
  }

  /**
   * Engine and images, before anything of the lab is created (a missing image leaves nothing
   * half-deployed); fills the node → container plan. Returns the stages it ran.
   */
  protected async prepare(model: LabModel, plan: NetnsPlan, opts: DeployOptions): Promise<ProgressEvent[]> {
    const pre: ProgressEvent[] = [];
    const stage = async <T>(name: string, fn: () => Promise<T>, detail: (r: T) => string): Promise<T> => {
      const t0 = performance.now();
      const r = await fn();
      const ev: ProgressEvent = { stage: name, ms: Math.round(performance.now() - t0), detail: detail(r) };
      pre.push(ev);
      opts.onProgress?.(ev);
      return r;
    };
    await stage(
      'engine',
      () => this.engine(),
      (e) =>
        // Starting the engine changes the host: said once, the way the OVS daemons' start is.
        `${e.started ? `host change: started dockerd (pid ${e.pid}) outside systemd` : 'dockerd reused'} on ${e.socket}${e.version ? `, API ${e.version}` : ''}`,
    );
    const docker = this.docker();
    const linux = model.nodes.filter((n) => plan.namespaces.some((ns) => ns.node === n.name));
    const named = new Map<string, string[]>();
    const explicit = (n: NodeModel): string | undefined =>
      typeof n.attributes?.image === 'string' ? n.attributes.image : this.opts.image;
    for (const n of linux) {
      const img = explicit(n);
      if (img) named.set(img, [...(named.get(img) ?? []), n.name]);
    }
    // Nodes without an image run fabric's own for their role, built here from local files.
    const roles = [...new Set(linux.filter((n) => !explicit(n)).map((n) => imageRoleOf(n)))].sort();
    const built = new Map<string, string>();
    await stage(
      'image',
      async () => {
        await requireImages(docker, named);
        const done: string[] = [];
        for (const r of await buildRoleImages(docker, roles)) {
          built.set(r.role, r.tag);
          done.push(`${r.tag} ${r.built ? `built (${(r.bytes / 1e6).toFixed(1)} MB rootfs)` : 'cached'}`);
        }
        return [...done, ...(named.size ? [`${named.size} named images present`] : [])].join(', ') || 'no images';
      },
      (d) => d,
    );
    this.containers = new Map(
      linux.map((n) => {
        const img = explicit(n);
        return [
          n.name,
          {
            node: n.name,
            name: netnsName(plan.lab, n.name),
            image: img ?? built.get(imageRoleOf(n))!,
            endpointImage: !img,
          },
        ];
      }),
    );
    this.model = model;
    return pre;
  }

  /** Image of a node's container in the deploy in progress. */
  protected imageOf(node: string): string | undefined {
    return this.containers.get(node)?.image;
  }

  override async deploy(model: LabModel, opts: DeployOptions = {}): Promise<LabState> {
    const plan = planLab(model); // validates every name before anything runs
    const lab = plan.lab;
    const prior = readState(lab);
    if (prior && prior.runtime !== this.name) throw otherRuntime(lab, prior.runtime, this.name);
    const pre = await this.prepare(model, plan, opts);
    const docker = this.docker();

    // A container that stopped after its start check takes its namespace and veths with it; a
    // later stage then fails on a missing namespace. Whatever failed, a dead container is the cause:
    // one the engine lists as stopped, or one whose netns link dangles (the engine can lag behind
    // the exit). Containers never created are not dead: some other stage failed first.
    const diedError = async (cause?: unknown): Promise<FabricError | null> => {
      const listed = await labContainers(docker, lab);
      const stopped = new Set(listed.filter((c) => !c.running).map((c) => c.name));
      const dead = [...this.containers.values()].filter(
        (c) => stopped.has(c.name) || netnsLinkDangling(c.name, this.opts.netnsDir),
      );
      if (!dead.length) return null;
      return new FabricError(
        'E_CONTAINER_DIED',
        `container${dead.length > 1 ? 's' : ''} ${dead
          .map((c) => c.name)
          .slice(0, 5)
          .join(', ')} stopped during deploy`,
        {
          hint: 'the lab was rolled back; an image must run a long-lived command (fabric/endpoint runs `sleep infinity`)',
          ...(cause ? { cause } : {}),
        },
      );
    };
    let state: LabState;
    try {
      state = await super.deploy(model, opts);
      const died = await diedError();
      if (died) throw died;
    } catch (err) {
      const died =
        err instanceof FabricError && err.code === 'E_CONTAINER_DIED' ? err : await diedError(err).catch(() => null);
      if (died) {
        await this.destroy(lab).catch(() => undefined); // nothing half-deployed
        throw died;
      }
      throw err;
    }
    state.stages.unshift(...pre);
    writeState(state);
    return state;
  }

  protected override async createNodes(lab: string, plan: NetnsPlan, _missing: NsPlan[]): Promise<string> {
    const model = this.model!;
    // Written once the state file lists the lab (a kill before it leaves nothing `down` cannot find).
    writeContainerTopology(model, (node) => this.imageOf(node), false);
    const byName = new Map(model.nodes.map((n) => [n.name, n]));
    const wanted = plan.namespaces.map((ns) => ({ node: byName.get(ns.node)!, c: this.containers.get(ns.node)! }));
    const started = await startContainers(this.docker(), lab, wanted, {
      topoFile: clabFilePath(lab),
      labDir: clabLabDir(lab),
      ...(this.opts.privileged ? { privileged: true } : {}),
    });
    for (const s of started) linkNetns(s.name, s.pid, this.opts.netnsDir);
    const created = started.filter((s) => s.created).length;
    return `${created} containers started, ${started.length - created} kept; netns linked`;
  }

  protected override async removeNodes(lab: string, netns: string[]): Promise<void> {
    // Removing a container ends its network namespace and every veth in it.
    const docker = this.docker();
    await removeContainers(
      docker,
      (await labContainers(docker, lab)).map((c) => c.id),
    );
    await super.removeNodes(lab, netns); // the /run/netns links (ip netns delete unlinks them)
  }

  override async destroy(lab: string, opts: DestroyOptions = {}): Promise<DestroyReport> {
    checkLabName(lab);
    await this.engine();
    const r = await super.destroy(lab, opts);
    if (!readState(lab)) removeContainerTopology(lab);
    return r;
  }

  override async destroyAll(opts: DestroyOptions = {}): Promise<DestroyReport[]> {
    // A silent engine has no running containers of ours; `down --all` must not start one (or wait
    // on one that is gone) just to find that out.
    if (opts.onlyIfRunning && !(await (this.opts.engineAnswers ?? (() => pingEngine(dockerClient())))())) {
      opts.onProgress?.({
        stage: 'docker',
        ms: 0,
        detail: 'engine does not answer: skipped (fabric down --all --runtime docker starts it)',
      });
      return [];
    }
    await this.engine();
    // Containers are found by their label even when no other marker of their lab is left.
    const docker = this.docker();
    const all = (await labContainers(docker)).filter((c) => !opts.labFilter || opts.labFilter(c.lab));
    await removeContainers(
      docker,
      all.map((c) => c.id),
    );
    return super.destroyAll(opts);
  }

  override async status(lab: string): Promise<StatusDoc> {
    const doc = await super.status(lab);
    for (const n of doc.nodes) if (n.kind === 'linux' && n.netns) n.container = n.netns;
    return doc;
  }
}
