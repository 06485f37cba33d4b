// The plan's decode hints as tshark sees them: `-d mpls.label==1001-1003,pwethnocw` per run of
// consecutive labels of one payload kind, `-d udp.port==N,vxlan` when the provider segment's VXLAN
// is not on 4789. fabric's own --decode-as (src/decode parseDecodeAs) reads the same items.
import type { PwPayloadKind } from '../decode/types.js';
import type { TagPlan } from './types.js';

/** tshark's dissector name for each payload kind. */
const TSHARK_PROTO: Record<PwPayloadKind, string> = {
  'pw-eth-cw': 'pwethcw',
  'pw-eth-nocw': 'pwethnocw',
  ipv4: 'ip',
  ipv6: 'ipv6',
  raw: 'data',
};

/** The decode-as items (without `-d`), labels in ascending order, consecutive labels of one kind as a range. */
export function tsharkDecodeItems(plan: Pick<TagPlan, 'decodeHints' | 'provider'>): string[] {
  const labels = Object.entries(plan.decodeHints)
    .map(([l, k]) => [Number(l), k] as const)
    .sort((a, b) => a[0] - b[0]);
  const out: string[] = [];
  for (let i = 0; i < labels.length;) {
    const [from, kind] = labels[i]!;
    let j = i;
    while (j + 1 < labels.length && labels[j + 1]![0] === labels[j]![0] + 1 && labels[j + 1]![1] === kind) j++;
    const to = labels[j]![0];
    out.push(`mpls.label==${from === to ? from : `${from}-${to}`},${TSHARK_PROTO[kind]}`);
    i = j + 1;
  }
  if (plan.provider && plan.provider.dstport !== 4789) out.push(`udp.port==${plan.provider.dstport},vxlan`);
  return out;
}

/** `-d ITEM` pairs for a tshark argv. */
export function tsharkDecodeArgs(plan: Pick<TagPlan, 'decodeHints' | 'provider'>): string[] {
  return tsharkDecodeItems(plan).flatMap((d) => ['-d', d]);
}

/** A word as a POSIX shell reads it back: unquoted when it is plain, else in single quotes. */
export function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=,@+%-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** The ready command that shows one frame of a capture file in full, decoded as the plan says. */
export function tsharkFrameCommand(file: string, frame: number, decodeItems: readonly string[]): string {
  return ['tshark', '-r', file, '-Y', `frame.number==${frame}`, '-V', ...decodeItems.flatMap((d) => ['-d', d])]
    .map(shellWord)
    .join(' ');
}
