// Names that reach `ip`, `ovs-vsctl` and QEMU's command line: validated, deterministic, short.
import { createHash } from 'node:crypto';
import { FabricError } from '../errors/fabric-error.js';

/** VM names: also used in paths and in QEMU's -name, so a conservative alphabet. */
export function validateVmName(name: string): string {
  if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(name)) {
    throw new FabricError('E_VM_NAME', `bad VM name ${JSON.stringify(name)}`, {
      hint: 'lower-case letters, digits, - and _; at most 32 characters',
    });
  }
  return name;
}

/** Linux interface names: at most 15 bytes (IFNAMSIZ - 1) and no '/', ':', spaces. */
export function validateIfName(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name) || name === '.' || name === '..') {
    throw new FabricError('E_VM_IFNAME', `bad interface name ${JSON.stringify(name)}`, {
      hint: 'at most 15 characters from A-Z a-z 0-9 _ . -',
    });
  }
  return name;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
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
  return validateIfName(`${prefix}${digest(vm).toString('hex').slice(0, 6)}${index}${String.fromCharCode(97 + gen)}`);
}

/** Deterministic locally administered unicast MAC (02:fa:xx:xx:xx:xx) for NIC `index` of `vm`. */
export function macFor(vm: string, index: number): string {
  const h = digest(`${vm}/${index}`);
  return ['02', 'fa', ...[0, 1, 2, 3].map((i) => h[i]!.toString(16).padStart(2, '0'))].join(':');
}
