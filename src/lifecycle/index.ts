// Lab lifecycle above the runtime and failover layers: what `fabric down` stops besides the
// runtime's objects (QEMU guests, taps, host stacks, captures). docs/runtime.md.
export { stopLabGuests, labsWithGuests, guestRoot, type GuestReport } from './guests.js';
export { diffLab, formatDiff, isEmpty, type LabDiff, type Change } from './diff.js';
export { prune, nodesToRemove, linksToRemove, type PruneReport } from './converge.js';
export { machineFacts } from './machine.js';
export { failoverConflict, failoverTouched, guestsSetUp, keepGuestPorts, movedByFailover } from './failover-guard.js';
