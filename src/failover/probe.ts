// Data-plane view of a failover: captures on every tenant port while the per-tenant echo trains
// (echo-train.ts) run. Each tenant's flow carries its own payload pattern; a frame with tenant X's
// pattern seen on a port of tenant Y is a cross-tenant frame. The captures are a capture run
// (capture/) over the tenant ports' link ends; the files are read with the pcap reader (pcap/).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { startCapture, type CaptureManifest, type CaptureSession, type CaptureStatusDoc } from '../capture/index.js';
import { scanCapture } from '../pcap/index.js';
import { buildStatus } from '../runtime/status.js';
import type { LabModel } from '../topology/model.js';

/** A tenant's payload pattern: its name, padded with '-', as 8 bytes of hex. */
export function patternOf(tenant: string): string {
  return Buffer.from(tenant.padEnd(8, '-').slice(0, 8), 'latin1').toString('hex');
}

export interface CapturePoint {
  tenant: string;
  /** The link end captured: its node and interface as the model names them, and its link. */
  node: string;
  ifname: string;
  linkId: string;
  /** Namespace, or null for a root-namespace interface (a hypervisor tap). */
  netns: string | null;
  /** What the port should carry (stacks-during.ts): a client's untagged frames, or VXLAN to/from a VTEP (in 802.1Q 4000 on a guest tap). */
  carries?: PortCarries;
}

export type PortCarries = { kind: 'client' } | { kind: 'vtep'; tagged: boolean; vni: number };

/** A capture point and the file its capturer writes ('' when the port was not captured). */
export interface CapturedPoint extends CapturePoint {
  file: string;
}

export interface PointCapture {
  session: CaptureSession;
  points: CapturedPoint[];
}

// Echo requests and replies, tagged or not, and VXLAN (a guest tap / host-stack port carries the
// customer frames inside it, seed 000 FIG. 5). The frames are short: 256 bytes hold every header.
const FILTER = 'icmp or udp port 4789 or (vlan and (icmp or udp port 4789))';
const SNAPLEN = 256;

/** The lab's status document narrowed to the capture points: only their links, and on those only their ends. */
export function pointStatus(model: LabModel, runtime: string, points: readonly CapturePoint[]): CaptureStatusDoc {
  const doc = buildStatus(model, runtime);
  const ends = new Set(points.map((p) => `${p.node}\0${p.ifname}`));
  const links = new Set(points.map((p) => p.linkId));
  return {
    ...doc,
    links: doc.links
      .filter((l) => links.has(l.id))
      .map((l) => ({
        ...l,
        endpoints: l.endpoints.map((e) =>
          ends.has(`${e.node}\0${e.ifname}`) ? e : { ...e, netns: null, hostIf: null },
        ) as typeof l.endpoints,
      })),
  };
}

/**
 * Starts one capturer per point (a run under `dir`) and resolves once every one listens. A
 * root-namespace port that does not exist (a VM that is not running) or is down carries nothing:
 * capture/ skips it (capturable).
 */
export async function startPointCaptures(
  model: LabModel,
  runtime: string,
  points: readonly CapturePoint[],
  dir: string,
): Promise<PointCapture> {
  const session = await startCapture(pointStatus(model, runtime, points), {
    root: dir,
    merge: false,
    tcpdump: { snaplen: SNAPLEN, filter: [FILTER] },
  });
  return { session, points: points.map((p) => ({ ...p, file: session.fileOf(p.node, p.ifname) ?? '' })) };
}

/** Stops the capturers (SIGINT, so each prints its statistics); the run's manifest. Idempotent. */
export function stopPointCaptures(c: PointCapture): Promise<CaptureManifest> {
  return c.session.stop();
}

/** Frames the kernel dropped for a point's capturer (tcpdump's statistics in the manifest). */
export function droppedAt(c: PointCapture, m: CaptureManifest, file: string): number {
  return m.files.find((f) => join(c.session.runDir, f.file) === file)?.tcpdump?.droppedByKernel ?? 0;
}

/** Calls `fn` with every frame of a capture file; false when there is none (a port not captured). */
export async function eachFrame(file: string, fn: (data: Uint8Array) => void): Promise<boolean> {
  let size: number;
  try {
    size = file ? statSync(file).size : 0;
  } catch {
    size = 0;
  }
  // A capturer stopped before it wrote its file header left nothing to read.
  if (size < 24) return false;
  await scanCapture(file, (r) => fn(r.buf.subarray(r.off, r.off + r.caplen)));
  return true;
}

/** Frames at a capture point carrying another tenant's pattern. */
export async function foreignFrames(
  file: string,
  ownTenant: string,
  patterns: Record<string, string>,
): Promise<number> {
  const foreign = Object.entries(patterns)
    .filter(([t]) => t !== ownTenant)
    .map(([, p]) => Buffer.from(p, 'hex'));
  let n = 0;
  await eachFrame(file, (d) => {
    const b = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    if (foreign.some((p) => b.includes(p))) n++;
  });
  return n;
}
