// The faults suite's declared steps, and which of them run (FABRIC_FAULT_STEPS).
import { FabricError } from '../../errors/fabric-error.js';
import type { FaultStep } from '../../faults/index.js';

export const FAULT_STEPS: FaultStep[] = [
  // The dedicated line between dc1 and dc2 (or, in a lab without one, a DC fabric link) flaps.
  {
    kind: 'link-flap',
    name: 'link-flap',
    linkClasses: ['dc-interconnect', 'long-haul', 'dc-fabric'],
    flaps: 3,
    downMs: 700,
    upMs: 700,
  },
  // The shared OVS daemon restarts: flows gone, secure bridges drop until re-programmed.
  { kind: 'vswitchd-restart', name: 'ovs-vswitchd-restart' },
  // A provider router (the namespace carrying every tenant's long-haul frames) dies.
  { kind: 'node-kill', name: 'node-kill', nodes: ['prov-a'], roles: ['provider', 'p', 'interconnect'], downMs: 1500 },
];

/**
 * The steps to run: all of FAULT_STEPS, or those named in FABRIC_FAULT_STEPS (comma-separated; an
 * unknown name is an error, never a silent skip).
 */
export function selectFaultSteps(names = process.env.FABRIC_FAULT_STEPS): FaultStep[] {
  const wanted = (names ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!wanted.length) return FAULT_STEPS;
  const unknown = wanted.filter((n) => !FAULT_STEPS.some((s) => s.name === n));
  if (unknown.length)
    throw new FabricError('E_FAULT_UNKNOWN', `unknown fault step ${unknown.join(', ')}`, {
      hint: `steps: ${FAULT_STEPS.map((s) => s.name).join(', ')}`,
    });
  return FAULT_STEPS.filter((s) => wanted.includes(s.name));
}
