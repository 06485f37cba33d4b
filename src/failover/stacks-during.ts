// Tag stacks *during* a failover (isolation must hold while VMs move, not only after): every
// frame of a tenant's echo train captured on a tenant port while the move runs must carry the
// stack that port is planned to carry: untagged
// client frames at an endpoint; on a virtual hypervisor's tap 802.1Q 4000 / IPv4 between the VTEP
// pair / UDP 4789 / VXLAN with the site's VNI / the client frame; on a traditional hypervisor's
// host-stack port the same without the tag. Frames are found by the tenant's payload pattern.
import { dissect } from '../decode/index.js';
import type { Layer } from '../decode/types.js';
import { VTEP } from '../topology/hypervisors.js';
import { eachFrame, type PortCarries } from './probe.js';

export interface StackCheck {
  checked: number;
  violations: number;
  /** Up to 5 examples: file, frame number, why. */
  samples: string[];
}

type L = Layer & Record<string, unknown>;

/** Why one frame does not carry what its port should, or null. */
export function stackProblem(layers: Layer[], carries: PortCarries): string | null {
  const ls = layers as L[];
  const names = ls.map((l) => l.name);
  if (carries.kind === 'client') {
    return names[0] === 'eth' && names[1] === 'ipv4'
      ? null
      : `client port frame is ${names.join('/')}, expected eth/ipv4`;
  }
  let i = 0;
  if (ls[i]?.name !== 'eth') return `not Ethernet: ${names.join('/')}`;
  i++;
  if (carries.tagged) {
    if (ls[i]?.name !== 'vlan' || ls[i]!.vid !== VTEP.vlan)
      return `expected 802.1Q ${VTEP.vlan}, got ${names.slice(1).join('/')}`;
    i++;
  } else if (ls[i]?.name === 'vlan') return `a tag on an access port of the transport VLAN: ${names.join('/')}`;
  const ip = ls[i];
  const ends: unknown[] = [VTEP.gatewayIp, VTEP.guestIp];
  if (ip?.name !== 'ipv4' || !ends.includes(ip.src) || !ends.includes(ip.dst))
    return `outer IPv4 is not the VTEP pair: ${names.join('/')}`;
  const udp = ls[i + 1];
  if (udp?.name !== 'udp' || udp.dport !== VTEP.dstport) return `not UDP ${VTEP.dstport}: ${names.join('/')}`;
  const vx = ls[i + 2];
  if (vx?.name !== 'vxlan') return `no VXLAN header: ${names.join('/')}`;
  if (vx.vni !== carries.vni) return `VXLAN VNI ${String(vx.vni)}, the site's is ${carries.vni}`;
  if (ls[i + 3]?.name !== 'eth' || ls[i + 4]?.name !== 'ipv4')
    return `inner frame is ${names.slice(i + 3).join('/')}, expected eth/ipv4`;
  return null;
}

/** Checks every frame with `pattern` (hex) in `frames`. */
export function checkFrames(
  frames: Iterable<Uint8Array>,
  pattern: string,
  carries: PortCarries,
  label: string,
  into: StackCheck,
): StackCheck {
  const pat = Buffer.from(pattern, 'hex');
  let n = 0;
  for (const f of frames) {
    n++;
    if (!Buffer.from(f.buffer, f.byteOffset, f.byteLength).includes(pat)) continue;
    into.checked++;
    const why = stackProblem(dissect(f), carries);
    if (why) {
      into.violations++;
      if (into.samples.length < 5) into.samples.push(`${label} #${n}: ${why}`);
    }
  }
  return into;
}

/** Checks the capture files of a watched move (missing files count as empty). */
export async function checkCaptures(
  points: { file: string; tenant: string; carries?: PortCarries }[],
  patterns: Record<string, string>,
): Promise<StackCheck> {
  const out: StackCheck = { checked: 0, violations: 0, samples: [] };
  for (const p of points) {
    const pattern = patterns[p.tenant];
    if (!p.carries || !pattern) continue;
    const frames: Uint8Array[] = [];
    // The reader reuses its buffer between records: each frame is copied.
    await eachFrame(p.file, (d) => frames.push(d.slice()));
    checkFrames(frames, pattern, p.carries, p.file.split('/').pop()!, out);
  }
  return out;
}
