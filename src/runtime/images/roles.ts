// The role images containerlab files name (`fabric/host:1`, `fabric/router:1`) and the docker
// runtime runs: the endpoint rootfs (busybox-static, iproute2's real `ip`, ethtool) plus tcpdump,
// and on routers iproute2's `bridge`. `fabric/ovs:1` (the clabernetes Topology's switches) adds
// OVS userspace: its container starts ovsdb-server and ovs-vswitchd itself (exec lines) and
// forwards in the userspace (netdev) datapath, so the host needs no openvswitch kernel module. Built from this machine's Debian packages and imported
// (`docker import`), never pulled. The tag is fixed (see topology/kinds/linux/images.ts); the
// content hash of the tarball rides in the `fabric-content` label, so an image whose files
// changed is rebuilt under the same tag, and an unchanged one is left alone.
import { posix } from 'node:path';
import type Docker from 'dockerode';
import { FabricError } from '../../errors/fabric-error.js';
import { fabricImage, IMAGE_ROLES, type ImageRole } from '../../topology/kinds/linux/images.js';
import { ENDPOINT_CMD, type ImageClient } from './index.js';
import { endpointRootfs, TOOLS, type Tool } from './rootfs.js';
import { importTarball } from './import.js';
import { sha256, tarBuffer } from './tar.js';

const TCPDUMP: Tool = {
  name: 'tcpdump',
  candidates: ['/usr/bin/tcpdump', '/usr/sbin/tcpdump'],
  dest: '/usr/bin/tcpdump',
  required: true,
  pkg: 'tcpdump',
};
const BRIDGE: Tool = {
  name: 'bridge',
  candidates: ['/usr/sbin/bridge', '/sbin/bridge', '/usr/bin/bridge'],
  dest: '/usr/sbin/bridge',
  required: true,
  pkg: 'iproute2',
};
/** OVS userspace from Debian's openvswitch-switch/-common: the daemons and the tools that drive them. */
const OVS_TOOLS: Tool[] = [
  '/usr/sbin/ovsdb-server',
  '/usr/sbin/ovs-vswitchd',
  '/usr/bin/ovsdb-tool',
  '/usr/bin/ovs-vsctl',
  '/usr/bin/ovs-ofctl',
  '/usr/bin/ovs-appctl',
].map((dest) => ({
  name: posix.basename(dest),
  candidates: [dest],
  dest,
  required: true,
  pkg: 'openvswitch-switch',
}));
/** Where the daemons keep their database, sockets and logs (Debian's compiled-in paths; /var/run is /run). */
const OVS_DIRS = ['/etc/openvswitch', '/run/openvswitch', '/var/log/openvswitch'];
const OVS_SCHEMA = {
  src: '/usr/share/openvswitch/vswitch.ovsschema',
  dest: '/usr/share/openvswitch/vswitch.ovsschema',
  pkg: 'openvswitch-common',
};
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function roleTools(role: ImageRole): Tool[] {
  if (role === 'router') return [...TOOLS, TCPDUMP, BRIDGE];
  if (role === 'ovs') return [...TOOLS, TCPDUMP, ...OVS_TOOLS];
  return [...TOOLS, TCPDUMP];
}

const memo = new Map<ImageRole, { tag: string; hash: string; tar: Buffer }>();

/** A role's tarball, its tag and content hash (memoised per process). */
export async function roleTarball(role: ImageRole): Promise<{ tag: string; hash: string; tar: Buffer }> {
  let m = memo.get(role);
  if (!m) {
    const tools = roleTools(role);
    const tar = tarBuffer(
      await endpointRootfs({
        tools,
        // Debian's tcpdump drops root for this user after opening the capture.
        users: ['tcpdump:x:101:101::/nonexistent:/bin/false'],
        groups: ['tcpdump:x:101:'],
        about: `fabric ${role} image: busybox-static, ${tools.map((t) => t.name).join(', ')}`,
        ...(role === 'ovs' ? { data: [OVS_SCHEMA], dirs: OVS_DIRS } : {}),
      }),
    );
    m = { tag: fabricImage(role), hash: sha256(tar).slice(0, 12), tar };
    memo.set(role, m);
  }
  return m;
}

export interface RoleImageResult {
  role: ImageRole;
  tag: string;
  hash: string;
  built: boolean;
  bytes: number;
}

async function contentLabel(docker: Pick<Docker, 'getImage'>, tag: string): Promise<string | null | undefined> {
  try {
    const info = (await docker.getImage(tag).inspect()) as { Config?: { Labels?: Record<string, string> | null } };
    return info.Config?.Labels?.['fabric-content'] ?? null;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/** Imports a role image unless the engine has it with the same content. */
export async function ensureRoleImage(docker: ImageClient, role: ImageRole): Promise<RoleImageResult> {
  const { tag, hash, tar } = await roleTarball(role);
  if ((await contentLabel(docker, tag)) === hash) return { role, tag, hash, built: false, bytes: tar.length };
  await importTarball(
    docker,
    tag,
    tar,
    [
      `CMD ${JSON.stringify(ENDPOINT_CMD)}`,
      `ENV ${PATH_ENV}`,
      `LABEL fabric-image=${role}`,
      `LABEL fabric-content=${hash}`,
    ],
    'check the engine log; the image is built from local files only',
  );
  if ((await contentLabel(docker, tag)) !== hash)
    throw new FabricError('E_IMAGE_BUILD', `docker import reported success but ${tag} is not present`, {
      hint: 'check the engine log and run fabric images build again',
    });
  return { role, tag, hash, built: true, bytes: tar.length };
}

/** `fabric images build`: every role (or the given ones), in a fixed order. */
export async function buildRoleImages(
  docker: ImageClient,
  roles: readonly ImageRole[] = IMAGE_ROLES,
): Promise<RoleImageResult[]> {
  const out: RoleImageResult[] = [];
  for (const r of roles) out.push(await ensureRoleImage(docker, r));
  return out;
}
