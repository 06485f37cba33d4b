// `fabric trace`: follow one frame across the links of a capture run, in path order.
//
// 1. Pick the frame: `--contains TEXT` = the earliest frame (by timestamp, over all files) whose
//    bytes contain TEXT; `--frame FILE:N` = that frame.
// 2. Its identity is the CLIENT frame it carries: the bytes after the innermost Ethernet header and
//    its VLAN tags (the client's IP/ARP packet), trailing zero padding trimmed. That part is what
//    every hop carries unchanged, whatever fabric headers surround it.
// 3. Find that client frame in every capture file (first copy at or after the anchor's time, minus
//    a small clock tolerance); group the files by link (both ends of a link show the same hop).
// 4. Order the links along the path: start at the anchor's link, then repeatedly take the earliest
//    remaining link that touches a node already reached (the manifest gives each file's node and
//    peer). A flood is a tree, so this yields parents before children; a link not adjacent to the
//    path (an uncaptured hop in between) is taken by time and marked as a gap.
// 5. Print each hop's decoded stack and what changed from the previous hop on the path.
import { Dissector, type DecodeAs, type Layer } from '../decode/index.js';
import { FabricError } from '../errors/fabric-error.js';
import { layersText, markerBytes } from '../inspect/index.js';
import { scanCapture } from '../pcap/index.js';
import { stackDiff, type StackChange } from './diff.js';
import {
  before,
  clientBytes,
  copyHit,
  dtOf,
  filePath,
  keyOf,
  loadRun,
  parseFrameRef,
  scanAll,
  type Hit,
  type RunInfo,
} from './run.js';

export { clientBytes } from './run.js';

export interface TraceOptions {
  /** Marker text (or 0x-hex bytes) the frame contains. */
  contains?: string;
  /** `FILE:N`: a capture file of the run (name relative to the run dir) and a 1-based frame number. */
  frame?: string;
  /** Extra --decode-as items; the run's plan.json decode hints are used first. */
  decodeAs?: string[];
  /** Clock tolerance between capturers when picking copies (seconds). Default 0.05. */
  toleranceS?: number;
  /** Copies later than this after the picked frame are other sendings, not this frame (seconds). Default 1. */
  windowS?: number;
}

export interface TraceEnd {
  file: string;
  node: string;
  ifname: string;
  frame: number;
  /** Seconds since the frame's first appearance (the first hop). */
  dt: number;
  /** Copies of the same client frame in this file (more than 1: a loop or a retransmission). */
  copies: number;
}

export interface TraceHop {
  index: number;
  linkId: string;
  linkClass: string;
  from: { node: string; ifname: string | null };
  to: { node: string; ifname: string | null };
  /** The captured ends of the link that saw the frame. */
  ends: TraceEnd[];
  /** Decoded stack (fabric inspect one-line syntax) and layers, from the first end. */
  stack: string;
  layers: Layer[];
  /** Changes relative to the previous hop on the path (its parent, for a flood tree). */
  parent: number | null;
  changes: StackChange[];
  /** True when no link of the path so far touches this one (an uncaptured hop in between). */
  gap: boolean;
  /** The two ends decoded differently (the link changed the frame: it should not). */
  endsDiffer: boolean;
}

export interface TraceResult {
  runDir: string;
  lab: string | null;
  runId: string | null;
  anchor: { file: string; frame: number; ts: string };
  /** sha1 of the client frame bytes the hops were matched on (first 16 hex digits). */
  key: string;
  hops: TraceHop[];
  /** Frames that matched --contains but carry another client frame (other flows with the marker). */
  others: { count: number; examples: { file: string; frame: number; stack: string }[] };
  decodeAs: DecodeAs | null;
}

interface Anchor {
  anchor: Hit;
  /** Copies of the anchor's client frame, in every file. */
  candidates: Hit[];
  /** Frames holding the marker whose client bytes differ (other frames with the same text). */
  othersList: Hit[];
  client: Uint8Array;
}

