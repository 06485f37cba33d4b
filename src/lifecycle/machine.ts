// What this machine offers a lab about to run here, for the load-time checks of verbs that boot
// guests. The lab's own running guests are counted as available: a converging `fabric up` of a
// lab whose guests already run must not be refused for the memory they hold.
import { failoverDir } from '../failover/index.js';
import { hostNet } from '../hostnet/index.js';
import type { MachineFacts } from '../topology/index.js';
import { estimateGuestMemory } from '../vm/index.js';
import { qemuUnder } from './orphans.js';

export function machineFacts(): MachineFacts {
  return {
    availableMiB: (lab) => {
      const own = lab ? qemuUnder(failoverDir(), lab).length : 0;
      return hostNet().kernel.memAvailableMiB() + own * estimateGuestMemory(1).perGuestMiB;
    },
  };
}
