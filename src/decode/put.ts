// Byte writers: text written straight into an output buffer, for tools that print millions of
// frames (`fabric inspect`). Building a string per field and encoding it afterwards is what made
// output slow; these write ASCII bytes from lookup tables instead. Each returns the next offset;
// the caller makes sure the buffer has room.

const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
/** Decimal text of 0..255: DEC[4i] is the length, DEC[4i+1..] the digits. */
const DEC = (() => {
  const t = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    const s = String(i);
    t[4 * i] = s.length;
    for (let j = 0; j < s.length; j++) t[4 * i + 1 + j] = s.charCodeAt(j);
  }
  return t;
})();
/** Two digits "00".."99" of each value below 100. */
const PAIRS = (() => {
  const t = new Uint8Array(200);
  for (let i = 0; i < 100; i++) {
    t[2 * i] = 48 + ((i / 10) | 0);
    t[2 * i + 1] = 48 + (i % 10);
  }
  return t;
})();

/** Number of decimal digits of a non-negative integer. */
export function decDigits(v: number): number {
  if (v < 10) return 1;
  if (v < 100) return 2;
  if (v < 1000) return 3;
  if (v < 10000) return 4;
  if (v < 100000) return 5;
  let n = 6;
  for (let x = 1000000; v >= x && n < 17; x *= 10) n++;
  return n;
}

/** Writes the decimal digits of a non-negative integer (as String(v)) right-aligned to end at `q`. */
function digitsBack(u: Uint8Array, q: number, v: number): void {
  // Above 2^31 the exact float path: (v - d) / 10 is an exact integer below 2^53.
  while (v > 0x7fffffff) {
    const d = v % 10;
    u[--q] = 48 + d;
    v = (v - d) / 10;
  }
  while (v >= 100) {
    const t = (v / 100) | 0;
    const r = 2 * (v - t * 100);
    u[--q] = PAIRS[r + 1]!;
    u[--q] = PAIRS[r]!;
    v = t;
  }
  if (v >= 10) {
    u[--q] = PAIRS[2 * v + 1]!;
    u[--q] = PAIRS[2 * v]!;
  } else u[--q] = 48 + v;
}

/** An integer as String(v) writes it (non-negative fast; negative with its sign). */
export function putUint(u: Uint8Array, p: number, v: number): number {
  if (v < 10 && v >= 0) {
    u[p] = 48 + v;
    return p + 1;
  }
  if (v < 0) {
    u[p++] = 45;
    v = -v;
  }
  const n = decDigits(v);
  digitsBack(u, p + n, v);
  return p + n;
}

/** A non-negative integer padded with zeros to at least `width` digits (String(v).padStart(width, '0')). */
export function putPadded(u: Uint8Array, p: number, v: number, width: number): number {
  const n = decDigits(v);
  while (width > n) {
    u[p++] = 48;
    width--;
  }
  digitsBack(u, p + n, v);
  return p + n;
}

/** `0x` and at least 4 lowercase hex digits ('0x' + v.toString(16).padStart(4, '0')). */
export function putHex4(u: Uint8Array, p: number, v: number): number {
  u[p++] = 48;
  u[p++] = 120;
  let n = 4;
  while (n < 8 && v >= 2 ** (4 * n)) n++;
  for (let i = n - 1; i >= 0; i--) u[p++] = HEX[Math.floor(v / 2 ** (4 * i)) & 15]!;
  return p;
}

/** Lowercase colon-separated MAC from 6 bytes of `b` at `o` (as formatMac). Straight-line: hot. */
export function putMac(u: Uint8Array, p: number, b: Uint8Array, o: number): number {
  const H = HEX;
  const x0 = b[o]!,
    x1 = b[o + 1]!,
    x2 = b[o + 2]!,
    x3 = b[o + 3]!,
    x4 = b[o + 4]!,
    x5 = b[o + 5]!;
  u[p] = H[x0 >> 4]!;
  u[p + 1] = H[x0 & 15]!;
  u[p + 2] = 58;
  u[p + 3] = H[x1 >> 4]!;
  u[p + 4] = H[x1 & 15]!;
  u[p + 5] = 58;
  u[p + 6] = H[x2 >> 4]!;
  u[p + 7] = H[x2 & 15]!;
  u[p + 8] = 58;
  u[p + 9] = H[x3 >> 4]!;
  u[p + 10] = H[x3 & 15]!;
  u[p + 11] = 58;
  u[p + 12] = H[x4 >> 4]!;
  u[p + 13] = H[x4 & 15]!;
  u[p + 14] = 58;
  u[p + 15] = H[x5 >> 4]!;
  u[p + 16] = H[x5 & 15]!;
  return p + 17;
}

/** One byte's decimal text (DEC table). */
function putByte(u: Uint8Array, p: number, x: number): number {
  const t = 4 * x;
  const n = DEC[t]!;
  u[p] = DEC[t + 1]!;
  if (n > 1) {
    u[p + 1] = DEC[t + 2]!;
    if (n > 2) u[p + 2] = DEC[t + 3]!;
  }
  return p + n;
}

/** Dotted quad from 4 bytes of `b` at `o` (as formatIpv4). */
export function putIpv4(u: Uint8Array, p: number, b: Uint8Array, o: number): number {
  p = putByte(u, p, b[o]!);
  u[p++] = 46;
  p = putByte(u, p, b[o + 1]!);
  u[p++] = 46;
  p = putByte(u, p, b[o + 2]!);
  u[p++] = 46;
  return putByte(u, p, b[o + 3]!);
}

/** A string of ASCII characters (addresses, names from a fixed vocabulary). */
export function putAscii(u: Uint8Array, p: number, s: string): number {
  for (let i = 0; i < s.length; i++) u[p + i] = s.charCodeAt(i);
  return p + s.length;
}

/** Constant bytes (prepared once with asciiBytes). */
export function putBytes(u: Uint8Array, p: number, c: Uint8Array): number {
  const n = c.length;
  if (n > 32) {
    u.set(c, p);
    return p + n;
  }
  for (let i = 0; i < n; i++) u[p + i] = c[i]!;
  return p + n;
}

/** The bytes of an ASCII string, for putBytes. */
export function asciiBytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
