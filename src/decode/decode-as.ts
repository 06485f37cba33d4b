// `--decode-as` for the pseudowire payload: globally (`pw-eth-cw`) or per bottom-of-stack label
// (`1001=pw-eth-nocw`). When given, it wins over the heuristic. The tag plan exports the same
// per-label hints as JSON ({ "1001": "pw-eth-nocw" }), read with decodeAsFromHints.
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
    hint: `write KIND or LABEL=KIND (also tshark's mpls.label==LABEL,KIND); KIND is one of ${PW_PAYLOAD_KINDS.join(', ')} (or pwethcw, pwethnocw)`,
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

/**
 * Parses decode-as items. Each is `KIND` (the default for every bottom label), `LABEL=KIND`, or
 * tshark style `mpls.label==LABEL,KIND`. Later items override earlier ones for the same label.
 * Throws FabricError E_DECODE_AS on bad syntax.
 */
export function parseDecodeAs(items: readonly string[]): DecodeAs {
  const out: DecodeAs = {};
  for (const item of items) {
    const tshark = /^\s*mpls\.label\s*==\s*([^,]*),(.*)$/i.exec(item);
    if (tshark) {
      (out.labels ??= {})[parseLabel(tshark[1]!, item)] = parsePwKind(tshark[2]!, item);
      continue;
    }
    const eq = item.indexOf('=');
    if (eq < 0) {
      if (item.trim() === '') throw badSyntax(item, 'empty');
      out.default = parsePwKind(item, item);
      continue;
    }
    if (item.indexOf('=', eq + 1) >= 0) throw badSyntax(item, 'more than one "="');
    (out.labels ??= {})[parseLabel(item.slice(0, eq), item)] = parsePwKind(item.slice(eq + 1), item);
  }
  return out;
}

/** Converts the tag plan's hints ({ "1001": "pw-eth-nocw" }) to DecodeAs, merged over `base`. */
export function decodeAsFromHints(hints: Record<string, string>, base: DecodeAs = {}): DecodeAs {
  const items = Object.entries(hints).map(([label, kind]) => `${label}=${kind}`);
  const parsed = parseDecodeAs(items);
  return { ...base, labels: { ...base.labels, ...parsed.labels } };
}
