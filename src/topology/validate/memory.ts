// The lab's QEMU guests against the machine's memory: a virtual hypervisor per fully virtualized
// customer hypervisor, plus every HA hypervisor's inactive pool (paused guests keep their RAM).
// Checked only when the caller says what the machine has (verbs that boot guests), so `fabric
// plan` reads the same lab the same way on every machine.
import { estimateGuestMemory, formatEstimate } from '../../vm/memory.js';
import type { DocPath } from '../locate.js';
import { arr, isName, isObj, type Checker } from './checker.js';

/** QEMU guests the hypervisors section declares (malformed entries count as none: the schema reported them). */
export function declaredGuests(hypervisors: unknown): { total: number; pools: string[] } {
  let total = 0;
  const pools: string[] = [];
  for (const h of arr(hypervisors)) {
    if (!isObj(h)) continue;
    const name = isName(h.name) ? h.name : '?';
    if (h.type === 'customer') total += h.virtualization === 'partial' ? 0 : 1;
    else if (Number.isInteger(h.pool) && (h.pool as number) > 0) {
      total += h.pool as number;
      pools.push(`${name}: pool ${String(h.pool)}`);
    }
  }
  return { total, pools };
}

export function validateMemory(c: Checker): void {
  if (c.machine === undefined) return;
  const { total, pools } = declaredGuests(c.data.hypervisors);
  if (!total) return;
  const e = estimateGuestMemory(total);
  const available = c.machine.availableMiB(isName(c.data.name) ? c.data.name : '');
  if (e.totalMiB <= available) return;
  const at: DocPath = ['hypervisors'];
  c.report(
    'E_HV_MEMORY',
    at,
    `the lab's guests do not fit this machine's memory: ${formatEstimate(e)}, but ${available} MiB are available`,
    `${pools.length ? `shrink the inactive pools (${pools.join(', ')}), ` : ''}free memory, or run the lab on a machine with at least ${e.totalMiB} MiB available`,
    true,
  );
}
