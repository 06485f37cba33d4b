// `--decode-as` for the pseudowire payload: globally (`pw-eth-cw`), per bottom-of-stack label
// (`1001=pw-eth-nocw`) or label range (`1000-1010=pw-eth-nocw`, tshark's
// `mpls.label==1000-1010,pwethnocw`). When given, it wins over the heuristic. Also VXLAN on a UDP
// port other than 4789 (tshark's `udp.port==8472,vxlan`). The tag plan exports per-label hints as
// JSON ({ "1001": "pw-eth-nocw" }), read with decodeAsFromHints.
import { FabricError } from '../errors/fabric-error.js';
import type { DecodeAs, PwPayloadKind } from './types.js';

/** Accepted spellings → kind, including tshark's protocol names pwethcw and pwethnocw. */
const KIND_ALIASES: Record<string, PwPayloadKind> = {
  'pw-eth-cw': 'pw-eth-cw',
  pwethcw: 'pw-eth-cw',
  'eth-cw': 'pw-eth-cw',
  'pw-eth-nocw': 'pw-eth-nocw',
  pwethnocw: 'pw-eth-nocw',
  'eth-nocw': 'pw-eth-nocw',
  ipv4: 'ipv4',
  ip: 'ipv4',
  ipv6: 'ipv6',
  raw: 'raw',
  data: 'raw',
};

export const PW_PAYLOAD_KINDS: readonly PwPayloadKind[] = ['pw-eth-cw', 'pw-eth-nocw', 'ipv4', 'ipv6', 'raw'];

const MAX_LABEL = 0xfffff;

function badSyntax(item: string, why: string): FabricError {
  return new FabricError('E_DECODE_AS', `bad --decode-as ${JSON.stringify(item)}: ${why}`, {
    hint: `write KIND, LABEL=KIND or FROM-TO=KIND (also tshark's mpls.label==LABEL,KIND, mpls.label==FROM-TO,KIND and udp.port==PORT,vxlan); KIND is one of ${PW_PAYLOAD_KINDS.join(', ')} (or pwethcw, pwethnocw)`,
  });
}

/** Parses one kind name (case-insensitive, aliases allowed). Throws E_DECODE_AS. */
export function parsePwKind(text: string, item = text): PwPayloadKind {
  const k = KIND_ALIASES[text.trim().toLowerCase()];
  if (!k) throw badSyntax(item, `unknown payload kind ${JSON.stringify(text.trim())}`);
  return k;
}

function parseLabel(text: string, item: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw badSyntax(item, `label ${JSON.stringify(t)} is not a decimal number`);
  const n = Number(t);
  if (n > MAX_LABEL) throw badSyntax(item, `label ${n} is above ${MAX_LABEL}`);
  return n;
}

/** One label or an inclusive range `FROM-TO` (tshark's form), added to `out`. */
function addLabels(out: DecodeAs, text: string, kind: PwPayloadKind, item: string): void {
  const dash = text.indexOf('-');
  if (dash < 0) {
    const label = parseLabel(text, item);
    (out.labels ??= {})[label] = kind;
    // A later single label also wins over an earlier range (single labels are looked up first).
    return;
  }
  const from = parseLabel(text.slice(0, dash), item);
  const to = parseLabel(text.slice(dash + 1), item);
  if (from > to) throw badSyntax(item, `range ${from}-${to} is empty (the first label is above the last)`);
  // A later range overrides earlier single labels inside it.
  if (out.labels) for (const l of Object.keys(out.labels)) if (+l >= from && +l <= to) delete out.labels[+l];
  (out.ranges ??= []).push({ from, to, kind });
}

function parsePort(text: string, item: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) > 65535) throw badSyntax(item, `UDP port ${JSON.stringify(t)} is not 0 to 65535`);
  return Number(t);
}

/**
 * Parses decode-as items. Each is `KIND` (the default for every bottom label), `LABEL=KIND`,
 * `FROM-TO=KIND`, tshark style `mpls.label==LABEL,KIND` / `mpls.label==FROM-TO,KIND`, or
 * `udp.port==PORT,vxlan`. Later items override earlier ones for the same label.
 * Throws FabricError E_DECODE_AS on bad syntax.
 */
export function parseDecodeAs(items: readonly string[]): DecodeAs {
  const out: DecodeAs = {};
  for (const item of items) {
    const udp = /^\s*udp\.port\s*==\s*([^,]*),(.*)$/i.exec(item);
    if (udp) {
      const port = parsePort(udp[1]!, item);
      if (udp[2]!.trim().toLowerCase() !== 'vxlan')
        throw badSyntax(item, `only vxlan can be decoded on a UDP port, not ${JSON.stringify(udp[2]!.trim())}`);
      if (!(out.vxlanPorts ??= []).includes(port)) out.vxlanPorts.push(port);
      continue;
    }
    const tshark = /^\s*mpls\.label\s*==\s*([^,]*),(.*)$/i.exec(item);
    if (tshark) {
      addLabels(out, tshark[1]!, parsePwKind(tshark[2]!, item), item);
      continue;
    }
    const eq = item.indexOf('=');
    if (eq < 0) {
      if (item.trim() === '') throw badSyntax(item, 'empty');
      out.default = parsePwKind(item, item);
      continue;
    }
    if (item.indexOf('=', eq + 1) >= 0) throw badSyntax(item, 'more than one "="');
    addLabels(out, item.slice(0, eq), parsePwKind(item.slice(eq + 1), item), item);
  }
  return out;
}

/** Converts the tag plan's hints ({ "1001": "pw-eth-nocw" }) to DecodeAs, merged over `base`. */
export function decodeAsFromHints(hints: Record<string, string>, base: DecodeAs = {}): DecodeAs {
  const items = Object.entries(hints).map(([label, kind]) => `${label}=${kind}`);
  const parsed = parseDecodeAs(items);
  return { ...base, labels: { ...base.labels, ...parsed.labels } };
}
