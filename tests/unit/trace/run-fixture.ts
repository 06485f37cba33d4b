// Synthetic capture runs for the trace tests: the reference lab's expected stacks (real plan) are
// built into frames with src/decode and written to one pcap per link end with src/pcap, plus a
// manifest.json (the fields trace reads) and optionally plan.json with the decode hints.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type LayerSpec } from '../../../src/decode/index.js';
import { encodePcap, type WritePacket } from '../../../src/pcap/index.js';
import { computePlan } from '../../../src/tagging/index.js';
import { ANY, Expectations, type FlowSpec, type LayerPattern, type Traversal } from '../../../src/tagging/expected.js';
import { loadLab } from '../../../src/topology/index.js';
import type { LabModel } from '../../../src/topology/model.js';
import type { TagPlan } from '../../../src/tagging/types.js';

const LAB = new URL('../../../labs/mtdc/fabric.yml', import.meta.url).pathname;
let cached: { model: LabModel; plan: TagPlan; ex: Expectations } | undefined;
export async function lab() {
  if (!cached) {
    const model = await loadLab(LAB);
    const plan = computePlan(model);
    cached = { model, plan, ex: new Expectations(model, plan) };
  }
  return cached;
}

export function concrete(ls: LayerPattern[]): LayerSpec[] {
  return ls.map((l) => {
    const o: Record<string, unknown> = { ...l };
    for (const [k, v] of Object.entries(o)) {
      if (v !== ANY) continue;
      o[k] =
        k === 'src'
          ? '02:a0:00:00:00:01'
          : k === 'dst'
            ? '02:a0:00:00:00:02'
            : k === 'sport'
              ? 40000
              : k === 'ttl'
                ? 64
                : 0;
    }
    return o as LayerSpec;
  });
}

export const stem = (node: string, ifname: string) => `${node}--${ifname}`;

/** A client payload: IPv4/UDP carrying a text marker. */
export function payload(marker: string, src = '10.20.30.10', dst = '10.20.30.52'): LayerSpec[] {
  return [
    { name: 'ipv4', src, dst, proto: 17, ttl: 64, id: 1 },
    { name: 'udp', sport: 5000, dport: 6000 },
    { name: 'raw', data: new TextEncoder().encode(marker) },
  ];
}

export interface SentFrame {
  traversals: Traversal[];
  inner: LayerSpec[];
  /** Start time; each hop adds 50 µs. */
  t0: number;
  /** Skip these link ids (not captured). */
  skip?: string[];
}

export interface RunOptions {
  frames: SentFrame[];
  /** Extra frames per file stem (noise). */
  noise?: Record<string, { data: Uint8Array; ts: number }[]>;
  withPlan?: boolean;
}

/** Writes a run dir; every link of the lab gets both end files (empty when nothing crossed it). */
export async function writeRun(o: RunOptions): Promise<string> {
  const { model, plan } = await lab();
  const dir = mkdtempSync(join(tmpdir(), 'trace-run-'));
  mkdirSync(dir, { recursive: true });
  const perFile = new Map<string, WritePacket[]>();
  for (const l of model.links) for (const e of l.endpoints) perFile.set(stem(e.node, e.ifname), []);
  for (const f of o.frames) {
    f.traversals.forEach((t, i) => {
      if (f.skip?.includes(t.link.id)) return;
      const data = build([...concrete(t.layers), ...f.inner]);
      // Both ends see the frame: the sender's end first, the receiver's 2 µs later.
      const ts = f.t0 + i * 50e-6;
      for (const e of t.link.endpoints)
        perFile.get(stem(e.node, e.ifname))!.push({ data, ts: e.node === t.from ? ts : ts + 2e-6 });
    });
  }
  for (const [s, list] of Object.entries(o.noise ?? {})) perFile.get(s)!.push(...list);
  const files = [];
  for (const l of model.links) {
    for (const [k, e] of l.endpoints.entries()) {
      const peer = l.endpoints[1 - k]!;
      const s = stem(e.node, e.ifname);
      const pkts = perFile.get(s)!.sort((a, b) => a.ts! - b.ts!);
      writeFileSync(join(dir, `${s}.pcap`), encodePcap(pkts));
      files.push({
        file: `${s}.pcap`,
        linkId: l.id,
        linkClass: l.class,
        node: e.node,
        ifname: e.ifname,
        peer: { node: peer.node, ifname: peer.ifname, file: `${stem(peer.node, peer.ifname)}.pcap` },
        packets: pkts.length,
      });
    }
  }
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ manifestVersion: 1, lab: model.name, runId: '20261121T233000Z-abcdef', files }, null, 2),
  );
  if (o.withPlan !== false) writeFileSync(join(dir, 'plan.json'), JSON.stringify({ decodeHints: plan.decodeHints }));
  return dir;
}

export const unicast = (tenant: string, dstSite = 'k3'): FlowSpec => ({
  tenant,
  src: { site: 'c1', system: 'h1' },
  dst: { site: dstSite, system: dstSite.startsWith('c') ? 'h1' : 'v1' },
});
