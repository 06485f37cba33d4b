// --stats: frame counts per distinct stack shape (the decoder's stack signature, e.g.
// `eth/vlan(88a8)/vlan(8100)/mpls/pw/eth/vlan(8100)/ipv4/icmp/raw(payload)`).
export class ShapeStats {
  private readonly counts = new Map<string, number>();
  frames = 0;
  add(shape: string): void {
    this.frames++;
    this.counts.set(shape, (this.counts.get(shape) ?? 0) + 1);
  }
  /** Most frequent first; ties by shape text, so output is stable. */
  entries(): { shape: string; count: number }[] {
    return [...this.counts]
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
