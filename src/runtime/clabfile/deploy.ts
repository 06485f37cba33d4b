// `fabric clab deploy -t <file>`: a stand-in for `containerlab deploy` on machines without
// containerlab. Everything comes from the topology file alone, as containerlab reads it: linux
// nodes become containers `clab-<lab>-<node>` (image, cmd, binds, labels, exec lines), ovs-bridge
// nodes are the host bridges the lab's bridges script creates (or, without one, bridges created
// with the same options), veth links are created straight into the containers' namespaces with
// their MACs and MTU, and bridge ends become OVS ports. A node without `network-mode: none` gets
// containerlab's management network on eth0. Nothing of fabric's intent or model is read.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FabricError } from '../../errors/fabric-error.js';
import { hostNet, mapLimit, type NsJob } from '../../hostnet/index.js';
import { netnsName } from '../../names/index.js';
import { OPENFLOW_VERSIONS } from '../netns/commands.js';
import { timed } from '../netns/timed.js';
import { imageExists } from '../images/index.js';
import { dockerClient, ensureDockerd } from '../docker/engine.js';
import { linkNetns } from '../docker/containers.js';
import { readState } from '../state.js';
import type { ProgressEvent } from '../types.js';
import { DEPLOY_KEY, execLine, fileContainerSpec, type ExecCapable } from './containers.js';
import { destroyFromFile } from './destroy.js';
import { readClabFile, type ClabFile, type ClabFileEnd } from './parse.js';
import { mgmtAddress, mgmtBridgeName, mgmtHostIf, readRecord, writeRecord, type FileDeployRecord } from './record.js';

export interface FileDeployOptions {
  onProgress?: (ev: ProgressEvent) => void;
  /** dockerode client (unit tests pass a mock). */
  docker?: ExecCapable;
  /** Engine check/start (default: ensureDockerd). */
  ensureEngine?: () => Promise<unknown>;
  /** Where containers' netns links go (tests). */
  netnsDir?: string;
}

/**
 * The bridges script `fabric generate` writes beside the topology: `up` before the deploy,
 * `ports` after it, `down` after the destroy (what a containerlab user runs around containerlab).
 */
export function bridgesScript(file: string, lab: string): string {
  return join(dirname(resolve(file)), `${lab}.bridges.sh`);
}

export function imageMissingFor(image: string, nodes: string[]): FabricError {
  const build = image.startsWith('fabric/')
    ? 'build it with `fabric images build` (local Debian packages, no registry), then deploy again'
    : 'load it into the local engine (docker load / docker import): nothing is pulled';
  return new FabricError(
    'E_IMAGE_MISSING',
    `image ${image} is not present in the local Docker engine (nodes ${nodes.slice(0, 5).join(', ')}${nodes.length > 5 ? ', ...' : ''})`,
    { hint: build },
  );
}

const endNs = (f: ClabFile, e: ClabFileEnd): string | null =>
  f.nodes.get(e.node)?.kind === 'linux' ? netnsName(f.lab, e.node) : null;

function vethLine(f: ClabFile, a: ClabFileEnd, b: ClabFileEnd, mtu: number | undefined): string {
  const opts = (e: ClabFileEnd) => {
    const ns = endNs(f, e);
    return [e.mac ? `address ${e.mac}` : '', mtu ? `mtu ${mtu}` : '', ns ? `netns ${ns}` : '']
      .filter(Boolean)
      .join(' ');
  };
  return `link add name ${a.ifname} ${opts(a)} type veth peer name ${b.ifname} ${opts(b)}`;
}

