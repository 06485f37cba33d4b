// Setup of a lab's virtual hypervisors: bridges and bridge devices, host stacks, taps, QEMU boot,
// the mirrors staged, the pool paused, the tags programmed.
import { FabricError } from '../errors/fabric-error.js';
import { hostNet, portNetns } from '../hostnet/index.js';
import { labAlias } from '../names/index.js';
import type { LabModel } from '../topology/model.js';
import {
  accelPreference,
  createTap,
  DEFAULT_MEMORY_MIB,
  deleteTap,
  ensureGuestImage,
  estimateGuestMemory,
  formatEstimate,
  ovsAddPort,
  QemuVm,
  resolveAccel,
  type VmSpec,
} from '../vm/index.js';
import { configureGateways, configureHostStacks, normalFlow, segmentsOf } from './gateways.js';
import { customerVmsScript, vswitchScript } from './guest.js';
import { deployed, keepHandle } from './handles.js';
import { layoutOf, siteSystems, type Layout, type VmInfo } from './layout.js';
import { retag } from './retag.js';
import {
  readFailoverState,
  removeFailoverState,
  runDirOf,
  takeLock,
  writeFailoverState,
  type FailoverState,
} from './store.js';
import { teardownGuests } from './teardown.js';
import { vtepTrunk } from './vtep.js';

export const GUEST_MEMORY_MIB = DEFAULT_MEMORY_MIB;

export interface SetupOptions {
  /** Extra kernel command line words for every guest (tests: `rdinit=/nonexistent` = a guest that cannot boot). */
  extraAppend?: string[];
  bootTimeoutMs?: number;
  onProgress?: (msg: string) => void;
}

function mtuOf(model: LabModel, host: string, tap: string): number | undefined {
  return model.nodes.find((n) => n.name === host)?.interfaces.find((f) => f.name === tap)?.mtu;
}

/** The lab's hypervisor layout, refused when it already runs virtual hypervisors or declares none. */
function setupLayout(lab: string, model: LabModel): Layout {
  if (readFailoverState(lab))
    throw new FabricError('E_FAILOVER_SETUP', `lab ${lab} already has virtual hypervisors`, {
      hint: `fabric failover ${lab} --teardown first`,
    });
  const layout = layoutOf(model);
  if (!layout.vms.length)
    throw new FabricError('E_FAILOVER_NO_HYPERVISORS', `lab ${lab} declares no virtual hypervisors`, {
      hint: 'add a hypervisors: section (docs/failover.md)',
    });
  const need = estimateGuestMemory(layout.vms.filter((v) => v.kind === 'qemu').length, GUEST_MEMORY_MIB);
  const have = hostNet().kernel.memAvailableMiB();
  if (need.totalMiB > have)
    throw new FabricError(
      'E_HV_MEMORY',
      `lab ${lab}: the guests do not fit this machine's memory: ${formatEstimate(need)}, but ${have} MiB are available`,
      { hint: 'shrink the inactive pools (pool:), free memory, or use a machine with more memory' },
    );
  return layout;
}

/** Boots every guest in parallel (TCG guests: 15-60 s each on 2 cores under load). */
async function bootGuests(
  guests: VmInfo[],
  state: FailoverState,
  opts: SetupOptions,
): Promise<(readonly [VmInfo, QemuVm])[]> {
  return Promise.all(
    guests.map(async (v) => {
      const vm = await QemuVm.start(state.guests[v.name]!.spec, {
        bootTimeoutMs: opts.bootTimeoutMs ?? 180_000,
      }).catch((err: unknown) => {
        const e = err as FabricError;
        throw new FabricError('E_GUEST_BOOT', `virtual hypervisor ${v.name} failed to boot: ${e.message}`, {
          hint: e.hint,
          cause: err,
        });
      });
      keepHandle(vm);
      return [v, vm] as const;
    }),
  );
}

