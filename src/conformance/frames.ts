// Reads a capture run back: every frame of every file, decoded with the PLAN's decode hints (not
// the pseudowire heuristic), with its link, link class, capture point and canary marker if any.
// A stitched link end of a split lab is captured on its host's underlay: its frames carry the
// link's outer VXLAN (decoded on the run's tunnel port), which `outer` counts off.
import { join } from 'node:path';
import { tunnelPorts, type CaptureManifest, type ManifestFile } from '../capture/index.js';
import { decodeAsFromHints, dissect, type DecodeAs, type Layer } from '../decode/index.js';
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
  /** Every layer, a stitched link's outer eth/ipv4/udp/vxlan included. */
  layers: Layer[];
  data: Uint8Array;
  /** Leading layers and bytes of the stitched link's own VXLAN (0 on every other link). */
  outer: { layers: number; bytes: number };
  canaryKey: string | null;
}

export interface RunFrames {
  files: ManifestFile[];
  frames: CapturedFrame[];
  byCanary: Map<string, CapturedFrame[]>;
}

/** The plan's hints, and VXLAN on the UDP ports of the tunnels the run captured ends through. */
export function runDecodeAs(manifest: Pick<CaptureManifest, 'files'>, plan: Pick<TagPlan, 'decodeHints'>): DecodeAs {
  const base = decodeAsFromHints(plan.decodeHints);
  const ports = tunnelPorts(manifest.files);
  if (!ports.length) return base;
  return { ...base, vxlanPorts: [...new Set([...(base.vxlanPorts ?? []), ...ports])] };
}

/** The stitched link's own outer headers at the front of a frame captured via its tunnel. */
export function outerOf(
  f: Pick<ManifestFile, 'via'>,
  layers: readonly Layer[],
  data: Uint8Array,
): CapturedFrame['outer'] {
  const none = { layers: 0, bytes: 0 };
  if (!f.via) return none;
  const [eth, ip, udp, vx] = layers;
  const ok =
    eth?.name === 'eth' &&
    ip?.name === 'ipv4' &&
    udp?.name === 'udp' &&
    udp.dport === f.via.vxlan.dstPort &&
    vx?.name === 'vxlan' &&
    vx.vni === f.via.vxlan.vni;
  // Ethernet, IPv4 with its header length, UDP, VXLAN.
  return ok && data.length > 14 ? { layers: 4, bytes: 14 + (data[14]! & 0x0f) * 4 + 8 + 8 } : none;
}

/** The frame's layers on its link, as the bridges see it: without a stitched link's outer VXLAN. */
export const linkLayers = (f: CapturedFrame): Layer[] => (f.outer.layers ? f.layers.slice(f.outer.layers) : f.layers);
/** The frame's bytes on its link, without a stitched link's outer VXLAN. */
export const linkData = (f: CapturedFrame): Uint8Array => (f.outer.bytes ? f.data.subarray(f.outer.bytes) : f.data);

export async function loadRunFrames(runDir: string, manifest: CaptureManifest, plan: TagPlan): Promise<RunFrames> {
  const decodeAs = runDecodeAs(manifest, plan);
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
        outer: outerOf(f, layers, fr.data),
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
