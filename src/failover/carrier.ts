// What carries a site's customer VMs: a virtual hypervisor (QEMU: pause/cont by QMP, commands by
// the agent) or the host stack of a traditional hypervisor (FIG. 1-2: "pause" = the host fails,
// its bridge port goes down). The failover steps only use this surface.
import { FabricError } from '../errors/fabric-error.js';
import { hostNet } from '../hostnet/index.js';
import { macFor } from '../names/index.js';
import {
  announceScript,
  customerVmsScript,
  inspectScript,
  neighScript,
  parseInspect,
  parseNeigh,
  restoreNeighScript,
  type GuestVmView,
  type NeighEntry,
} from './guest.js';
import { handle } from './handles.js';
import {
  hostIsUp,
  hostNeighbours,
  hostNetns,
  inspectHostVms,
  reassertHostVms,
  restoreHostNeighbours,
  setHostUp,
  type HostStack,
} from './host-stack.js';
import type { SystemDef, VmInfo } from './layout.js';
import type { FailoverState } from './store.js';

export interface Carrier {
  name: string;
  pause(): Promise<void>;
  cont(): Promise<void>;
  running(): Promise<boolean>;
  /** Re-asserts the customer VMs from the model and announces them. */
  refresh(systems: SystemDef[]): Promise<void>;
  inspect(systems: SystemDef[]): Promise<GuestVmView[]>;
  /** The customer VMs' resolved neighbours, and installing such entries (the incremental update). */
  neighbours(systems: SystemDef[]): Promise<NeighEntry[]>;
  restoreNeighbours(systems: SystemDef[], entries: NeighEntry[]): Promise<void>;
  /** MAC of the interface its VTEP answers on. */
  vtepMac(): Promise<string>;
}

export function hostStackOf(lab: string, v: VmInfo): HostStack {
  return { lab, node: v.name, port: v.tap };
}

function hostCarrier(lab: string, v: VmInfo): Carrier {
  const h = hostStackOf(lab, v);
  return {
    name: v.name,
    pause: () => setHostUp(h, false),
    cont: () => setHostUp(h, true),
    running: () => hostIsUp(h),
    refresh: (systems) => reassertHostVms(h, systems),
    inspect: (systems) => inspectHostVms(h, systems),
    neighbours: (systems) => hostNeighbours(h, systems),
    restoreNeighbours: (systems, entries) => restoreHostNeighbours(h, systems, entries),
    vtepMac: async () => {
      const mac = (await hostNet().ip.link(hostNetns(h), 'eth1'))?.mac;
      if (!mac) throw new FabricError('E_FAILOVER_GUEST', `host stack ${v.name} has no VTEP interface`);
      return mac;
    },
  };
}

export async function carrierOf(lab: string, fs: FailoverState, v: VmInfo): Promise<Carrier> {
  if (v.kind === 'host') return hostCarrier(lab, v);
  const rec = fs.guests[v.name];
  if (!rec)
    throw new FabricError('E_FAILOVER_GUEST', `virtual hypervisor ${v.name} has no QEMU record`, {
      hint: 'tear down and set up again',
    });
  const vm = await handle(rec.spec, false);
  return {
    name: v.name,
    pause: () => vm.pause(),
    cont: () => vm.cont(),
    running: async () => (await vm.status()) === 'running',
    refresh: async (systems) => {
      await vm.waitAgent(30_000);
      await vm.sh(`${customerVmsScript(systems)} && ${announceScript(systems)}`, { check: true, timeoutMs: 30_000 });
    },
    inspect: async (systems) => {
      await vm.waitAgent(30_000);
      return parseInspect((await vm.sh(inspectScript(systems), { check: true })).stdout);
    },
    neighbours: async (systems) => {
      await vm.waitAgent(30_000);
      return parseNeigh((await vm.sh(neighScript(systems), { check: true })).stdout, systems);
    },
    restoreNeighbours: async (systems, entries) => {
      await vm.waitAgent(30_000);
      await vm.sh(restoreNeighScript(systems, entries), { check: true, timeoutMs: 30_000 });
    },
    vtepMac: async () => rec.spec.nics?.[0]?.mac ?? macFor(rec.spec.name, 0),
  };
}
