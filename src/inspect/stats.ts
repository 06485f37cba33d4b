// --stats: frame counts per distinct stack shape (the decoder's stack signature, e.g.
// `eth/vlan(88a8)/vlan(8100)/mpls/pw/eth/vlan(8100)/ipv4/icmp/raw(payload)`). Walked frames are
// counted by the dissector's shape code in an open-addressing table of typed arrays (no string
// and no Map lookup per frame); the signature text is taken once per new shape.
import type { Dissector } from '../decode/index.js';

/** Table slot of a shape code (an integer below 2^53): its low and high 32 bits, mixed. */
function slotOf(code: number, mask: number): number {
  const h = Math.imul((code >>> 0) ^ Math.imul((code / 4294967296) | 0, 0x9e3779b1), 0x85ebca6b);
  return (h ^ (h >>> 15)) & mask;
}

export class ShapeStats {
  private readonly counts = new Map<string, number>();
  private codes = new Float64Array(256).fill(-1);
  private codeCounts = new Float64Array(256);
  private codeShapes: string[] = new Array<string>(256).fill('');
  private used = 0;
  frames = 0;

  add(shape: string): void {
    this.frames++;
    this.counts.set(shape, (this.counts.get(shape) ?? 0) + 1);
  }

  /** Counts the dissector's last walk. */
  addWalk(d: Dissector): void {
    const code = d.shapeCode();
    if (code < 0) return this.add(d.signature());
    this.frames++;
    const codes = this.codes;
    const mask = codes.length - 1;
    let h = slotOf(code, mask);
    for (;;) {
      const c = codes[h]!;
      if (c === code) {
        this.codeCounts[h]!++;
        return;
      }
      if (c === -1) break;
      h = (h + 1) & mask;
    }
    codes[h] = code;
    this.codeCounts[h] = 1;
    this.codeShapes[h] = d.signature();
    if (++this.used * 2 > codes.length) this.grow();
  }

  private grow(): void {
    const old = { codes: this.codes, counts: this.codeCounts, shapes: this.codeShapes };
    const size = old.codes.length * 2;
    this.codes = new Float64Array(size).fill(-1);
    this.codeCounts = new Float64Array(size);
    this.codeShapes = new Array<string>(size).fill('');
    for (let i = 0; i < old.codes.length; i++) {
      const code = old.codes[i]!;
      if (code === -1) continue;
      let h = slotOf(code, size - 1);
      while (this.codes[h] !== -1) h = (h + 1) & (size - 1);
      this.codes[h] = code;
      this.codeCounts[h] = old.counts[i]!;
      this.codeShapes[h] = old.shapes[i]!;
    }
  }

  /** Most frequent first; ties by shape text, so output is stable. */
  entries(): { shape: string; count: number }[] {
    const all = new Map(this.counts);
    for (let i = 0; i < this.codes.length; i++) {
      if (this.codes[i] === -1) continue;
      const shape = this.codeShapes[i]!;
      all.set(shape, (all.get(shape) ?? 0) + this.codeCounts[i]!);
    }
    return [...all]
      .map(([shape, count]) => ({ shape, count }))
      .sort((a, b) => b.count - a.count || (a.shape < b.shape ? -1 : a.shape > b.shape ? 1 : 0));
  }
  text(): string {
    const rows = this.entries();
    const w = Math.max(5, String(this.frames).length);
    const lines = rows.map(
      (r) =>
        `${String(r.count).padStart(w)}  ${(this.frames ? (100 * r.count) / this.frames : 0).toFixed(1).padStart(5)}%  ${r.shape}`,
    );
    lines.push(
      `${String(this.frames).padStart(w)}  100.0%  frames, ${rows.length} shape${rows.length === 1 ? '' : 's'}`,
    );
    return lines.join('\n') + '\n';
  }
  json(): string {
    return JSON.stringify({ frames: this.frames, shapes: this.entries() }) + '\n';
  }
}
