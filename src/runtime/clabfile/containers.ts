// Containers of a topology file, as containerlab makes them for linux nodes: `clab-<lab>-<node>`,
// containerlab's labels plus the file's node labels, the image's own command unless the file
// gives `cmd`, and binds. containerlab runs linux nodes privileged; engines on unprivileged hosts
// (this project's machines) refuse that, so the stand-in grants what exec lines need instead:
// NET_ADMIN, NET_RAW, a writable /proc/sys and /dev/net/tun. The engine always puts a container in network
// mode `none`: the management network, when the file keeps one, is built by the deployer as
// containerlab's bridge would be. Exec lines run through the engine's exec (docker exec), split
// into words as containerlab splits them, never through a shell.
import type Docker from 'dockerode';
import { FabricError } from '../../errors/fabric-error.js';
import { netnsName } from '../../names/index.js';
import type { ContainerLike, DockerLike } from '../docker/containers.js';
import type { ClabFileNode } from './parse.js';

/** Label that marks what the stand-in deployed (destroy finds containers by it). */
export const DEPLOY_KEY = 'fabric-clab-deploy';
const TUN_DEVICE = '/dev/net/tun';

export interface ExecCapable extends DockerLike, Pick<Docker, 'getImage'> {
  getContainer(id: string): ContainerLike & {
    exec(opts: Docker.ExecCreateOptions): Promise<{
      start(opts: { hijack: boolean; stdin: boolean }): Promise<NodeJS.ReadableStream>;
      inspect(): Promise<{ ExitCode: number | null; Running: boolean }>;
    }>;
  };
}

export function fileContainerSpec(lab: string, n: ClabFileNode, topoFile: string): Docker.ContainerCreateOptions {
  const spec: Docker.ContainerCreateOptions = {
    name: netnsName(lab, n.name),
    Hostname: n.name.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63),
    Image: n.image!,
    Labels: {
      ...n.labels,
      containerlab: lab,
      'clab-node-name': n.name,
      'clab-node-longname': netnsName(lab, n.name),
      'clab-node-kind': n.kind,
      'clab-topo-file': topoFile,
      [DEPLOY_KEY]: lab,
    },
    NetworkDisabled: true,
    HostConfig: {
      NetworkMode: 'none',
      // containerlab runs linux nodes privileged; engines in unprivileged hosts (like this
      // project's machines) refuse that. NET_ADMIN/NET_RAW and a writable /proc/sys
      // (systempaths=unconfined) are what the exec lines (ip, sysctl net.*) need, and the tun
      // device a privileged container would see: an OVS switch node's userspace datapath (the
      // fabric/ovs image) opens it for its bridge port.
      CapAdd: ['NET_ADMIN', 'NET_RAW'],
      Devices: [{ PathOnHost: TUN_DEVICE, PathInContainer: TUN_DEVICE, CgroupPermissions: 'rwm' }],
      ReadonlyPaths: [],
      MaskedPaths: [],
      RestartPolicy: { Name: 'no' },
      Binds: n.binds,
    },
    StopTimeout: 1,
  };
  if (n.cmd) spec.Cmd = shellWords(n.cmd);
  return spec;
}

/** Splits a command line into words (quotes and backslashes as a POSIX shell reads them; no expansion). */
export function shellWords(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let q: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === q) q = null;
      else if (c === '\\' && q === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      q = c;
      has = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (q) throw new FabricError('E_CLAB_FILE', `unterminated quote in ${JSON.stringify(line)}`);
  if (has || cur) out.push(cur);
  return out;
}

/** Runs one exec line in a container; E_CLAB_EXEC with its output when it exits non-zero. */
export async function execLine(
  docker: ExecCapable,
  container: string,
  line: string,
  timeoutMs = 30_000,
): Promise<void> {
  const c = docker.getContainer(container);
  const ex = await c.exec({ Cmd: shellWords(line), AttachStdout: true, AttachStderr: true });
  const stream = await ex.start({ hijack: true, stdin: false });
  let out = '';
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(
      () => rej(new FabricError('E_CLAB_EXEC', `${container}: "${line}" did not end in ${timeoutMs} ms`)),
      timeoutMs,
    );
    stream.on('data', (d: Buffer) => (out += d.toString('latin1')));
    stream.on('end', () => {
      clearTimeout(timer);
      res();
    });
    stream.on('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
  });
  const r = await ex.inspect();
  if (r.ExitCode !== 0) {
    // Docker frames each chunk with an 8-byte header: keep the printable text only.
    const text = out.replace(/[^\x20-\x7e\n]/g, '').trim();
    throw new FabricError(
      'E_CLAB_EXEC',
      `${container}: exec "${line}" exited ${r.ExitCode}${text ? `: ${text}` : ''}`,
      {
        hint: 'the node image lacks what its exec lines need: build the images with fabric images build and regenerate',
      },
    );
  }
}
