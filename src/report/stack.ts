// Hop stacks as text and as blocks. A HopPicture carries its stacks as one-line text in the
// `fabric inspect` syntax (outer to inner, " | " between headers, tags after the Ethernet
// addresses). `patternText` writes expected stacks (src/tagging/expected.ts patterns, '*' for a
// wildcard) in that same syntax, so expected and observed lines read alike; `parseStack` turns
// either back into typed blocks for the HTML picture, naming each block after its role in the
// fabric (Tag1..Tag4, PW, VXLAN, client Ethernet).
import type { LayerPattern } from '../tagging/expected.js';

export type BlockKind =
  | 'eth-outer' // an Ethernet header added by the fabric (PE/gateway, provider)
  | 'eth-client' // the client's own Ethernet header (innermost)
  | 'tag1' // 802.1ad S-tag: host tag
  | 'tag2' // 802.1Q C-tag after an S-tag: customer tag
  | 'own-vlan' // 802.1Q without an S-tag in front: the client's own VLAN
  | 'tag4' // MPLS transport label (not bottom of stack)
  | 'tag3' // MPLS bottom label: DC/VPLS service label
  | 'pw' // pseudowire (control word or not)
  | 'ip-outer' // IPv4/IPv6 + UDP carrying VXLAN (provider segment)
  | 'vxlan'
  | 'payload' // client L3 and above (IP, ARP, ICMP, ...)
  | 'raw';

export interface StackBlock {
  kind: BlockKind;
  /** Short role name shown on the block, e.g. `Tag1 802.1ad`. */
  label: string;
  /** The value(s), e.g. `101`, `2001 ttl 64`, `02:00:00:00:00:10 > 02:00:00:00:00:52`. */
  value: string;
}

export const BLOCK_LABEL: Record<BlockKind, string> = {
  'eth-outer': 'Ethernet (outer)',
  'eth-client': 'client Ethernet',
  tag1: 'Tag1 802.1ad',
  tag2: 'Tag2 802.1Q',
  'own-vlan': 'own VLAN 802.1Q',
  tag4: 'Tag4 MPLS',
  tag3: 'Tag3 MPLS',
  pw: 'PW',
  'ip-outer': 'outer IP/UDP',
  vxlan: 'VXLAN',
  payload: 'payload',
  raw: 'raw',
};

const W = '*';
const s = (v: unknown): string => (v === undefined ? W : String(v));
const hex4 = (v: unknown): string => (typeof v === 'number' ? '0x' + v.toString(16).padStart(4, '0') : W);

function vlanText(tpid: unknown, vid: unknown): string {
  const kind = tpid === 0x8100 ? '802.1Q' : tpid === 0x88a8 ? '802.1ad' : `QinQ(${hex4(tpid)})`;
  return `${kind} ${s(vid)}`;
}

/** An expected stack (layer patterns, outer to inner) in `fabric inspect` one-line syntax. */
export function patternText(layers: readonly LayerPattern[]): string {
  const parts: string[] = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    switch (l.name) {
      case 'eth': {
        let t = `${s(l.src)} > ${s(l.dst)}`;
        let j = i + 1;
        while (layers[j]?.name === 'vlan') {
          const v = layers[j]!;
          t += (j === i + 1 ? ' ' : ' | ') + vlanText(v.tpid, v.vid);
          j++;
        }
        parts.push(t);
        i = j - 1;
        break;
      }
      case 'vlan':
        parts.push(vlanText(l.tpid, l.vid));
        break;
      case 'mpls':
        parts.push(`MPLS ${s(l.label)} ttl ${s(l.ttl)}${l.s === true ? ' [S]' : ''}`);
        break;
      case 'pw':
        parts.push(l.cw === true ? 'PW cw' : l.cw === false ? 'PW nocw' : 'PW');
        break;
      case 'vxlan':
        parts.push(`VXLAN ${s(l.vni)}`);
        break;
      case 'ipv4':
      case 'ipv6': {
        let t = `${l.name === 'ipv4' ? 'IPv4' : 'IPv6'} ${s(l.src)} > ${s(l.dst)}`;
        const next = layers[i + 1];
        if (next && (next.name === 'udp' || next.name === 'tcp')) {
          t += ` ${next.name.toUpperCase()} ${s(next.sport)} > ${s(next.dport)}`;
          i++;
        }
        parts.push(t);
        break;
      }
      case 'udp':
      case 'tcp':
        parts.push(`${l.name.toUpperCase()} ${s(l.sport)} > ${s(l.dport)}`);
        break;
      default:
        parts.push(l.name.toUpperCase());
    }
  }
  return parts.join(' | ');
}

