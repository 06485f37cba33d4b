// Lab containers through dockerode (no docker CLI): the create spec (containerlab's names and
// labels, network mode `none`), start-or-keep with a died-during-start check, and the netns link
// `/run/netns/clab-<lab>-<node>` → `/proc/<pid>/ns/net` that lets every namespace tool (`ip -n`,
// `ip netns exec`, nsenter, tcpdump captures) reach a container exactly like a netns-runtime node.
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import type Docker from 'dockerode';
import { FabricError } from '../../errors/fabric-error.js';
import { mapLimit } from '../../hostnet/exec.js';
import type { NodeModel } from '../../topology/model.js';
import { LAB_KEY, netnsName } from '../../names/index.js';
import { ENDPOINT_CMD } from '../images/index.js';

export const NETNS_DIR = '/run/netns';
export const CONTAINER_PARALLEL = 8;

/** The dockerode surface the runtime uses (a mock implements just this in unit tests). */
export interface DockerLike {
  createContainer(opts: Docker.ContainerCreateOptions): Promise<{ id: string }>;
  getContainer(id: string): ContainerLike;
  listContainers(opts: {
    all?: boolean;
    filters?: string | Record<string, string[]>;
  }): Promise<{ Id: string; Names: string[]; State: string; Labels: Record<string, string> }[]>;
}

export interface ContainerLike {
  start(): Promise<unknown>;
  inspect(): Promise<{
    Id: string;
    State: { Running: boolean; Pid: number; ExitCode: number; Status: string; Error?: string };
    Config: { Labels: Record<string, string> | null };
  }>;
  remove(opts: { force?: boolean; v?: boolean }): Promise<unknown>;
  logs(opts: { stdout: boolean; stderr: boolean; tail: number; follow?: false }): Promise<Buffer | string>;
}

export interface NodeContainer {
  node: string;
  name: string;
  image: string;
  /** true: our endpoint image (busybox `sleep infinity` as PID 1); false: the image's own command. */
  endpointImage: boolean;
}

export interface SpecOptions {
  /** Path of the generated .clab.yml (containerlab's `clab-topo-file` label). */
  topoFile: string;
  labDir: string;
  /** Privileged instead of NET_ADMIN/NET_RAW capabilities. */
  privileged?: boolean;
}

/** Labels containerlab puts on its containers, plus fabric's lab marker and the node's labels. */
export function containerLabels(lab: string, node: NodeModel, opts: SpecOptions): Record<string, string> {
  return {
    ...node.labels,
    containerlab: lab,
    'clab-node-name': node.name,
    'clab-node-longname': netnsName(lab, node.name),
    'clab-node-kind': node.kind,
    'clab-node-type': '',
    'clab-node-group': '',
    'clab-node-lab-dir': `${opts.labDir}/${node.name}`,
    'clab-topo-file': opts.topoFile,
    [LAB_KEY]: lab,
    'fabric-node': node.name,
  };
}

/**
 * dockerode create options for a linux node. Network mode `none`: no management bridge, so a
 * container's only links are the lab's veths (a shared bridge would join every tenant along a
 * path no capture sees). NetworkDisabled: libnetwork allocates no sandbox or endpoint at all (the
 * container still gets its own empty netns): Debian's dockerd 20.10 deadlocked in libnetwork
 * (ContainerRm/sbLeave against processEndpointDelete, moby/libnetwork#2679) while removing a lab.
 */
export function containerSpec(
  lab: string,
  node: NodeModel,
  c: NodeContainer,
  opts: SpecOptions,
): Docker.ContainerCreateOptions {
  const spec: Docker.ContainerCreateOptions = {
    name: c.name,
    Hostname: node.name.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63),
    Image: c.image,
    Labels: containerLabels(lab, node, opts),
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      RestartPolicy: { Name: 'no' },
      AutoRemove: false,
      Init: false,
      ...(opts.privileged ? { Privileged: true } : { CapAdd: ['NET_ADMIN', 'NET_RAW'] }),
    },
    StopTimeout: 1,
  };
  if (c.endpointImage) spec.Cmd = [...ENDPOINT_CMD];
  return spec;
}

export function containerDied(name: string, detail: string): FabricError {
  return new FabricError('E_CONTAINER_DIED', `container ${name} stopped during deploy: ${detail}`, {
    hint: 'the lab was rolled back; check the image runs a long-lived command (fabric/endpoint runs `sleep infinity`), or read the log lines above',
  });
}

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number })?.statusCode;
}

