// The names fabric generates: nodes of a lab (intent → LabModel), names that reach the root
// namespace (bridges, ports, namespaces, taps), lab markers and derived MACs.
//
// Root-namespace names (OVS bridges and their ports, which are host-side veth ends) share Linux's
// 15-character IFNAMSIZ limit with every other lab on the machine: readable abbreviations, see
// short.ts (a lab allocates them through RootNames so that none repeats inside the lab).
import { createHash } from 'node:crypto';
import { FabricError } from '../errors/fabric-error.js';
import { checkIfName } from './check.js';
import { shortBridgeName, shortPortName } from './short.js';
export const LAB_NAME_MAX = 20;
/** Names of labs, nodes, tenants, sites, systems, datacenters: shell-safe by construction. */
export const SAFE_NAME = /^[a-z][a-z0-9-]*$/;
/** Interface names we accept inside a node: no '.', which sysctl reads as a path separator. */
export const SAFE_IFNAME = /^[a-zA-Z][a-zA-Z0-9_-]*$/;
export const MAX_PORT_INDEX = 9999;

function hex(text: string, n: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, n);
}

/** OVS/Linux bridge name in the root namespace for node `node` of lab `lab` (≤ 15 chars). */
export function bridgeName(lab: string, node: string): string {
  return shortBridgeName(lab, node);
}

/** Root-namespace name of port `index` (1-based) of bridge node `node` (≤ 15 chars). */
export function portName(lab: string, node: string, index: number): string {
  if (!Number.isInteger(index) || index < 1 || index > MAX_PORT_INDEX) {
    throw new RangeError(`port index ${index} outside 1..${MAX_PORT_INDEX}`);
  }
  return shortPortName(lab, node, index);
}

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

/**
 * The tap for NIC `index` of VM `vm`, generation `gen` (0 = first boot, 1 = migration target,
 * ...): a migration target needs its own tap while the source still holds the old one.
 * Shape: <prefix><6 hex><index><gen letter>, e.g. "fvt3a9c1e0a", ≤ 15 chars.
 */
export function tapName(prefix: string, vm: string, index: number, gen = 0): string {
  if (!/^[a-z]{1,5}$/.test(prefix))
    throw new FabricError('E_VM_IFNAME', `tap prefix must be 1-5 lower-case letters, got ${JSON.stringify(prefix)}`);
  if (!Number.isInteger(index) || index < 0 || index > 9) throw new RangeError(`NIC index ${index} out of 0..9`);
  if (!Number.isInteger(gen) || gen < 0 || gen > 25) throw new RangeError(`tap generation ${gen} out of 0..25`);
  return checkIfName(`${prefix}${hex(vm, 6)}${index}${String.fromCharCode(97 + gen)}`, 'E_VM_IFNAME');
}

/** Deterministic locally administered unicast MAC (02:fa:xx:xx:xx:xx) for NIC `index` of `vm`. */
export function macFor(vm: string, index: number): string {
  return ['02', 'fa', ...hex(`${vm}/${index}`, 8).match(/../g)!].join(':');
}

// Generated node names (see docs/lab-format.md §Naming).
export const dcSwitchName = (dc: string): string => `${dc}-sw`;
export const interconnectName = (dc: string): string => `${dc}-ic`;
export const peName = (dc: string): string => `${dc}-pe`;
export const PROVIDER_A = 'prov-a';
export const PROVIDER_B = 'prov-b';
export const accessSwitchName = (tenant: string, site: string): string => `${tenant}-${site}-sw`;
export const endpointName = (tenant: string, site: string, system: string): string => `${tenant}-${site}-${system}`;
