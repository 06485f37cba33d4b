// RFC 1071 Internet checksum helpers.

/** Adds the 16-bit big-endian words of b[start, end) to `sum` (odd tail padded with a zero byte). */
export function sum16(b: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (i < end) sum += b[i]! << 8;
  // Fold now and then so the sum stays exact in a double for any frame size.
  return sum > 0x7fffffff ? (sum & 0xffff) + Math.floor(sum / 0x10000) : sum;
}

/** Folds a sum to 16 bits and complements it: the value to put in a checksum field. */
export function finish(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** Checksum of b[start, end). A region that already holds a correct checksum gives 0. */
export function inetChecksum(b: Uint8Array, start: number, end: number): number {
  return finish(sum16(b, start, end));
}
