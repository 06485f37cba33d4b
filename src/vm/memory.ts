// What a lab's QEMU guests take from the machine: each guest's RAM plus what the QEMU process
// needs around it (TCG's translation cache, device models, its own heap), and one guest more for
// the migration target that runs beside its source during a failover. An estimate to refuse a
// lab that cannot run before anything is booted, not an accounting.
import { DEFAULT_MEMORY_MIB } from './qemu-args.js';

/**
 * Resident memory of a QEMU process beyond its guest's RAM (MiB): an allowance for TCG's
 * translation cache, the device models and QEMU's own heap around a small guest.
 */
export const QEMU_OVERHEAD_MIB = 64;

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

/** `5 QEMU guests × (96 MiB RAM + 64 MiB QEMU) + 160 MiB for a migration target = 960 MiB`. */
export function formatEstimate(e: GuestMemoryEstimate): string {
  const ram = e.perGuestMiB - QEMU_OVERHEAD_MIB;
  return (
    `${e.guests} QEMU guest${e.guests === 1 ? '' : 's'} × (${ram} MiB RAM + ${QEMU_OVERHEAD_MIB} MiB QEMU)` +
    ` + ${e.migrationMiB} MiB for a migration target = ${e.totalMiB} MiB`
  );
}
