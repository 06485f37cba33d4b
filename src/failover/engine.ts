// The failover engine: set up the virtual hypervisors of a deployed lab, run a failover on a
// trigger, fail back, tear down. Steps of a failover (switchover.ts runs them):
//   1 activate  QMP cont of a paused pool VM on HA hypervisor C1 (instant: RAM is resident). The
//               pool VM is a mirror: its customer VMs (namespaces, same IP/MAC/VLAN) were staged
//               and attached at setup, so they run the moment the guest runs
//   2 retag     the site's attachment moves to C1 in the model; plan re-computed, the change
//               pushed as flow deltas (one atomic bundle per changed bridge) → restoration
//   3 move      the incremental update (seed 000): the mirror's customer VMs re-asserted from the
//               lab model in the running guest and announced (gratuitous ARP); off the
//               restoration path
//   4 evacuate  the rest of C1's pool live-migrated to C2 (QEMU migration, taps on C2's bridge)
//   5 verify    the guest answers with the same IP/MAC, flows equal the plan, QEMU on C2 alive
// State lives in the lab state file (model: placement) and the failover state (QEMU specs).
export { setupFailover, GUEST_MEMORY_MIB, type SetupOptions } from './setup.js';
export { runFailover, runFailback, type FailoverOptions } from './run.js';
export { verify } from './verify.js';
export { teardownFailover, failoverStatus, type VmStatus } from './teardown.js';
export { releaseHandles } from './handles.js';
export { segmentsOf } from './gateways.js';