/** Deploys the file; on any failure everything made so far is removed before the error is thrown. */
export async function deployFromFile(file: string, opts: FileDeployOptions = {}): Promise<FileDeployRecord> {
  const f = readClabFile(file);
  const lab = f.lab;
  if (readRecord(lab))
    throw new FabricError('E_LAB_EXISTS', `lab ${lab} is already deployed from a file`, {
      hint: `fabric clab destroy ${lab} first`,
    });
  if (readState(lab))
    throw new FabricError('E_LAB_OTHER_RUNTIME', `lab ${lab} is deployed by fabric (it has a state file)`, {
      hint: `fabric down ${lab} first, or deploy the file under another lab name`,
    });
  const stages: ProgressEvent[] = [];
  const linux = [...f.nodes.values()].filter((n) => n.kind === 'linux');
  const bridges = [...f.nodes.values()].filter((n) => n.kind === 'ovs-bridge').map((n) => n.name);
  await timed(
    stages,
    'engine',
    () => ensureDockerd(),
    (e) => (e.started ? `host change: started dockerd (pid ${e.pid}) outside systemd` : 'dockerd reused'),
    opts.onProgress,
  );
  const docker = opts.docker ?? (dockerClient() as unknown as ExecCapable);
  const images = new Map<string, string[]>();
  for (const n of linux) images.set(n.image!, [...(images.get(n.image!) ?? []), n.name]);
  for (const [image, nodes] of images) if (!(await imageExists(docker, image))) throw imageMissingFor(image, nodes);
  const h = hostNet();
  const existing = new Set(await h.ovs.bridgeNames());
  const script = bridgesScript(file, lab);
  const byScript = existsSync(script);
  const mgmtNodes = linux.filter((n) => n.networkMode !== 'none');
  const rec: FileDeployRecord = {
    lab,
    file: resolve(file),
    phase: 'deploying',
    containers: linux.map((n) => netnsName(lab, n.name)),
    netnsLinks: linux.map((n) => netnsName(lab, n.name)),
    bridges: bridges.filter((b) => !existing.has(b)),
    bridgesScript: byScript ? script : null,
    mgmtBridge: mgmtNodes.length ? mgmtBridgeName(lab) : null,
    hostIfs: [
      ...f.links.flatMap((l) => [l.a, l.b].filter((e) => !endNs(f, e)).map((e) => e.ifname)),
      ...mgmtNodes.map((n) => mgmtHostIf(lab, n.name)),
    ],
    rootPairs: f.links.filter((l) => !endNs(f, l.a) && !endNs(f, l.b)).map((l) => l.a.ifname),
  };
  writeRecord(rec); // before anything exists: a failure or a crash from here on is cleanable
  try {
    await timed(
      stages,
      'bridges',
      () => makeBridges(rec, bridges),
      (n) => n,
      opts.onProgress,
    );
    await timed(
      stages,
      'containers',
      () => startAll(docker, f, rec, opts.netnsDir),
      (n) => `${n} containers started, netns linked`,
      opts.onProgress,
    );
    await timed(
      stages,
      'links',
      () =>
        makeLinks(
          f,
          rec,
          mgmtNodes.map((n) => n.name),
        ),
      (n) => n,
      opts.onProgress,
    );
    await timed(
      stages,
      'exec',
      () => runExec(docker, f),
      (n) => `${n} exec lines`,
      opts.onProgress,
    );
  } catch (err) {
    await destroyFromFile(lab, opts).catch(() => undefined); // nothing half-deployed
    throw err;
  }
  rec.phase = 'deployed';
  writeRecord(rec);
  return rec;
}

async function makeBridges(rec: FileDeployRecord, bridges: string[]): Promise<string> {
  const h = hostNet();
  await h.daemon.ensure();
  const script = rec.bridgesScript;
  if (script) {
    await h.proc.script(script, ['up'], { timeout: 120_000 });
    const have = new Set(await h.ovs.bridgeNames());
    const missing = bridges.filter((b) => !have.has(b));
    if (missing.length)
      throw new FabricError('E_CLAB_FILE', `${script} did not create bridges ${missing.slice(0, 5).join(', ')}`, {
        hint: 'regenerate the topology and its bridges script together with fabric generate',
      });
    return `${bridges.length} OVS bridges from ${script}`;
  }
  // Without a script: the options fabric gives its own bridges (userspace, secure, OF1.0-1.5).
  await h.ovs.transaction(
    rec.bridges.flatMap((b) => [
      '--',
      '--may-exist',
      'add-br',
      b,
      '--',
      'set',
      'Bridge',
      b,
      'datapath_type=netdev',
      'fail_mode=secure',
      `protocols=${OPENFLOW_VERSIONS}`,
      `external_ids:${DEPLOY_KEY}=${rec.lab}`,
    ]),
  );
  return `${rec.bridges.length} OVS bridges created, ${bridges.length - rec.bridges.length} present`;
}

