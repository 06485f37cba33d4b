// `fabric plan --hosts`: the links that cross hosts, with the 50 bytes their VXLAN adds.
import { VXLAN_OVERHEAD } from '../topology/encoding.js';
import { STITCH_DST_PORT, type HostsFile } from './hosts.js';
import { stitchedUnderlayMtu } from './multihost.js';
import type { Placement } from './placement.js';

export function formatStitched(hostsFile: HostsFile, placement: Placement): string {
  const rows: string[][] = [['link', 'class', 'hosts', 'vni', 'link mtu', `underlay mtu (+${VXLAN_OVERHEAD})`]];
  for (const s of placement.stitched)
    rows.push([
      s.link.id,
      s.link.class,
      `${s.hosts[0]}>${s.hosts[1]}`,
      String(s.vni),
      String(s.link.mtu),
      String(stitchedUnderlayMtu(s)),
    ]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const table = rows.map(
    (r) =>
      '  ' +
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
  );
  const hosts = hostsFile.hosts.map(
    (h) =>
      `  ${h.name} ${h.address}: ${(placement.nodesOf.get(h.name) ?? []).length} nodes, weight ${placement.load.get(h.name) ?? 0}` +
      (h.capacity !== undefined ? ` of ${h.capacity}` : ''),
  );
  const need = Math.max(0, ...placement.stitched.map(stitchedUnderlayMtu));
  return [
    `hosts (${hostsFile.file}):`,
    ...hosts,
    '',
    `stitched links (cross-host VXLAN, udp ${STITCH_DST_PORT}): ${placement.stitched.length}`,
    `  each adds outer IPv4 20 + UDP 8 + VXLAN 8 + Ethernet 14 = ${VXLAN_OVERHEAD} bytes on the network between the hosts`,
    ...(placement.stitched.length ? table : []),
    ...(placement.stitched.length ? [`the network between the hosts needs an MTU of at least ${need}`] : []),
    '',
  ].join('\n');
}
