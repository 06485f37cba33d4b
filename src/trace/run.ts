// The run a trace reads: its manifest, decode hints and capture files, and the frames (hits)
// found in them, with the client-frame identity that ties the copies of one frame together.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { tunnelPorts, type CaptureManifest, type ManifestFile } from '../capture/manifest.js';
import { decodeAsFromHints, Dissector, LAYER_ID, parseDecodeAs, type DecodeAs } from '../decode/index.js';
import { FabricError } from '../errors/fabric-error.js';
import { scanCapture, LINKTYPE_ETHERNET, type RawRecord } from '../pcap/index.js';

export interface Hit {
  file: ManifestFile;
  n: number;
  sec: number;
  ns: number;
  data: Uint8Array;
}

export interface RunInfo {
  dir: string;
  manifest: CaptureManifest;
  decodeAs: DecodeAs | undefined;
}

export async function loadRun(runDir: string, extra: string[] | undefined): Promise<RunInfo> {
  const dir = resolve(runDir);
  const mPath = join(dir, 'manifest.json');
  if (!existsSync(mPath)) {
    throw new FabricError('E_TRACE_RUN', `${dir} has no manifest.json`, {
      hint: 'give a run folder captures/<lab>/<run-id>/ written by fabric capture or fabric test',
    });
  }
  let manifest: CaptureManifest;
  try {
    manifest = JSON.parse(await readFile(mPath, 'utf8')) as CaptureManifest;
  } catch (err) {
    throw new FabricError('E_TRACE_RUN', `cannot read ${mPath}`, { cause: err });
  }
  if (!Array.isArray(manifest.files)) throw new FabricError('E_TRACE_RUN', `${mPath}: no "files" list`);
  // Decode hints: plan.json of the run (written by fabric test), then --decode-as on top.
  let decodeAs: DecodeAs | undefined;
  const planPath = join(dir, 'plan.json');
  if (existsSync(planPath)) {
    try {
      const plan = JSON.parse(await readFile(planPath, 'utf8')) as { decodeHints?: Record<string, string> };
      if (plan.decodeHints && Object.keys(plan.decodeHints).length) decodeAs = decodeAsFromHints(plan.decodeHints);
    } catch (err) {
      throw new FabricError('E_TRACE_RUN', `cannot read the decode hints in ${planPath}`, { cause: err });
    }
  }
  if (extra?.length) {
    const p = parseDecodeAs(extra);
    decodeAs = {
      ...decodeAs,
      ...(p.default ? { default: p.default } : {}),
      labels: { ...decodeAs?.labels, ...p.labels },
    };
  }
  // Stitched link ends captured in their tunnel: VXLAN on its port.
  const ports = tunnelPorts(manifest.files);
  if (ports.length) decodeAs = { ...decodeAs, vxlanPorts: [...new Set([...(decodeAs?.vxlanPorts ?? []), ...ports])] };
  return { dir, manifest, decodeAs };
}

/** A manifest file name must stay inside the run dir. */
export function filePath(run: RunInfo, name: string): string {
  if (isAbsolute(name) || name.split(/[\\/]/).includes('..'))
    throw new FabricError('E_TRACE_RUN', `manifest names a file outside the run dir: ${name}`);
  const p = join(run.dir, name);
  if (!p.startsWith(run.dir + sep))
    throw new FabricError('E_TRACE_RUN', `manifest names a file outside the run dir: ${name}`);
  return p;
}

/** The client frame inside a frame: bytes after the innermost Ethernet header and its tags. */
export function clientBytes(data: Uint8Array, d: Dissector): Uint8Array | null {
  d.walk(data);
  let lastEth = -1;
  for (let i = 0; i < d.count; i++) if (d.kinds[i] === LAYER_ID.eth) lastEth = i;
  if (lastEth < 0) return null;
  let i = lastEth + 1;
  while (i < d.count && d.kinds[i] === LAYER_ID.vlan) i++;
  const start = i < d.count ? d.offs[i]! : data.length;
  let end = data.length;
  while (end > start && data[end - 1] === 0) end--;
  return data.subarray(start, end);
}

export const keyOf = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

export function copyHit(f: ManifestFile, r: RawRecord): Hit {
  return {
    file: f,
    n: r.n,
    sec: r.sec,
    ns: r.fracDigits === 9 ? r.frac : r.frac * 10 ** (9 - r.fracDigits),
    data: r.buf.slice(r.off, r.off + r.caplen),
  };
}

export const dtOf = (h: Hit, a: Hit) => h.sec - a.sec + (h.ns - a.ns) / 1e9;
export const before = (x: Hit, y: Hit) =>
  x.sec - y.sec || x.ns - y.ns || (x.file.file < y.file.file ? -1 : x.file.file > y.file.file ? 1 : x.n - y.n);

/** Frames of every captured file for which `test` holds (frame bytes copied). */
export async function scanAll(run: RunInfo, test: (data: Uint8Array) => boolean): Promise<Hit[]> {
  const hits: Hit[] = [];
  const files = [...run.manifest.files].sort((a, b) => (a.file < b.file ? -1 : 1));
  for (const f of files) {
    const p = filePath(run, f.file);
    if (!existsSync(p)) continue;
    await scanCapture(p, (r) => {
      if (r.linktype !== LINKTYPE_ETHERNET) return;
      if (test(r.buf.subarray(r.off, r.off + r.caplen))) hits.push(copyHit(f, r));
    });
  }
  return hits;
}

export function parseFrameRef(ref: string): { file: string; n: number } {
  const m = /^(.+):(\d+)$/.exec(ref);
  if (!m || Number(m[2]) < 1)
    throw new FabricError('E_TRACE_ARGS', `--frame ${JSON.stringify(ref)}: expected FILE:N (N counts from 1)`);
  return { file: m[1]!, n: Number(m[2]) };
}
