// Live QEMU handles of this process, and the two states every failover verb starts from: the
// deployed lab and its failover record (QEMU specs). Handles are re-attached from run directories
// across CLI calls, so a later `fabric failover` reaches guests an earlier one booted.
import { FabricError } from '../errors/fabric-error.js';
import { readState } from '../runtime/state.js';
import type { LabState } from '../runtime/types.js';
import { QemuVm, type VmSpec } from '../vm/index.js';
import { readFailoverState, type FailoverState } from './store.js';

const live = new Map<string, QemuVm>();

/** The lab's state file, refused unless the lab is deployed. */
export function deployed(lab: string): LabState {
  const st = readState(lab);
  if (!st || st.phase !== 'deployed')
    throw new FabricError('E_LAB_NOT_FOUND', `lab ${lab} is not deployed`, {
      hint: `fabric up labs/${lab}/fabric.yml`,
    });
  return st;
}

/** The failover record, refused when no virtual hypervisors were set up. */
export function needState(lab: string): FailoverState {
  const s = readFailoverState(lab);
  if (!s)
    throw new FabricError('E_FAILOVER_NOT_SETUP', `lab ${lab} has no virtual hypervisors running`, {
      hint: `fabric failover ${lab} --setup`,
    });
  return s;
}

/** A handle on a running QEMU, attached from its run directory when an earlier process started it. */
export async function handle(spec: VmSpec, withAgent: boolean): Promise<QemuVm> {
  let vm = live.get(spec.runDir);
  if (!vm || !vm.alive) {
    vm = await QemuVm.attach(spec).catch((err: unknown) => {
      throw new FabricError('E_FAILOVER_GUEST', `virtual hypervisor ${spec.name} is not running (${spec.runDir})`, {
        hint: 'tear down and set up again: fabric failover <lab> --teardown, --setup',
        cause: err,
      });
    });
    live.set(spec.runDir, vm);
  }
  if (withAgent) await vm.waitAgent(30_000);
  return vm;
}

/** Remembers a QEMU this process started (boot, migration target). */
export function keepHandle(vm: QemuVm): void {
  live.set(vm.spec.runDir, vm);
}

/** Forgets (and returns) the handle of a run directory, e.g. a migrated source or a torn-down guest. */
export function dropHandle(runDir: string): QemuVm | undefined {
  const vm = live.get(runDir);
  live.delete(runDir);
  return vm;
}

/** Closes this process's QMP/agent sockets (QEMU keeps running). */
export function releaseHandles(): void {
  for (const vm of live.values()) {
    vm.agent.close();
    vm.qmp.close();
  }
  live.clear();
}
