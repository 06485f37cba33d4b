// Which image a linux node runs in a container runtime (containerlab, docker): fabric's own,
// built locally by `fabric images build` (src/runtime/images/), tagged `fabric/<role>:<version>`.
// The tag is fixed text so the generated `.clab.yml` is the same on every machine; the build
// records the content hash of the files it packed in a label and rebuilds when it differs.
import type { NodeModel } from '../../model.js';

/** Version of the image contents (tool list, users, command); bump it when they change. */
export const IMAGE_CONTENT_VERSION = '1';
export const IMAGE_REPO = 'fabric';

export type ImageRole = 'host' | 'router' | 'ovs';
export const IMAGE_ROLES: readonly ImageRole[] = ['host', 'router', 'ovs'];

/**
 * host: endpoints and hypervisor host stacks (addresses, ping, tcpdump, ethtool);
 * router: the provider routers (VXLAN with explicit dstport, Linux bridge, routes);
 * ovs: a switch in a container or pod (its own ovsdb-server and ovs-vswitchd), which no node of a
 * single-host file runs: the clabernetes Topology names it.
 */
export function imageRoleOf(node: Pick<NodeModel, 'role'>): ImageRole {
  return node.role === 'provider' ? 'router' : 'host';
}

export function fabricImage(role: ImageRole): string {
  return `${IMAGE_REPO}/${role}:${IMAGE_CONTENT_VERSION}`;
}

/** True for an image `fabric images build` makes (so a missing one names that command). */
export function isFabricImage(name: string): boolean {
  return IMAGE_ROLES.some((r) => name === fabricImage(r));
}
