// Teardown of a lab's virtual hypervisors, and the status view of them.
import { rmSync } from 'node:fs';
import { hostNet } from '../hostnet/index.js';
import { readState, writeState } from '../runtime/state.js';
import { deleteTap, runDirPid, stopRunDir } from '../vm/index.js';
import { hostStackOf } from './carrier.js';
import { configureGateways, configureHostStacks } from './gateways.js';
import { deployed, dropHandle, handle } from './handles.js';
import { hostIsUp } from './host-stack.js';
import { layoutOf, moveSite } from './layout.js';
import { readFailoverState, removeFailoverState, runDirOf, type FailoverState } from './store.js';

export async function teardownGuests(lab: string, fs: FailoverState): Promise<string[]> {
  const done: string[] = [];
  for (const g of Object.values(fs.guests)) {
    const vm = dropHandle(g.spec.runDir);
    if (vm) await vm.stop().catch(() => {});
    // By PID from the pidfile (argv checked against the run directory), never by name.
    await stopRunDir(g.spec.runDir).catch(() => false);
    for (const n of g.spec.nics ?? []) {
      await hostNet()
        .ovs.delPort(null, n.tap)
        .catch(() => {});
      await deleteTap(n.tap, g.spec.netns ? { netns: g.spec.netns } : {}).catch(() => false);
    }
    rmSync(g.spec.runDir, { recursive: true, force: true });
    done.push(g.name);
  }
  rmSync(runDirOf(lab, 'x', 0).replace(/\/x\.0$/, ''), { recursive: true, force: true });
  return done;
}

/**
 * Stops every virtual hypervisor (QEMU by PID), removes taps and run directories, and resets the
 * model's placement to the intent (so `fabric up` / `fabric down` see the lab as deployed).
 */
export async function teardownFailover(lab: string): Promise<string[]> {
  const fs = readFailoverState(lab);
  if (!fs) return [];
  const done = await teardownGuests(lab, fs);
  const st = readState(lab);
  if (st) {
    await configureHostStacks(st.model, true).catch(() => {});
    await configureGateways(st.model, true).catch(() => {});
    const layout = layoutOf(st.model);
    for (const [site, home] of Object.entries(fs.home)) {
      const cur = layout.hypervisors.find((h) => h.site === site);
      if (cur && cur.name !== home) moveSite(st.model, site, cur.name, home);
    }
    writeState(st);
  }
  removeFailoverState(lab);
  return done;
}

export interface VmStatus {
  vm: string;
  hypervisor: string;
  state: string;
  qemu: string;
  pid: number | null;
  tap: string;
  site: string | null;
}

/** Where each virtual hypervisor runs (model) and what its QEMU says (QMP query-status). */
export async function failoverStatus(lab: string): Promise<VmStatus[]> {
  const st = deployed(lab);
  const fs = readFailoverState(lab);
  const out: VmStatus[] = [];
  for (const v of layoutOf(st.model).vms) {
    const rec = fs?.guests[v.name];
    const pid = rec ? (runDirPid(rec.spec.runDir) ?? null) : null;
    let qemu = 'not running';
    if (v.kind === 'host')
      qemu = fs ? ((await hostIsUp(hostStackOf(lab, v))) ? 'host up' : 'host down') : 'host (not set up)';
    else if (rec && pid)
      qemu = await handle(rec.spec, false)
        .then((h) => h.status())
        .catch(() => 'unreachable');
    out.push({ vm: v.name, hypervisor: v.host, state: v.state, qemu, pid, tap: v.tap, site: v.site });
  }
  return out;
}
