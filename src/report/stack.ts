// Hop stacks: report.json stores them as layers (expected: tagging patterns, '*' for a wildcard;
// observed: the decoder's layers), and both renderings come from those layers. `patternText` and
// inspect's `layersText` write the one-line `fabric inspect` syntax (outer to inner, " | " between
// headers, tags after the Ethernet addresses), so expected and observed lines read alike;
// `expectedBlocks`/`observedBlocks` give the HTML picture's blocks, named after their role in the
// fabric (Tag1..Tag4, PW, VXLAN, client Ethernet).
import type { Layer } from '../decode/index.js';
import { layersText } from '../inspect/format-text.js';
import type { InspectLayer } from '../inspect/types.js';
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

type AnyLayer = { name: string } & Record<string, unknown>;
type Render = (layers: AnyLayer[]) => string;

/** Network and transport layers, and what the decoder leaves undecoded: the client's payload. */
const PAYLOAD = new Set(['ipv4', 'ipv6', 'arp', 'icmp', 'udp', 'tcp']);

/**
 * Layers (outer to inner) → blocks. Each block's value is the layer's own text in the one-line
 * syntax without its header word; an IP header takes the transport header the renderer attaches to
 * it. The last Ethernet header is the client's; an IP header before a VXLAN header is the outer one.
 */
function stackBlocks(layers: readonly AnyLayer[], render: Render): StackBlock[] {
  const names = layers.map((l) => l.name);
  const lastEth = names.lastIndexOf('eth');
  const lastVxlan = names.lastIndexOf('vxlan');
  const out: StackBlock[] = [];
  const b = (kind: BlockKind, value: string): void => {
    out.push({ kind, label: BLOCK_LABEL[kind], value: value.trim() });
  };
  let afterStag = false;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    // An Ethernet header is drawn from its fields: alone, its text would end in its ethertype.
    const text = l.name === 'eth' ? '' : render([l]);
    const stag = afterStag;
    afterStag = false;
    switch (l.name) {
      case 'eth':
        b(i === lastEth ? 'eth-client' : 'eth-outer', `${s(l.src)} > ${s(l.dst)}`);
        break;
      case 'vlan': {
        const word = text.slice(0, text.indexOf(' '));
        const value = text.slice(word.length + 1);
        if (word === '802.1Q') b(stag ? 'tag2' : 'own-vlan', value);
        else {
          b('tag1', word === '802.1ad' ? value : text);
          afterStag = true;
        }
        break;
      }
      case 'mpls':
        b(l.s === true ? 'tag3' : 'tag4', text.slice(5).replace(/\s*\[S\]/, ''));
        break;
      case 'pw':
        b('pw', text.slice(2).trim() || 'eth');
        break;
      case 'vxlan':
        b('vxlan', text.slice(5));
        break;
      default: {
        if (!PAYLOAD.has(l.name)) {
          if (text) b('raw', text); // the decoder's raw payload renders as nothing
          break;
        }
        const next = layers[i + 1];
        const pair = next && (l.name === 'ipv4' || l.name === 'ipv6') ? render([l, next]) : '';
        const joined = pair !== '' && !pair.includes(' | ');
        if (joined) i++;
        b(l.name.startsWith('ipv') && lastVxlan > i ? 'ip-outer' : 'payload', joined ? pair : text);
      }
    }
  }
  return out;
}

/** Blocks of an expected stack (tagging patterns; '*' marks a wildcard value). */
export function expectedBlocks(layers: readonly LayerPattern[]): StackBlock[] {
  return stackBlocks(layers, (ls) => patternText(ls as LayerPattern[]));
}

/** Blocks of an observed frame (the decoder's layers). */
export function observedBlocks(layers: readonly Layer[]): StackBlock[] {
  return stackBlocks(layers as unknown as AnyLayer[], (ls) => observedText(ls as unknown as Layer[]));
}

/** An observed frame in the one-line `fabric inspect` syntax. */
export function observedText(layers: readonly Layer[]): string {
  return layersText(layers as unknown as InspectLayer[]);
}