/** The anchor frame and its client bytes, and every frame carrying the same client frame. */
async function findAnchor(run: RunInfo, d: Dissector, o: TraceOptions): Promise<Anchor> {
  let anchor: Hit;
  let candidates: Hit[];
  const othersList: Hit[] = [];
  let client: Uint8Array;
  if (o.contains) {
    const marker = Buffer.from(markerBytes(o.contains));
    const hits = await scanAll(
      run,
      (data) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).indexOf(marker) >= 0,
    );
    if (!hits.length)
      throw new FabricError('E_TRACE_NOT_FOUND', `no frame in ${run.dir} contains ${JSON.stringify(o.contains)}`, {
        hint: 'fabric inspect --contains TEXT <files> shows what the captures hold',
      });
    hits.sort(before);
    anchor = hits[0]!;
    const c = clientBytes(anchor.data, d);
    if (!c) throw new FabricError('E_TRACE_DECODE', `${anchor.file.file}:${anchor.n} has no Ethernet header to follow`);
    client = Uint8Array.from(c);
    const key = keyOf(client);
    candidates = [];
    for (const h of hits) {
      const cb = clientBytes(h.data, d);
      (cb && keyOf(cb) === key ? candidates : othersList).push(h);
    }
  } else {
    const ref = parseFrameRef(o.frame!);
    const f = run.manifest.files.find((x) => x.file === ref.file || x.file === `${ref.file}.pcap`);
    if (!f)
      throw new FabricError('E_TRACE_ARGS', `--frame: ${ref.file} is not a capture file of this run`, {
        hint: `files: ${run.manifest.files
          .map((x) => x.file)
          .slice(0, 6)
          .join(', ')}...`,
      });
    let found: Hit | undefined;
    await scanCapture(filePath(run, f.file), (r) => {
      if (r.n === ref.n) found = copyHit(f, r);
    });
    if (!found) throw new FabricError('E_TRACE_NOT_FOUND', `${f.file} has no frame ${ref.n}`);
    anchor = found;
    const c = clientBytes(anchor.data, d);
    if (!c || !c.length)
      throw new FabricError('E_TRACE_DECODE', `${f.file}:${ref.n} carries no client frame to follow`);
    client = Uint8Array.from(c);
    // Pre-filter by a distinctive tail of the client bytes, then compare exactly.
    const needle = Buffer.from(client.subarray(Math.max(0, client.length - 32)));
    const key = keyOf(client);
    const hits = await scanAll(
      run,
      (data) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).indexOf(needle) >= 0,
    );
    candidates = hits.filter((h) => {
      const cb = clientBytes(h.data, d);
      return cb !== null && keyOf(cb) === key;
    });
  }

  return { anchor, candidates, othersList, client };
}

interface Chosen {
  hit: Hit;
  copies: number;
}

/** One copy per file: the first at or after the anchor (minus the tolerance). */
function oneCopyPerFile(candidates: Hit[], anchor: Hit, o: TraceOptions, tol: number, win: number): Chosen[] {
  const perFile = new Map<string, Hit[]>();
  for (const h of candidates.sort(before))
    (perFile.get(h.file.file) ?? perFile.set(h.file.file, []).get(h.file.file)!).push(h);
  const chosen: Chosen[] = [];
  for (const hs of perFile.values()) {
    // Copies outside the window are other sendings of identical bytes (a repeated canary, or an
    // identical frame of another tenant): not this frame.
    const inWindow = hs.filter((x) => dtOf(x, anchor) >= -tol && dtOf(x, anchor) <= win);
    if (inWindow.length) chosen.push({ hit: inWindow[0]!, copies: inWindow.length });
  }
  if (o.frame && !chosen.some((c) => c.hit.file.file === anchor.file.file && c.hit.n === anchor.n)) {
    chosen.push({ hit: anchor, copies: 1 });
  }

  return chosen;
}

interface LinkHits {
  linkId: string;
  cls: string;
  a: string;
  b: string;
  ifs: Map<string, string>;
  ends: Chosen[];
  first: Hit;
}

/** The chosen copies grouped by link, links in order of their first copy. */
function groupByLink(chosen: Chosen[]): Map<string, LinkHits> {
  const links = new Map<string, LinkHits>();
  for (const c of chosen.sort((x, y) => before(x.hit, y.hit))) {
    const f = c.hit.file;
    let l = links.get(f.linkId);
    if (!l) {
      l = {
        linkId: f.linkId,
        cls: f.linkClass,
        a: f.node,
        b: f.peer.node,
        ifs: new Map([
          // Fabric port names (`dc1-sw:p2`); runs recorded before ports were in the manifest keep kernel names.
          [f.node, f.port ?? f.ifname],
          [f.peer.node, f.peer.port ?? f.peer.ifname],
        ]),
        ends: [],
        first: c.hit,
      };
      links.set(f.linkId, l);
    }
    l.ends.push(c);
  }

  return links;
}

interface PathHop {
  l: LinkHits;
  from: string;
  to: string;
  parent: number | null;
  gap: boolean;
}