const MAC_PAIR = /^(\S+) > (\S+)(?: (.*))?$/;
const VLAN = /^(802\.1ad|802\.1Q|QinQ\(\S+\)) (\S+)(.*)$/;

const KV_PART = /^(eth|vlan|mpls|pw|vxlan|ipv4|ipv6|udp|tcp|arp|icmp|raw)((?: [a-z]+=\S+)*)$/;

/**
 * The `name key=value ...` form (`eth src=02:.. dst=.. type=34984 | vlan tpid=34984 vid=101`),
 * as a pattern list; null when the text is not in that form.
 */
export function parseKeyValueStack(text: string): LayerPattern[] | null {
  const parts = text
    .split(' | ')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) return null;
  const out: LayerPattern[] = [];
  for (const p of parts) {
    const m = KV_PART.exec(p);
    if (!m) return null;
    const l: Record<string, string | number | boolean> = { name: m[1]! };
    for (const kv of m[2]!.trim().split(' ').filter(Boolean)) {
      const i = kv.indexOf('=');
      const k = kv.slice(0, i),
        v = kv.slice(i + 1);
      l[k] = v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v;
    }
    out.push(l as LayerPattern);
  }
  return out;
}

/**
 * One stack line (observed or expected) → blocks, outer to inner. Accepts the `fabric inspect`
 * syntax and the `name key=value` pattern form. Unknown parts become `raw`.
 */
export function parseStack(text: string): StackBlock[] {
  const kv = parseKeyValueStack(text);
  if (kv) text = patternText(kv);
  // Split into header tokens; an Ethernet part may carry its first tag (`a > b 802.1ad 101`).
  const tokens: string[] = [];
  for (const part of text.split(' | ')) {
    const p = part.trim();
    if (!p) continue;
    const m = MAC_PAIR.exec(p);
    if (m && !/^(IPv4|IPv6|UDP|TCP|ARP|ICMP)/.test(p)) {
      tokens.push(`eth ${m[1]} > ${m[2]}`);
      const rest = (m[3] ?? '').replace(/\s*ethertype 0x[0-9a-f]{4}\s*$/i, '').trim();
      if (rest) tokens.push(rest);
    } else {
      tokens.push(p);
    }
  }
  const ethIdx = tokens.map((t, i) => (t.startsWith('eth ') ? i : -1)).filter((i) => i >= 0);
  const lastEth = ethIdx.length ? ethIdx[ethIdx.length - 1]! : -1;
  const vxlanIdx = tokens.findIndex((t) => t.startsWith('VXLAN'));
  const out: StackBlock[] = [];
  let afterStag = false;
  tokens.forEach((t, i) => {
    const b = (kind: BlockKind, value: string): void => {
      out.push({ kind, label: BLOCK_LABEL[kind], value: value.trim() });
    };
    if (t.startsWith('eth ')) {
      afterStag = false;
      return b(i === lastEth ? 'eth-client' : 'eth-outer', t.slice(4));
    }
    const v = VLAN.exec(t);
    if (v) {
      const value = v[2]! + v[3]!;
      if (v[1] === '802.1Q') {
        b(afterStag ? 'tag2' : 'own-vlan', value);
        afterStag = false;
      } else {
        b('tag1', v[1] === '802.1ad' ? value : `${v[1]} ${value}`);
        afterStag = true;
      }
      return;
    }
    afterStag = false;
    if (t.startsWith('MPLS ')) return b(t.includes('[S]') ? 'tag3' : 'tag4', t.slice(5).replace(/\s*\[S\]/, ''));
    if (t.startsWith('PW')) return b('pw', t.slice(2).trim() || 'eth');
    if (t.startsWith('VXLAN')) return b('vxlan', t.slice(5));
    if (/^(IPv4|IPv6) /.test(t) && vxlanIdx > i) return b('ip-outer', t);
    if (/^(IPv4|IPv6|ARP|ICMP|ICMP6|UDP|TCP) /.test(t) || /^(IPv4|IPv6|ARP)$/.test(t)) return b('payload', t);
    b('raw', t);
  });
  return out;
}
