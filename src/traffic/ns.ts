// Where a probe runs: real-stack probes run only inside an endpoint namespace (never in the root
// namespace, where no lab address may live); crafted frames go into a namespace interface or a
// root-namespace OVS port (hostIf).
import { FabricError } from '../errors/fabric-error.js';
import { checkIfName, checkNetns } from '../names/index.js';
import { hostNet, type Argv } from '../hostnet/index.js';

export type { Argv };

/** `ip netns exec <ns> <argv...>` with the namespace name checked. */
export function inNetns(netns: string, argv: readonly string[]): Argv {
  if (netns === null || netns === undefined || netns === '') {
    throw new FabricError('E_TRAFFIC_TARGET', 'real-stack probes run inside a namespace; none given', {
      hint: 'probes never run in the root namespace (no lab address lives there)',
    });
  }
  if (argv.length === 0) throw new RangeError('empty argv');
  return hostNet().ip.argvIn(checkNetns(netns), argv);
}

/** Where a frame is injected: an interface inside a namespace, or a root-namespace host interface. */
export interface InjectTarget {
  netns: string | null;
  ifname: string;
  /** Used when netns is null. */
  hostIf?: string | null;
}

/** argv running `argv` at the injection target's namespace (or directly for a root interface). */
export function atTarget(t: InjectTarget, argv: readonly string[]): Argv {
  if (t.netns !== null) return inNetns(t.netns, argv);
  return { file: argv[0]!, args: argv.slice(1) };
}

/** The interface name the command opens: ifname inside the namespace, hostIf in the root namespace. */
export function targetDevice(t: InjectTarget): string {
  if (t.netns !== null) return checkIfName(t.ifname);
  return checkIfName(t.hostIf ?? t.ifname);
}

/** Range check used by every bounded loop (count, rate, time). */
export function bounded(name: string, v: number, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new FabricError('E_TRAFFIC_BOUNDS', `${name} = ${String(v)} is outside ${min}..${max}`, {
      hint: 'probes are bounded in count, rate and time',
    });
  }
  return v;
}
