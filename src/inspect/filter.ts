// Frame filters. Each matches at any depth of the stack (outer tags, inner tags after a
// pseudowire or VXLAN, inner IP). Values of one option are alternatives (OR); different options
// must all match (AND). vlan/label/vni read the dissector's key arrays (no allocation); --ip
// materialises only the IP/ARP layers; --contains searches the frame bytes.
import { FabricError } from '../errors/fabric-error.js';
import { Dissector, LAYER_ID, ipv4, ipv6, formatIpv4, formatIpv6 } from '../decode/index.js';

export interface FilterOptions {
  vlan?: number[];
  label?: number[];
  vni?: number[];
  ip?: string[];
  /** Text (UTF-8) or 0x-prefixed hex bytes. */
  contains?: string[];
}

export type FrameFilter = (data: Uint8Array, d: Dissector) => boolean;

function intList(name: string, vals: number[] | undefined, max: number): number[] | undefined {
  if (!vals?.length) return undefined;
  for (const v of vals) {
    if (!Number.isInteger(v) || v < 0 || v > max) {
      throw new FabricError('E_INSPECT_FILTER', `--${name} ${v}: expected an integer from 0 to ${max}`);
    }
  }
  return vals;
}

/** Parses an IPv4/IPv6 address to the decoder's canonical text. */
function canonicalIp(text: string): string {
  try {
    if (text.includes(':')) return formatIpv6(ipv6(text), 0);
    return formatIpv4(ipv4(text), 0);
  } catch (err) {
    throw new FabricError('E_INSPECT_FILTER', `--ip ${JSON.stringify(text)}: not an IPv4 or IPv6 address`, {
      cause: err,
    });
  }
}

/** A --contains marker: `0x` + an even number of hex digits is bytes; anything else starting `0x` is refused. */
export function markerBytes(text: string): Uint8Array {
  if (/^0x([0-9a-f]{2})+$/i.test(text)) return Uint8Array.from(Buffer.from(text.slice(2), 'hex'));
  if (/^0x/i.test(text)) {
    throw new FabricError('E_INSPECT_FILTER', `--contains ${JSON.stringify(text)}: not valid hex bytes`, {
      hint: '0x must be followed by pairs of hex digits (0x48454c4c4f); to search for text that starts with 0x, give that text as hex bytes',
    });
  }
  if (text === '') throw new FabricError('E_INSPECT_FILTER', '--contains needs a non-empty marker');
  return new TextEncoder().encode(text);
}

function anyKey(d: Dissector, id: number, vals: number[]): boolean {
  for (let i = 0; i < d.count; i++) if (d.kinds[i] === id && vals.includes(d.keys[i]!)) return true;
  return false;
}

/** Compiles the options to one predicate, or undefined when no filter is set. */
export function compileFilter(o: FilterOptions): FrameFilter | undefined {
  const tests: FrameFilter[] = [];
  const vlan = intList('vlan', o.vlan, 4095);
  const label = intList('label', o.label, 0xfffff);
  const vni = intList('vni', o.vni, 0xffffff);
  if (vlan) tests.push((_, d) => anyKey(d, LAYER_ID.vlan, vlan));
  if (label) tests.push((_, d) => anyKey(d, LAYER_ID.mpls, label));
  if (vni) tests.push((_, d) => anyKey(d, LAYER_ID.vxlan, vni));
  if (o.ip?.length) {
    const ips = new Set(o.ip.map(canonicalIp));
    tests.push((_, d) => {
      for (let i = 0; i < d.count; i++) {
        const k = d.kinds[i];
        if (k !== LAYER_ID.ipv4 && k !== LAYER_ID.ipv6 && k !== LAYER_ID.arp) continue;
        const l = d.layer(i);
        if (l.name === 'arp') {
          if (ips.has(l.spa) || ips.has(l.tpa)) return true;
          continue;
        }
        if ((l.name === 'ipv4' || l.name === 'ipv6') && (ips.has(l.src) || ips.has(l.dst))) return true;
      }
      return false;
    });
  }
  if (o.contains?.length) {
    const markers = o.contains.map((m) => Buffer.from(markerBytes(m)));
    tests.push((data) => {
      const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      return markers.some((m) => b.indexOf(m) >= 0);
    });
  }
  if (!tests.length) return undefined;
  if (tests.length === 1) return tests[0];
  return (data, d) => tests.every((t) => t(data, d));
}
