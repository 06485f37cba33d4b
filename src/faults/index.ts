// Fault injection for the faults suite: link flaps, an ovs-vswitchd restart, node kills, each
// applied and undone through the host-networking adapter. The conformance probe runs them inside
// its capture windows; the suite judges what it recorded.
export { injectFault } from './inject.js';
export { accessDrift } from './drift.js';
export { meterArgs, restoreForeign, saveForeign, type SavedBridge } from './vswitchd.js';
export { sleep, type FaultEffect, type FaultEnv, type FaultStep } from './steps.js';
