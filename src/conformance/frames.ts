// Reads a capture run back: every frame of every file, decoded with the PLAN's decode hints (not
// the pseudowire heuristic), with its link, link class, capture point and canary marker if any.
import { join } from 'node:path';
import type { CaptureManifest, ManifestFile } from '../capture/index.js';
import { decodeAsFromHints, dissect, type Layer } from '../decode/index.js';
import { layersText } from '../inspect/format-text.js';
import type { InspectLayer } from '../inspect/types.js';
import { openCapture } from '../pcap/index.js';
import type { TagPlan } from '../tagging/types.js';
import type { LinkClass } from '../topology/model.js';
import { findCanary } from '../traffic/frames.js';
import type { FrameEvidence } from '../report/result.js';

export interface CapturedFrame {
  file: string;
  n: number;
  ts: number;
  linkId: string;
  cls: LinkClass;
  /** The capture point: node and interface. */
  node: string;
  ifname: string;
  /** The node at the other end of the link. */
  peer: string;
  layers: Layer[];
  data: Uint8Array;
  canaryKey: string | null;
}

export interface RunFrames {
  files: ManifestFile[];
  frames: CapturedFrame[];
  byCanary: Map<string, CapturedFrame[]>;
}

export async function loadRunFrames(runDir: string, manifest: CaptureManifest, plan: TagPlan): Promise<RunFrames> {
  const decodeAs = decodeAsFromHints(plan.decodeHints);
  const frames: CapturedFrame[] = [];
  const byCanary = new Map<string, CapturedFrame[]>();
  for (const f of manifest.files) {
    const cap = await openCapture(join(runDir, f.file));
    for await (const fr of cap) {
      const layers = dissect(fr.data, { decodeAs });
      // An ICMP error quotes the datagram it answers, marker included: that quote is not the canary.
      const c = layers.some((l) => l.name === 'icmp') ? null : findCanary(fr.data);
      const key = c ? `${c.marker}|${c.cls}|${c.seq}|${c.tag}` : null;
      const cf: CapturedFrame = {
        file: f.file,
        n: fr.n,
        ts: fr.ts,
        linkId: f.linkId,
        cls: f.linkClass as LinkClass,
        node: f.node,
        ifname: f.ifname,
        peer: f.peer.node,
        layers,
        data: fr.data,
        canaryKey: key,
      };
      frames.push(cf);
      if (key) byCanary.set(key, [...(byCanary.get(key) ?? []), cf]);
    }
  }
  return { files: manifest.files, frames, byCanary };
}

export function evidence(f: CapturedFrame, note?: string): FrameEvidence {
  return {
    file: f.file,
    frame: f.n,
    decoded: layersText(f.layers as unknown as InspectLayer[]),
    ...(note ? { note } : {}),
  };
}

/** Frames with the same bytes seen at both ends of a link are one crossing, not two. */
export function crossingsOf(frames: CapturedFrame[]): CapturedFrame[] {
  const seen = new Set<string>();
  return frames.filter((f) => {
    const k = `${f.linkId}|${Buffer.from(f.data).toString('base64')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
