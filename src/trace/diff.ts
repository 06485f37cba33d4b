// What changed in a frame's stack between two hops: headers pushed, popped, swapped/rewritten,
// and TTLs decremented. The stacks are aligned on header identity (kind + value) with a longest
// common subsequence; within a run of removed and added headers, a removed and an added header of
// the same kind pair up as a swap (MPLS label swap, VLAN rewrite, MAC rewrite).
import type { Layer } from '../decode/index.js';

export interface HeaderToken {
  /** `eth`, `802.1ad`, `802.1Q`, `MPLS`, `PW`, `VXLAN`, `IPv4`, `UDP`, ... */
  kind: string;
  /** Identity value: MACs, VID, label, VNI, addresses, ports. */
  value: string;
  /** Values that change without changing identity (TTL). */
  ttl?: number;
}

export type StackChange =
  | { op: 'push'; header: HeaderToken }
  | { op: 'pop'; header: HeaderToken }
  | { op: 'swap'; from: HeaderToken; to: HeaderToken }
  | { op: 'ttl'; header: HeaderToken; from: number; to: number };

export function tokens(layers: readonly Layer[]): HeaderToken[] {
  const out: HeaderToken[] = [];
  for (const l of layers) {
    switch (l.name) {
      case 'eth':
        out.push({ kind: 'eth', value: `${l.src} > ${l.dst}` });
        break;
      case 'vlan':
        out.push({
          kind: l.tpid === 0x8100 ? '802.1Q' : l.tpid === 0x88a8 ? '802.1ad' : `QinQ(0x${l.tpid.toString(16)})`,
          value: `${l.vid}${l.pcp ? ` p${l.pcp}` : ''}`,
        });
        break;
      case 'mpls':
        out.push({ kind: 'MPLS', value: `${l.label}${l.s ? ' [S]' : ''}`, ttl: l.ttl });
        break;
      case 'pw':
        out.push({ kind: 'PW', value: l.cw ? 'cw' : 'nocw' });
        break;
      case 'vxlan':
        out.push({ kind: 'VXLAN', value: String(l.vni) });
        break;
      case 'ipv4':
        out.push({ kind: 'IPv4', value: `${l.src} > ${l.dst}`, ttl: l.ttl });
        break;
      case 'ipv6':
        out.push({ kind: 'IPv6', value: `${l.src} > ${l.dst}` });
        break;
      case 'udp':
      case 'tcp':
        out.push({ kind: l.name.toUpperCase(), value: `${l.sport} > ${l.dport}` });
        break;
      case 'icmp':
        out.push({ kind: 'ICMP', value: `${l.type}/${l.code}` });
        break;
      case 'arp':
        out.push({ kind: 'ARP', value: `${l.op} ${l.spa} > ${l.tpa}` });
        break;
      case 'raw':
        if (l.reason !== 'payload') out.push({ kind: 'raw', value: l.reason ?? '' });
        break;
    }
  }
  // Padding differs between hops (a short frame is padded on one link, not on a tagged one).
  while (out.length && out[out.length - 1]!.kind === 'raw') out.pop();
  return out;
}

const id = (t: HeaderToken) => `${t.kind} ${t.value}`;

export function stackDiff(prev: readonly Layer[], cur: readonly Layer[]): StackChange[] {
  const a = tokens(prev),
    b = tokens(cur);
  const n = a.length,
    m = b.length;
  // LCS table, suffix form.
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      L[i]![j] = id(a[i]!) === id(b[j]!) ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const out: StackChange[] = [];
  let dels: HeaderToken[] = [],
    ins: HeaderToken[] = [];
  const flush = () => {
    const used = new Set<number>();
    const pending: StackChange[] = [];
    for (const d of dels) {
      const k = ins.findIndex((x, i) => !used.has(i) && x.kind === d.kind);
      if (k >= 0) {
        used.add(k);
        pending.push({ op: 'swap', from: d, to: ins[k]! });
      } else pending.push({ op: 'pop', header: d });
    }
    ins.forEach((x, i) => {
      if (!used.has(i)) pending.push({ op: 'push', header: x });
    });
    out.push(...pending);
    dels = [];
    ins = [];
  };
  let i = 0,
    j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && id(a[i]!) === id(b[j]!)) {
      flush();
      if (a[i]!.ttl !== undefined && b[j]!.ttl !== undefined && a[i]!.ttl !== b[j]!.ttl)
        out.push({ op: 'ttl', header: b[j]!, from: a[i]!.ttl!, to: b[j]!.ttl! });
      i++;
      j++;
    } else if (j < m && (i >= n || L[i]![j + 1]! >= L[i + 1]![j]!)) {
      ins.push(b[j++]!);
    } else {
      dels.push(a[i++]!);
    }
  }
  flush();
  return out;
}

const tok = (t: HeaderToken) =>
  `${t.kind === 'eth' ? 'Ethernet' : t.kind} ${t.value}${t.ttl !== undefined && t.kind === 'MPLS' ? ` ttl ${t.ttl}` : ''}`;

/** One short line per change, e.g. `+ pushed 802.1ad 101`, `~ swapped MPLS 2001 → 2002 (ttl 64 → 63)`. */
export function changeText(c: StackChange): string {
  switch (c.op) {
    case 'push':
      return `+ pushed ${tok(c.header)}`;
    case 'pop':
      return `- popped ${tok(c.header)}`;
    case 'ttl':
      return `= ${c.header.kind} ${c.header.value} ttl ${c.from} → ${c.to}`;
    case 'swap': {
      const verb = c.from.kind === 'MPLS' ? 'swapped' : 'rewrote';
      const ttl =
        c.from.ttl !== undefined && c.to.ttl !== undefined && c.from.ttl !== c.to.ttl
          ? ` (ttl ${c.from.ttl} → ${c.to.ttl})`
          : '';
      const kind = c.from.kind === 'eth' ? 'Ethernet' : c.from.kind;
      return `~ ${verb} ${kind} ${c.from.value} → ${c.to.value}${ttl}`;
    }
  }
}
