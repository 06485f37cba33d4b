// Shared helpers for the decoder tests.
export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}
export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
export const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** mulberry32: small deterministic PRNG for the fuzz test. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