/** Path order by adjacency, time as tie-break; `origin` is where the frame appears earliest. */
function pathOrder(links: Map<string, LinkHits>, anchor: Hit): { ordered: PathHop[]; origin: Hit } {
  // The path starts where the frame appears earliest (for --frame, not necessarily the given hop).
  const remaining = [...links.values()].sort((x, y) => before(x.first, y.first));
  const startIdx = 0;
  const origin = remaining[0]?.first ?? anchor;
  const ordered: PathHop[] = [];
  const reachedBy = new Map<string, number>(); // node → index of the hop that reached it
  const take = (i: number) => remaining.splice(i, 1)[0]!;
  if (remaining.length) {
    const start = take(startIdx);
    // The start's direction: towards the end that touches another hop of the path.
    const touches = (n: string) => remaining.some((r) => r.a === n || r.b === n);
    const [from, to] = touches(start.a) && !touches(start.b) ? [start.b, start.a] : [start.a, start.b];
    ordered.push({ l: start, from, to, parent: null, gap: false });
    reachedBy.set(from, 0);
    reachedBy.set(to, 0);
  }
  while (remaining.length) {
    const i = remaining.findIndex((r) => reachedBy.has(r.a) || reachedBy.has(r.b));
    const gap = i < 0;
    const l = take(gap ? 0 : i);
    let from: string, to: string;
    if (gap) [from, to] = [l.a, l.b];
    else if (reachedBy.has(l.a) && reachedBy.has(l.b))
      [from, to] = reachedBy.get(l.a)! >= reachedBy.get(l.b)! ? [l.b, l.a] : [l.a, l.b];
    else [from, to] = reachedBy.has(l.a) ? [l.a, l.b] : [l.b, l.a];
    // The parent: the latest hop that reached `from` — but the start hop's far end was reached by it too.
    const parent = gap ? ordered.length - 1 : reachedBy.get(from)!;
    ordered.push({ l, from, to, parent, gap });
    if (!reachedBy.has(to)) reachedBy.set(to, ordered.length - 1);
    if (!reachedBy.has(from)) reachedBy.set(from, ordered.length - 1);
  }

  return { ordered, origin };
}

/** Decodes each hop and diffs it against its parent. */
function decodeHops(ordered: PathHop[], d: Dissector, origin: Hit): TraceHop[] {
  const hops: TraceHop[] = [];
  for (const [k, h] of ordered.entries()) {
    const ends = [...h.l.ends].sort((x, y) => (x.hit.file.node === h.from ? -1 : y.hit.file.node === h.from ? 1 : 0));
    const decoded = ends.map((e) => {
      d.walk(e.hit.data);
      return d.layers();
    });
    const layers = decoded[0]!;
    const texts = decoded.map((ls) => layersText(ls));
    hops.push({
      index: k + 1,
      linkId: h.l.linkId,
      linkClass: h.l.cls,
      from: { node: h.from, ifname: h.l.ifs.get(h.from) ?? null },
      to: { node: h.to, ifname: h.l.ifs.get(h.to) ?? null },
      ends: ends.map((e) => ({
        file: e.hit.file.file,
        node: e.hit.file.node,
        ifname: e.hit.file.port ?? e.hit.file.ifname,
        frame: e.hit.n,
        dt: dtOf(e.hit, origin),
        copies: e.copies,
      })),
      stack: texts[0]!,
      layers,
      parent: h.parent === null ? null : h.parent + 1,
      changes: h.parent === null ? [] : stackDiff(hops[h.parent]!.layers, layers),
      gap: h.gap,
      endsDiffer: texts.some((t) => t !== texts[0]),
    });
  }

  return hops;
}

export async function traceFrame(runDir: string, o: TraceOptions): Promise<TraceResult> {
  if (!o.contains === !o.frame)
    throw new FabricError('E_TRACE_ARGS', 'give exactly one of --contains TEXT or --frame FILE:N');
  const run = await loadRun(runDir, o.decodeAs);
  const d = new Dissector(run.decodeAs ? { decodeAs: run.decodeAs } : {});
  const { anchor, candidates, othersList, client } = await findAnchor(run, d, o);
  const chosen = oneCopyPerFile(candidates, anchor, o, o.toleranceS ?? 0.05, o.windowS ?? 1);
  const { ordered, origin } = pathOrder(groupByLink(chosen), anchor);
  const hops = decodeHops(ordered, d, origin);

  const others = othersList.sort(before);
  return {
    runDir: run.dir,
    lab: run.manifest.lab ?? null,
    runId: run.manifest.runId ?? null,
    anchor: { file: anchor.file.file, frame: anchor.n, ts: `${anchor.sec}.${String(anchor.ns).padStart(9, '0')}` },
    key: keyOf(client).slice(0, 16),
    hops,
    others: {
      count: others.length,
      examples: others.slice(0, 5).map((h) => {
        d.walk(h.data);
        return { file: h.file.file, frame: h.n, stack: layersText(d.layers()) };
      }),
    },
    decodeAs: run.decodeAs ?? null,
  };
}
