// What follows the bottom-of-stack MPLS label? A control word + Ethernet, bare Ethernet, IPv4 or
// IPv6: MPLS does not say. Guessing from the first nibble alone (what many decoders do) fails on
// locally administered MACs (02:…, 46:…, 6e:…), so each candidate is validated more deeply.
// The rules are documented in docs/decoder.md ("Pseudowire heuristic"); keep both in sync.
import { RECOGNISED_ETHERTYPES as RECOGNISED_IMPORT } from './bind.js';

// Module-local copy: under tsx an imported binding may be a getter call per access.
const RECOGNISED_ETHERTYPES = RECOGNISED_IMPORT;

// Decision codes (numbers, for the dissect hot path).
export const PW_ETH_CW = 1;
export const PW_ETH_NOCW = 2;
export const PW_IPV4 = 3;
export const PW_IPV6 = 4;
export const PW_RAW = 5; // decode-as raw: opaque payload
export const PW_UNDECIDED = 6;
export const PW_EMPTY = 7; // nothing after the label

/** Frames up to this size may carry Ethernet minimum-size padding (60 bytes + optional 4-byte FCS). */
const MIN_FRAME_WITH_FCS = 64;

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

/** Trailing bytes after an inner packet of `need` bytes are acceptable: none, an FCS, or minimum-frame padding. */
function lengthFits(need: number, rem: number, frameLen: number): boolean {
  if (need > rem) return false;
  const extra = rem - need;
  return extra === 0 || extra === 4 || frameLen <= MIN_FRAME_WITH_FCS;
}

/** A plausible IPv4 header at p: version 4, IHL ≥ 5, total length consistent, header checksum valid. */
export function plausibleIpv4(b: Uint8Array, p: number, end: number, frameLen: number): boolean {
  if (p + 20 > end || b[p]! >> 4 !== 4) return false;
  const hl = (b[p]! & 15) * 4;
  if (hl < 20 || p + hl > end) return false;
  const tl = u16(b, p + 2);
  if (tl < hl || !lengthFits(tl, end - p, frameLen)) return false;
  let sum = 0;
  for (let i = 0; i < hl; i += 2) sum += u16(b, p + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

const IPV6_NEXT_KNOWN = new Set([0, 4, 6, 17, 41, 43, 44, 47, 50, 51, 58, 59, 60, 132]);

/** A plausible IPv6 header at p: version 6, payload length consistent, a known next header. */
export function plausibleIpv6(b: Uint8Array, p: number, end: number, frameLen: number): boolean {
  if (p + 40 > end || b[p]! >> 4 !== 6) return false;
  return lengthFits(40 + u16(b, p + 4), end - p, frameLen) && IPV6_NEXT_KNOWN.has(b[p + 6]!);
}

/**
 * How plausible an Ethernet header at p is: 0 = not, 1 = sane source MAC and a recognised
 * ethertype (after up to 4 VLAN tags) or a consistent 802.3 length, 2 = additionally the header
 * behind that ethertype validates (IPv4 checksum, IPv6 length, ARP constants). With `deep` false
 * the second stage is skipped (a recognised ethertype scores 1): enough where only ≥ 1 matters.
 */
export function ethScore(b: Uint8Array, p: number, end: number, frameLen: number, deep = true): number {
  if (p + 14 > end) return 0;
  if (b[p + 6]! & 1) return 0; // a source MAC is never group/multicast
  let t = u16(b, p + 12);
  let q = p + 14;
  for (let tags = 0; (t === 0x8100 || t === 0x88a8 || t === 0x9100) && tags < 4; tags++) {
    if (q + 4 > end) return 0;
    t = u16(b, q + 2);
    q += 4;
  }
  if (t <= 1500) return t >= 3 && lengthFits(t, end - q, frameLen) ? 1 : 0; // 802.3 length + LLC (e.g. STP)
  if (!deep) return RECOGNISED_ETHERTYPES.has(t) && ((t !== 0x8847 && t !== 0x8848) || q + 4 <= end) ? 1 : 0;
  switch (t) {
    case 0x0800:
      return plausibleIpv4(b, q, end, frameLen) ? 2 : 1;
    case 0x86dd:
      return plausibleIpv6(b, q, end, frameLen) ? 2 : 1;
    case 0x0806:
      return q + 8 <= end && u16(b, q) === 1 && u16(b, q + 2) === 0x0800 && b[q + 4] === 6 && b[q + 5] === 4 ? 2 : 1;
    case 0x8847:
    case 0x8848:
      return q + 4 <= end ? 1 : 0;
    default:
      return RECOGNISED_ETHERTYPES.has(t) ? 1 : 0;
  }
}

/** A plausible RFC 4385 control word at p for an Ethernet PW: 0000, flags 0, FRG 0, length 0 or the payload length. */
export function plausibleControlWord(b: Uint8Array, p: number, end: number): boolean {
  if (p + 4 > end || b[p] !== 0 || b[p + 1]! >> 6 !== 0) return false;
  const len = b[p + 1]! & 0x3f;
  return len === 0 || len === end - p - 4;
}

/**
 * Decide the payload after the bottom label at p (bytes p..end of a frame of frameLen bytes).
 * Order (first match wins):
 *  1. nothing left → empty;
 *  2. first nibble 0, plausible control word, and Ethernet after it scores ≥ 1 and ≥ bare Ethernet → eth with cw;
 *  3. first nibble 4 and a plausible IPv4 header (checksum valid) → ipv4;
 *  4. first nibble 6 and a plausible IPv6 header → ipv6;
 *  5. bare Ethernet scores ≥ 1 → eth without cw;
 *  6. otherwise undecided.
 */
export function decidePw(b: Uint8Array, p: number, end: number, frameLen: number): number {
  if (p >= end) return PW_EMPTY;
  const nib = b[p]! >> 4;
  if (nib === 0 && plausibleControlWord(b, p, end)) {
    // Same rule as "deep score after the cw ≥ 1 and ≥ deep score without", evaluated cheaply
    // first: a shallow score is ≥ 1 exactly when the deep one is.
    if (ethScore(b, p + 4, end, frameLen, false) >= 1) {
      if (ethScore(b, p, end, frameLen, false) === 0) return PW_ETH_CW;
      if (ethScore(b, p + 4, end, frameLen) >= ethScore(b, p, end, frameLen)) return PW_ETH_CW;
    }
  }
  if (nib === 4 && plausibleIpv4(b, p, end, frameLen)) return PW_IPV4;
  if (nib === 6 && plausibleIpv6(b, p, end, frameLen)) return PW_IPV6;
  // Only ≥ 1 matters here, so skip the inner-header validation (it was a third of the walk time).
  if (ethScore(b, p, end, frameLen, false) >= 1) return PW_ETH_NOCW;
  return PW_UNDECIDED;
}
