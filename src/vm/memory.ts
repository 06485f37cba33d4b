// What a lab's QEMU guests take from the machine: each guest's RAM plus what the QEMU process
// needs around it (TCG's translation cache, device models, its own heap), and one guest more for
// the migration target that runs beside its source during a failover. An estimate to refuse a
// lab that cannot run before anything is booted, not an accounting.
import { DEFAULT_MEMORY_MIB } from './qemu-args.js';

/**
 * Resident memory of a QEMU process beyond its guest's RAM (MiB): TCG's translation cache (it
 * grows with the code the guest runs), the device models and QEMU's own heap. Measured: the peak
 * VmRSS of 22 guest processes (96 MiB guests, TCG) through setup, failover, migration and
 * fail-back was 188-260 MiB, so up to 164 MiB above the guest's RAM; rounded up.
 */
export const QEMU_OVERHEAD_MIB = 168;

export interface GuestMemoryEstimate {
  guests: number;
  /** Guest RAM + QEMU overhead of one guest. */
  perGuestMiB: number;
  /** A migration target beside its source (0 without guests). */
  migrationMiB: number;
  totalMiB: number;
}

export function estimateGuestMemory(guests: number, memoryMiB = DEFAULT_MEMORY_MIB): GuestMemoryEstimate {
  const perGuestMiB = memoryMiB + QEMU_OVERHEAD_MIB;
  const migrationMiB = guests > 0 ? perGuestMiB : 0;
  return { guests, perGuestMiB, migrationMiB, totalMiB: guests * perGuestMiB + migrationMiB };
}

/** `5 QEMU guests × (96 MiB RAM + 168 MiB QEMU) + 264 MiB for a migration target = 1584 MiB`. */
export function formatEstimate(e: GuestMemoryEstimate): string {
  const ram = e.perGuestMiB - QEMU_OVERHEAD_MIB;
  return (
    `${e.guests} QEMU guest${e.guests === 1 ? '' : 's'} × (${ram} MiB RAM + ${QEMU_OVERHEAD_MIB} MiB QEMU)` +
    ` + ${e.migrationMiB} MiB for a migration target = ${e.totalMiB} MiB`
  );
}