async function startAll(docker: ExecCapable, f: ClabFile, rec: FileDeployRecord, netnsDir?: string): Promise<number> {
  const linux = [...f.nodes.values()].filter((n) => n.kind === 'linux');
  await mapLimit(linux, 8, async (n) => {
    const spec = fileContainerSpec(f.lab, n, rec.file);
    let id: string;
    try {
      id = (await docker.createContainer(spec)).id;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 409)
        throw new FabricError('E_NAME_CLASH', `a container named ${spec.name} already exists`, {
          hint: 'container names are engine-wide: remove it, or destroy the lab that owns it',
          cause: err,
        });
      throw err;
    }
    const c = docker.getContainer(id);
    try {
      await c.start();
    } catch (err) {
      throw new FabricError('E_CONTAINER_DIED', `container ${spec.name} did not start: ${(err as Error).message}`, {
        hint: 'the lab was rolled back; the engine said why above',
        cause: err,
      });
    }
    const info = await c.inspect();
    if (!info.State.Running || !info.State.Pid)
      throw new FabricError(
        'E_CONTAINER_DIED',
        `container ${spec.name} stopped at start (exit ${info.State.ExitCode})`,
        {
          hint: 'its image must run a long-lived command; the lab was rolled back',
        },
      );
    linkNetns(spec.name!, info.State.Pid, netnsDir);
  });
  return linux.length;
}

async function makeLinks(f: ClabFile, rec: FileDeployRecord, mgmtNodes: string[]): Promise<string> {
  const h = hostNet();
  const lines = f.links.map((l) => vethLine(f, l.a, l.b, l.mtu));
  if (rec.mgmtBridge) {
    lines.push(`link add name ${rec.mgmtBridge} type bridge`, `link set dev ${rec.mgmtBridge} up`);
    for (const n of mgmtNodes)
      lines.push(
        `link add name ${mgmtHostIf(f.lab, n)} type veth peer name eth0 netns ${netnsName(f.lab, n)}`,
        `link set dev ${mgmtHostIf(f.lab, n)} master ${rec.mgmtBridge} up`,
      );
  }
  await h.ip.batch(lines);
  const rootEnds = f.links.flatMap((l) => [l.a, l.b].filter((e) => !endNs(f, e)));
  await h.ip.batch(rootEnds.map((e) => `link set dev ${e.ifname} up`));
  // containerlab attaches a bridge node's end to the bridge as a plain port.
  await h.ovs.transaction(rootEnds.flatMap((e) => ['--', '--may-exist', 'add-port', e.node, e.ifname]));
  const jobs: NsJob[] = [];
  const inNs = new Map<string, string[]>();
  for (const l of f.links)
    for (const e of [l.a, l.b]) {
      const ns = endNs(f, e);
      if (ns) inNs.set(ns, [...(inNs.get(ns) ?? []), `link set dev ${e.ifname} up`]);
    }
  mgmtNodes.forEach((n, i) => {
    const ns = netnsName(f.lab, n);
    inNs.set(ns, [...(inNs.get(ns) ?? []), 'link set dev eth0 up', `addr add ${mgmtAddress(i)} dev eth0`]);
  });
  for (const [netns, ls] of inNs) jobs.push({ netns, kind: 'ip-batch', lines: ls });
  await h.ip.inEachNetns(jobs);
  return `${f.links.length} veth links, ${rootEnds.length} OVS ports${rec.mgmtBridge ? `, management network on ${mgmtNodes.length} nodes` : ''}`;
}

async function runExec(docker: ExecCapable, f: ClabFile): Promise<number> {
  const linux = [...f.nodes.values()].filter((n) => n.kind === 'linux' && n.exec.length);
  // One node's lines in order (later lines use what earlier ones made); nodes side by side.
  await mapLimit(linux, 8, async (n) => {
    for (const line of n.exec) await execLine(docker, netnsName(f.lab, n.name), line);
  });
  return linux.reduce((s, n) => s + n.exec.length, 0);
}