/** Host stacks, guest taps on their bridges, guests booted, mirrors staged, pool paused, tags programmed. */
async function buildGuests(model: LabModel, layout: Layout, state: FailoverState, opts: SetupOptions): Promise<void> {
  const say = opts.onProgress ?? (() => {});
  const guests = layout.vms.filter((v) => v.kind === 'qemu');
  await configureHostStacks(model, false);
  for (const v of guests) {
    const h = layout.hypervisors.find((x) => x.name === v.host)!;
    const netns = state.guests[v.name]!.spec.netns;
    await deleteTap(v.tap, netns ? { netns } : {});
    // Marked with the lab: a teardown after a crash finds the tap even where no record names it.
    await createTap(v.tap, {
      mtu: mtuOf(model, v.host, v.tap),
      alias: labAlias(model.name),
      ...(netns ? { netns } : {}),
    });
    await ovsAddPort(h.bridge, v.tap);
    await vtepTrunk(v.tap);
  }
  const t0 = Date.now();
  const vms = await bootGuests(guests, state, opts);
  say(`booted ${vms.length} virtual hypervisors in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // Staged in parallel: each guest's scripts run in its own vCPU (sequentially they cost ~2 s
  // per guest under TCG).
  const t1 = Date.now();
  await Promise.all(
    vms.map(async ([v, vm]) => {
      if (!v.site) return;
      const systems = siteSystems(model, v.site);
      await vm.sh(vswitchScript(segmentsOf(model, v.site), mtuOf(model, v.host, v.tap) ?? 1554), {
        check: true,
        timeoutMs: 60_000,
      });
      // Mirrors are staged attached: a paused guest sends nothing, and the DC switch drops
      // what an unclassified hypervisor port sends, so activation alone brings them up.
      await vm.sh(customerVmsScript(systems), { check: true, timeoutMs: 60_000 });
    }),
  );
  say(`staged ${vms.filter(([v]) => v.site).length} in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  const pool = vms.filter(([v]) => v.state === 'inactive');
  for (const [, vm] of pool) await vm.pause();
  say(`pool paused: ${pool.map(([v]) => v.name).join(', ')}`);
  await retag(model, null);
}

/** Boots every virtual hypervisor of the lab, stages the mirrors, pauses the pool, programs tags. */
export async function setupFailover(lab: string, opts: SetupOptions = {}): Promise<FailoverState> {
  const lock = takeLock(lab, 'setup');
  try {
    const st = deployed(lab);
    const layout = setupLayout(lab, st.model);
    for (const h of layout.hypervisors) await normalFlow(h.bridge);
    await configureGateways(st.model, false);
    const image = await ensureGuestImage();
    const accel = (await resolveAccel(accelPreference(), image)).accel;
    const state: FailoverState = { version: 1, lab, accel, guests: {}, home: {} };
    for (const h of layout.hypervisors) if (h.site) state.home[h.site] = h.name;
    // Record specs first: a crash half-way leaves a complete teardown list.
    for (const v of layout.vms.filter((x) => x.kind === 'qemu')) {
      const spec: VmSpec = {
        name: v.name,
        kernel: image.kernel,
        initrd: image.initrd,
        runDir: runDirOf(lab, v.name, 0),
        memoryMiB: GUEST_MEMORY_MIB,
        accel,
        nics: [{ tap: v.tap }],
        append: opts.extraAppend,
      };
      // QEMU opens its tap where the hypervisor bridge's ovs-vswitchd runs (an emulated host's
      // namespace on a split lab).
      const netns = portNetns(v.tap);
      if (netns) spec.netns = netns;
      state.guests[v.name] = { name: v.name, spec, gen: 0 };
    }
    writeFailoverState(state);
    try {
      await buildGuests(st.model, layout, state, opts);
    } catch (err) {
      await teardownGuests(lab, state).catch(() => {});
      await configureHostStacks(st.model, true).catch(() => {});
      await configureGateways(st.model, true).catch(() => {});
      removeFailoverState(lab);
      throw err;
    }
    return state;
  } finally {
    lock.release();
  }
}
