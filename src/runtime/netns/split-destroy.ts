// Teardown of a lab split over emulated hosts, around the ordinary teardown: each host's OVS
// daemons are stopped by the PIDs of their pidfiles first (a namespace lives on while a process
// runs in it), the namespaces then go with the lab's (their veths and VXLAN devices with them),
// and last the hosts' folders.
import { rmSync } from 'node:fs';
import { dropOvsSites, hostNet } from '../../hostnet/index.js';
import type { DestroyOptions, LabState, ProgressEvent, SplitRecord } from '../types.js';
import { HOSTS_RUN_DIR } from './split.js';
import { timed } from './timed.js';

export async function stopHosts(state: LabState, opts: DestroyOptions): Promise<void> {
  const rec = state.split!;
  const stages: ProgressEvent[] = [];
  await timed(
    stages,
    'host-ovs',
    async () => {
      const out: number[] = [];
      for (const h of rec.hosts) out.push(...(await hostNet().daemon.stopAt(h.dir)));
      return out;
    },
    (pids) => `${pids.length} OVS daemons of ${rec.hosts.length} emulated hosts stopped (${pids.join(', ')})`,
    opts.onProgress,
  );
}

export function forgetHosts(rec: SplitRecord, lab: string): void {
  for (const h of rec.hosts) rmSync(h.dir, { recursive: true, force: true });
  rmSync(`${HOSTS_RUN_DIR}/${lab}`, { recursive: true, force: true });
  dropOvsSites(rec.switches.map((s) => s.bridge));
}
