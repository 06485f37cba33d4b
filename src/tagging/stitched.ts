// A lab split over hosts carries each stitched link (a link whose ends sit on two hosts) in a
// VXLAN tunnel between the hosts' underlay addresses. A frame on such a link, captured on the
// underlay, has that tunnel's outer headers in front of the stack the plan gives the link.
import { ANY, type LayerPattern } from './patterns.js';

export interface StitchedLink {
  vni: number;
  /** The tunnel's UDP destination port. */
  dstPort: number;
  /** Each end's node → the underlay address of the host it is placed on. */
  hostAddress: ReadonlyMap<string, string>;
}

/** Link id → its tunnel, for the stitched links of a split lab. */
export type StitchedLinks = ReadonlyMap<string, StitchedLink>;

/**
 * The outer headers of a frame crossing stitched link `id` from node `from` to node `to`: the
 * hosts' Ethernet (their MACs, IPv4 TTL and id and the UDP source port are the kernel's), IPv4
 * from the sending end's host to the receiving end's host, UDP to the tunnel port, the VNI.
 */
export function stitchedOuter(links: StitchedLinks, id: string, from: string, to: string): LayerPattern[] {
  const s = links.get(id);
  if (!s) return [];
  const addr = (node: string) => {
    const a = s.hostAddress.get(node);
    if (!a) throw new Error(`expected: stitched link ${id} has no end on ${node}`);
    return a;
  };
  return [
    { name: 'eth', src: ANY, dst: ANY, type: 0x0800 },
    { name: 'ipv4', src: addr(from), dst: addr(to), proto: 17, ttl: ANY, id: ANY },
    { name: 'udp', sport: ANY, dport: s.dstPort },
    { name: 'vxlan', vni: s.vni },
  ];
}
