// Names that reach commands are validated here, once, before any command runs: a lab or node
// name must never be able to inject an option or a second command into `ip`/`ovs-vsctl`/`xargs`.
import { FabricError } from '../errors/fabric-error.js';

export const IFNAMSIZ = 15;
const LAB = /^[a-z][a-z0-9-]{0,19}$/;
const NODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

export const NETNS_PREFIX = 'clab-';

/** Namespace of a node, in containerlab's spirit (`clab-<lab>-<node>`). */
export function netnsName(lab: string, node: string): string {
  return `${NETNS_PREFIX}${lab}-${node}`;
}

/** Marker value: OVS `external_ids:fabric-lab=<lab>` and root-namespace interface alias. */
export const LAB_KEY = 'fabric-lab';
export function labAlias(lab: string): string {
  return `${LAB_KEY}=${lab}`;
}

function bad(what: string, value: string, hint: string): FabricError {
  return new FabricError('E_BAD_NAME', `invalid ${what} ${JSON.stringify(value)}`, { hint });
}

export function checkLabName(lab: string): string {
  if (!LAB.test(lab)) throw bad('lab name', lab, 'lab names match [a-z][a-z0-9-]* and have at most 20 characters');
  return lab;
}
export function checkNodeName(node: string): string {
  if (!NODE.test(node)) throw bad('node name', node, 'node names match [A-Za-z0-9][A-Za-z0-9_.-]*');
  return node;
}
export function checkIfName(name: string): string {
  if (!IFNAME.test(name))
    throw bad(
      'interface name',
      name,
      `interface names match [A-Za-z0-9][A-Za-z0-9_.-]* and have at most ${IFNAMSIZ} characters`,
    );
  return name;
}
export function checkMac(mac: string): string {
  if (!MAC.test(mac)) throw bad('MAC address', mac, 'write MACs as six hex pairs, e.g. 02:00:00:00:00:10');
  return mac.toLowerCase();
}
