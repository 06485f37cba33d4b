// The emulated hosts of a split lab in `fabric up`'s summary: where each host runs (its
// namespace), its addresses, its own OVS daemons' PIDs and how many bridges it holds.
import type { SplitRecord } from '../runtime/types.js';

export function splitSummary(rec: SplitRecord): string[] {
  const width = Math.max(...rec.hosts.map((h) => h.name.length));
  const nsWidth = Math.max(...rec.hosts.map((h) => h.netns.length));
  return [
    `  hosts    ${rec.hosts.length} emulated; underlay in ${rec.underlay} (MTU ${rec.underlayMtu}), management in ${rec.mgmt} (OpenFlow client ${rec.client}/${rec.mgmtPrefix ?? 24})`,
    ...rec.hosts.map((h) => {
      const bridges = rec.switches.filter((s) => s.host === h.name).length;
      const pids = h.pids ? `ovsdb-server ${h.pids.ovsdbServer}, ovs-vswitchd ${h.pids.ovsVswitchd}` : 'no daemons';
      return `    ${h.name.padEnd(width)}  ${h.netns.padEnd(nsWidth)}  ${h.address}/${rec.underlayPrefix ?? 24}  mgmt ${h.mgmt}  ${pids}  ${bridges} bridges`;
    }),
  ];
}
