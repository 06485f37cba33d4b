// `linux`: a network namespace (netns runtime) or a container (containerlab). Endpoints and
// provider routers. Containerlab users get addresses, kernel devices and routes from `exec`.
import { BaseKind, sortedLabels, type AttributeSpec, type ClabNode } from '../base/index.js';
import type { NodeModel, NodeRole } from '../../model.js';
import { fabricImage, imageRoleOf } from './images.js';

/**
 * Default image of a node: fabric's own for its role (`fabric images build`), with iproute2's
 * real `ip` (busybox's drops `type vxlan ... dstport`), ethtool and tcpdump. The netns runtime
 * ignores it.
 */
export function defaultLinuxImage(node: Pick<NodeModel, 'role'>): string {
  return fabricImage(imageRoleOf(node));
}

export class LinuxKind extends BaseKind {
  readonly name = 'linux' as const;
  override readonly defaultRole: NodeRole = 'endpoint';
  override readonly description = 'network namespace / container';
  override readonly attributes: Record<string, AttributeSpec> = {
    image: {
      type: 'string',
      description:
        'container image for container runtimes (default fabric/host or fabric/router, from fabric images build)',
    },
  };

  override render(node: NodeModel): ClabNode {
    const image = typeof node.attributes?.image === 'string' ? node.attributes.image : defaultLinuxImage(node);
    const exec = node.interfaces.length || node.netdevs?.length ? linuxExec(node) : [];
    // containerlab's management bridge on eth0 would join every container, tenants included, on
    // a path no capture of the fabric sees: the lab's links are a node's only interfaces.
    const out: ClabNode = { kind: 'linux', image, 'network-mode': 'none', labels: sortedLabels(node.labels) };
    if (exec.length) out.exec = exec;
    return out;
  }
}

/** The commands that give a container what our runtime configures from the model. */
export function linuxExec(node: NodeModel): string[] {
  // IPv6 off unless a tenant declares it (it never does yet): router solicitations and MLD
  // reports would otherwise wander into tenant ports.
  const cmds: string[] = ['sysctl -w net.ipv6.conf.all.disable_ipv6=1'];
  for (const nd of node.netdevs ?? []) {
    if (nd.type === 'vxlan') {
      cmds.push(
        `ip link add ${nd.name} type vxlan id ${nd.vni} local ${nd.local} remote ${nd.remote} dstport ${nd.dstport} dev ${nd.dev}`,
      );
      if (nd.mtu) cmds.push(`ip link set ${nd.name} mtu ${nd.mtu}`);
    } else {
      cmds.push(`ip link add ${nd.name} type bridge`);
      if (nd.mtu) cmds.push(`ip link set ${nd.name} mtu ${nd.mtu}`);
    }
  }
  for (const itf of node.interfaces) {
    for (const a of itf.addresses) cmds.push(`ip address add ${a} dev ${itf.name}`);
  }
  for (const nd of node.netdevs ?? []) {
    if (nd.type === 'bridge') for (const p of nd.ports) cmds.push(`ip link set ${p} master ${nd.name}`);
  }
  for (const nd of node.netdevs ?? []) cmds.push(`ip link set ${nd.name} up`);
  for (const r of node.routes ?? []) cmds.push(`ip route add ${r.dst} via ${r.via}`);
  return cmds;
}
