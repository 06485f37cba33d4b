// Timestamps: integer seconds plus a fraction in units of 10^-digits, kept exact as text (a
// nanosecond epoch does not fit a float64), and the pcapng 64-bit timestamp split into that form.
import type { RawRecord } from './types.js';

export const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

export function formatTs(sec: number, frac: number, digits: number): string {
  if (digits === 0) return String(sec);
  return `${sec}.${String(frac).padStart(digits, '0')}`;
}
export function tsNumber(sec: number, frac: number, digits: number): number {
  return digits === 0 ? sec : sec + frac / (POW10[digits] ?? 10 ** digits);
}

/**
 * A classic pcap fraction of a second at or beyond one second (microseconds >= 1,000,000 or
 * nanoseconds >= 1e9): tshark flags it and prints the digits as they are, which reads as a wrong
 * time. We carry the whole seconds over, so the timestamp keeps the meaning sec + frac / unit, and
 * the caller warns. Returns the message, or undefined when the fraction is in range.
 */
export function carryFraction(rec: RawRecord, unit: number): string {
  const raw = rec.frac;
  const carry = Math.floor(raw / unit);
  rec.sec += carry;
  rec.frac = raw - carry * unit;
  const what = unit === 1e9 ? 'nanoseconds' : 'microseconds';
  return `time field out of range: ${raw} ${what} (valid: 0 to ${unit - 1}); read as ${formatTs(rec.sec, rec.frac, rec.fracDigits)}`;
}

/** Timestamp resolution of a pcapng interface: units of 10^-resol (pow2 false) or 2^-resol. */
export interface TsResolution {
  resol: number;
  pow2: boolean;
}

/** 64-bit pcapng timestamp → integer seconds + decimal fraction, exactly (BigInt beyond 2^53). */
export function setPcapngTs(rec: RawRecord, iface: TsResolution, hi: number, lo: number): void {
  if (!iface.pow2 && iface.resol <= 9) {
    const units = POW10[iface.resol]!;
    rec.fracDigits = iface.resol;
    if (hi < 0x200000) {
      const t = hi * 4294967296 + lo;
      let sec = Math.floor(t / units);
      let frac = t - sec * units;
      if (frac < 0) {
        sec--;
        frac += units;
      } else if (frac >= units) {
        sec++;
        frac -= units;
      }
      rec.sec = sec;
      rec.frac = frac;
      return;
    }
    const t = (BigInt(hi) << 32n) | BigInt(lo);
    const u = BigInt(units);
    rec.sec = Number(t / u);
    rec.frac = Number(t % u);
    return;
  }
  // 2^-k units, or 10^-k with k > 9: express the fraction in nanoseconds.
  const t = (BigInt(hi) << 32n) | BigInt(lo);
  const u = iface.pow2 ? 1n << BigInt(iface.resol) : 10n ** BigInt(iface.resol);
  rec.sec = Number(t / u);
  rec.frac = Number(((t % u) * 1_000_000_000n) / u);
  rec.fracDigits = 9;
}
