// One line per frame in the spirit of `tcpdump -e`: the whole stack, outer to inner, layers
// separated by " | ", transport headers attached to their IP header, payload not shown:
//   12 0.000120 02:00:00:00:00:01 > 02:00:00:00:00:02 802.1ad 100 | 802.1Q 200 | MPLS 1001 ttl 64 [S] | PW cw |
//      02:00:00:00:00:0a > 02:00:00:00:00:0b 802.1Q 100 | IPv4 10.20.30.10 > 10.20.30.50 ICMP echo request id 1 seq 2
import type { InspectLayer } from './types.js';

const hex4 = (v: number) => '0x' + v.toString(16).padStart(4, '0');

function vlanText(tpid: number, vid: number, pcp: number, dei: number): string {
  const kind = tpid === 0x8100 ? '802.1Q' : tpid === 0x88a8 ? '802.1ad' : `QinQ(${hex4(tpid)})`;
  return `${kind} ${vid}${pcp ? ` p${pcp}` : ''}${dei ? ' dei' : ''}`;
}

/** Linux cooked capture packet types, as tcpdump names them. */
export const SLL_PKTTYPE: Record<number, string> = { 0: 'In', 1: 'B', 2: 'M', 3: 'P', 4: 'Out' };

export const ICMP4: Record<number, string> = {
  0: 'echo reply',
  3: 'unreachable',
  5: 'redirect',
  8: 'echo request',
  11: 'time exceeded',
  12: 'parameter problem',
};
export const ICMP6: Record<number, string> = {
  1: 'unreachable',
  2: 'packet too big',
  3: 'time exceeded',
  4: 'parameter problem',
  128: 'echo request',
  129: 'echo reply',
  130: 'MLD query',
  131: 'MLD report',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  143: 'MLDv2 report',
};

const TCP_FLAGS: [number, string][] = [
  [0x01, 'F'],
  [0x02, 'S'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x10, '.'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
];
export function tcpFlagsText(flags: number): string {
  let s = '';
  for (const [bit, c] of TCP_FLAGS) if (flags & bit) s += c;
  return s || 'none';
}

function isTransport(l: InspectLayer | undefined): boolean {
  return l !== undefined && (l.name === 'icmp' || l.name === 'udp' || l.name === 'tcp');
}

/** The stack text of one frame (without number and time). */
export function layersText(layers: readonly InspectLayer[]): string {
  const parts: string[] = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    const next = layers[i + 1];
    switch (l.name) {
      case 'eth': {
        let s = `${l.src} > ${l.dst}`;
        // Tags follow without a separator, as tcpdump -e prints them on the Ethernet header.
        let j = i + 1;
        while (layers[j]?.name === 'vlan') {
          const v = layers[j] as Extract<InspectLayer, { name: 'vlan' }>;
          s += (j === i + 1 ? ' ' : ' | ') + vlanText(v.tpid, v.vid, v.pcp, v.dei);
          j++;
        }
        const after = layers[j];
        if (after === undefined || after.name === 'raw') {
          const t = j === i + 1 ? l.type : (layers[j - 1] as Extract<InspectLayer, { name: 'vlan' }>).type;
          s += ` ethertype ${hex4(t)}`;
        }
        parts.push(s);
        i = j - 1;
        break;
      }
      case 'sll':
      case 'sll2': {
        // tcpdump -e on a cooked capture: direction, then the link-layer source address.
        const dir = SLL_PKTTYPE[l.pkttype] ?? `pkttype ${l.pkttype}`;
        let s = `${l.name === 'sll' ? 'SLL' : `SLL2 if ${l.ifindex}`} ${dir} ${l.addr}`;
        if (next === undefined || next.name === 'raw') s += ` ethertype ${hex4(l.type)}`;
        parts.push(s);
        break;
      }
      case 'vlan': // only reached for a tag not directly after an Ethernet header
        parts.push(vlanText(l.tpid, l.vid, l.pcp, l.dei));
        break;
      case 'mpls':
        parts.push(`MPLS ${l.label}${l.tc ? ` tc ${l.tc}` : ''} ttl ${l.ttl}${l.s ? ' [S]' : ''}`);
        break;
      case 'pw':
        parts.push(l.cw ? `PW cw${l.seq ? ` seq ${l.seq}` : ''}` : 'PW nocw');
        break;
      case 'vxlan':
        parts.push(`VXLAN ${l.vni}`);
        break;
      case 'ipv4':
      case 'ipv6': {
        let s = `${l.name === 'ipv4' ? 'IPv4' : 'IPv6'} ${l.src} > ${l.dst}`;
        if (isTransport(next)) {
          s += ' ' + transportText(next!, l.name === 'ipv6');
          i++;
        } else {
          s += l.name === 'ipv4' ? ` proto ${l.proto}` : ` next ${l.next}`;
        }
        parts.push(s);
        break;
      }
      case 'icmp':
      case 'udp':
      case 'tcp':
        parts.push(transportText(l, false));
        break;
      case 'arp':
        parts.push(
          l.op === 1
            ? `ARP who-has ${l.tpa} tell ${l.spa}`
            : l.op === 2
              ? `ARP reply ${l.spa} is-at ${l.sha}`
              : `ARP op ${l.op} ${l.spa} > ${l.tpa}`,
        );
        break;
      case 'raw':
        if (l.reason === 'payload') break; // application payload: not shown
        parts.push(`raw ${l.len}${l.reason ? ` (${l.reason})` : ''}`);
        break;
    }
  }
  return parts.join(' | ');
}

function transportText(l: InspectLayer, v6: boolean): string {
  switch (l.name) {
    case 'icmp': {
      const name = (v6 ? ICMP6 : ICMP4)[l.type] ?? `type ${l.type} code ${l.code}`;
      const isEcho = v6 ? l.type === 128 || l.type === 129 : l.type === 0 || l.type === 8;
      const echo = isEcho && l.id !== undefined && l.seq !== undefined ? ` id ${l.id} seq ${l.seq}` : '';
      return `${v6 ? 'ICMP6' : 'ICMP'} ${name}${echo}`;
    }
    case 'udp':
      return `UDP ${l.sport} > ${l.dport}`;
    case 'tcp':
      return `TCP ${l.sport} > ${l.dport} [${tcpFlagsText(l.flags)}]`;
    default:
      return '';
  }
}

/**
 * Relative time text: `ts - first` at the precision of `ts` (digits after the point), exact
 * (integer arithmetic on the decimal strings).
 */
export function relTime(ts: string, first: string): string {
  const [s1, f1 = ''] = ts.split('.');
  const [s0, f0 = ''] = first.split('.');
  const d = Math.max(f1.length, f0.length);
  const scale = 10 ** d;
  // Seconds and fractions are subtracted separately: epoch seconds * 1e9 would exceed 2^53.
  let diff = (Number(s1) - Number(s0)) * scale + (Number(f1.padEnd(d, '0') || '0') - Number(f0.padEnd(d, '0') || '0'));
  const neg = diff < 0;
  if (neg) diff = -diff;
  const sec = Math.floor(diff / scale);
  const frac = diff - sec * scale;
  const out = d ? `${sec}.${String(frac).padStart(d, '0')}` : String(sec);
  return neg ? '-' + out : out;
}
