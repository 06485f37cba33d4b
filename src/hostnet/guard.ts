// Last line of defence before a name reaches a command line: callers validate names against the
// fabric's rules first; this only refuses what could change a command's meaning (an option-like
// leading dash, blanks, slashes) or what the kernel would refuse anyway (interface names > 15).
import { FabricError } from '../errors/fabric-error.js';
import { isIfName } from '../names/index.js';

const NETNS = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;
const OVS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$/;

function refuse(what: string, name: string): never {
  throw new FabricError('E_BAD_NAME', `refusing ${what} name ${JSON.stringify(name)}`, {
    hint: 'names reaching host commands start with a letter or digit and hold no blanks or slashes',
  });
}

export function guardIfname(name: string): string {
  if (!isIfName(name)) refuse('interface', name);
  return name;
}

export function guardNetns(name: string): string {
  if (typeof name !== 'string' || !NETNS.test(name)) refuse('network namespace', name);
  return name;
}

export function guardOvsName(name: string): string {
  if (typeof name !== 'string' || !OVS_NAME.test(name)) refuse('OVS bridge or port', name);
  return name;
}
