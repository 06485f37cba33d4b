// Link and node faults: interfaces set down and up again, and their state read back as proof.
import { FabricError } from '../errors/fabric-error.js';
import { hostNet, type Ns } from '../hostnet/index.js';
import type { StatusDoc } from '../runtime/types.js';
import type { LinkClass } from '../topology/model.js';

export async function setLink(netns: Ns, ifname: string, state: 'up' | 'down'): Promise<void> {
  await hostNet().ip.setLink(netns, ifname, { up: state === 'up' });
}

/** Kernel operstate, with " (admin down)" when the UP flag is off. */
export async function operstate(netns: Ns, ifname: string): Promise<string> {
  const l = await hostNet().ip.link(netns, ifname);
  if (!l) return 'unknown';
  return `${l.operstate || '?'}${l.up ? '' : ' (admin down)'}`;
}

/** Admin-UP interfaces of a namespace, lo excluded, in `ip link` order (lower devices first). */
export async function upInterfaces(netns: string): Promise<string[]> {
  return (await hostNet().ip.links(netns)).filter((l) => l.ifname !== 'lo' && l.up).map((l) => l.ifname);
}

export function linkOf(status: StatusDoc, classes: LinkClass[]): StatusDoc['links'][number] {
  for (const c of classes) {
    const l = status.links.find((x) => x.class === c);
    if (l) return l;
  }
  throw new FabricError('E_FAULT_TARGET', `the lab has no link of class ${classes.join(' or ')} to flap`);
}

export function nodeOf(status: StatusDoc, names: string[], roles: string[]): StatusDoc['nodes'][number] {
  const n =
    names.map((x) => status.nodes.find((s) => s.name === x)).find(Boolean) ??
    status.nodes.find((s) => roles.includes(s.role));
  if (!n)
    throw new FabricError(
      'E_FAULT_TARGET',
      `the lab has none of the nodes ${names.join(', ')} nor a node of role ${roles.join('/')} to kill`,
    );
  return n;
}

/** Link ends a node owns: [netns or null (root), ifname]. */
export function nodeEnds(status: StatusDoc, node: string): [Ns, string][] {
  const out: [Ns, string][] = [];
  for (const l of status.links)
    for (const e of l.endpoints)
      if (e.node === node) out.push(e.netns ? [e.netns, e.ifname] : [null, e.hostIf ?? e.ifname]);
  return out;
}