async function logTail(c: ContainerLike): Promise<string> {
  try {
    const raw = await c.logs({ stdout: true, stderr: true, tail: 8, follow: false });
    // Docker multiplexes stdout/stderr with 8-byte frame headers: drop non-printables.
    return String(raw)
      .replace(/[^\x20-\x7e\n]/g, '')
      .trim();
  } catch {
    return '';
  }
}

export interface StartedContainer {
  node: string;
  name: string;
  id: string;
  pid: number;
  created: boolean;
}

/**
 * Creates and starts (or keeps, when already running with our marker) one container per node.
 * A stopped leftover of the same lab is replaced; a container of the same name without our marker
 * is a clash. A container that is not running right after start is E_CONTAINER_DIED.
 */
export async function startContainers(
  docker: DockerLike,
  lab: string,
  wanted: { node: NodeModel; c: NodeContainer }[],
  opts: SpecOptions,
  parallel = CONTAINER_PARALLEL,
): Promise<StartedContainer[]> {
  return mapLimit(wanted, parallel, async ({ node, c }) => {
    let created = false;
    let handle = docker.getContainer(c.name);
    let info: Awaited<ReturnType<ContainerLike['inspect']>> | undefined;
    try {
      info = await handle.inspect();
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    if (info) {
      if (info.Config.Labels?.[LAB_KEY] !== lab) {
        throw new FabricError('E_NAME_CLASH', `a container named ${c.name} exists and is not part of lab ${lab}`, {
          hint: 'container names are engine-wide; remove it or rename the lab',
        });
      }
      if (!info.State.Running) {
        await handle.remove({ force: true, v: true });
        info = undefined;
      }
    }
    if (!info) {
      const r = await docker.createContainer(containerSpec(lab, node, c, opts));
      handle = docker.getContainer(r.id);
      await handle.start();
      created = true;
      info = await handle.inspect();
    }
    if (!info.State.Running || !info.State.Pid) {
      const logs = await logTail(handle);
      throw containerDied(
        c.name,
        `${info.State.Status}, exit code ${info.State.ExitCode}${info.State.Error ? `, ${info.State.Error}` : ''}${logs ? `\n${logs}` : ''}`,
      );
    }
    return { node: node.name, name: c.name, id: info.Id, pid: info.State.Pid, created };
  });
}

/** Points `/run/netns/<name>` at the container's network namespace (replacing a stale link). */
export function linkNetns(name: string, pid: number, dir = NETNS_DIR): void {
  mkdirSync(dir, { recursive: true });
  const path = `${dir}/${name}`;
  let st;
  try {
    st = lstatSync(path);
  } catch {
    st = undefined;
  }
  if (st && !st.isSymbolicLink()) {
    throw new FabricError('E_LAB_OTHER_RUNTIME', `${path} is a network namespace of its own, not a container's`, {
      hint: 'a lab of the same name is deployed on the netns runtime: run fabric down <lab> first',
    });
  }
  if (st) rmSync(path, { force: true });
  symlinkSync(`/proc/${pid}/ns/net`, path);
}

/**
 * True when the container's netns link is there but its process is gone. The engine records a
 * container's exit some time after the process ends (longer on a freshly started engine), so a
 * dangling link is the earliest sign that a container died.
 */
export function netnsLinkDangling(name: string, dir = NETNS_DIR): boolean {
  const path = `${dir}/${name}`;
  try {
    if (!lstatSync(path).isSymbolicLink()) return false;
  } catch {
    return false;
  }
  return !existsSync(path);
}

/** Containers of one lab (or of every fabric lab), found by the lab marker label. */
export async function labContainers(
  docker: DockerLike,
  lab?: string,
): Promise<{ id: string; name: string; lab: string; running: boolean }[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [lab ? `${LAB_KEY}=${lab}` : LAB_KEY] } });
  return list.map((c) => ({
    id: c.Id,
    name: (c.Names[0] ?? '').replace(/^\//, ''),
    lab: c.Labels[LAB_KEY] ?? '',
    running: c.State === 'running',
  }));
}

export async function removeContainers(
  docker: DockerLike,
  ids: string[],
  parallel = CONTAINER_PARALLEL,
): Promise<void> {
  await mapLimit(ids, parallel, async (id) => {
    try {
      await docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if (statusOf(err) !== 404 && statusOf(err) !== 409) throw err; // gone, or removal already in progress
    }
  });
}
