// manifest.json of a capture run: what was captured where, for how long, how many frames each file
// holds (counted by us from the file) and what tcpdump itself reported (captured / received by
// filter / dropped by kernel). Built by a pure function so its shape is unit-tested.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { LinkCheck } from './compare.js';
import type { CaptureState, StopHow } from './state.js';
import type { CaptureVia, TcpdumpStats } from '../hostnet/index.js';

export type FileFlag =
  | 'drops' // tcpdump reported kernel or interface drops
  | 'stats-missing' // tcpdump printed no statistics (killed, or died)
  | 'count-mismatch' // frames in the file != tcpdump's "packets captured"
  | 'read-warnings' // the pcap reader warned (truncated last record, ...)
  | 'one-direction' // see compare.ts
  | 'no-frames' // the peer saw frames, this end none
  | 'capture-loss'; // frames the peer saw are missing here, explained by this end's reported drops

export interface ManifestEnd {
  node: string;
  /** Kernel interface name (what tcpdump opened, inside `netns` or as `hostIf`). */
  ifname: string;
  /** Fabric port name (`p2`, `eth1`): the file is `<node>--<port>.pcap`, the merged pcapng interface `<node>:<port>`. */
  port?: string;
  netns: string | null;
  hostIf: string | null;
  /** A stitched link end: captured in `netns` on `via.ifname`, the link's VXLAN frames only (outer headers kept). */
  via?: CaptureVia;
}

export interface ManifestFile extends ManifestEnd {
  /** File name relative to the run dir. */
  file: string;
  stderrFile: string;
  linkId: string;
  linkClass: string;
  /** The other end of the link; `file` is null when it was not captured. */
  peer: ManifestEnd & { file: string | null };
  /** tcpdump sees both directions of an interface; `directionFilter` is the -Q value when one was used. */
  direction: 'both' | 'in' | 'out';
  directionFilter: string | null;
  argv: string[];
  pid: number;
  listeningAt: string | null;
  stopRequestedAt: string | null;
  stopHow: StopHow | null;
  exitCode: number | null;
  /** Frames in the file, counted by reading it. */
  packets: number;
  bytes: number;
  firstTs: number | null;
  lastTs: number | null;
  /** tcpdump's own statistics (null when it printed none). */
  tcpdump: TcpdumpStats | null;
  dropped: number | null;
  flags: FileFlag[];
  readWarnings: string[];
}

export interface CaptureManifest {
  manifestVersion: 1;
  lab: string;
  runId: string;
  runtime: string;
  planHash: string | null;
  startedAt: string;
  stoppedAt: string;
  tool: 'tcpdump';
  snaplen: number;
  /** tshark decode-as items of the run (plan hints, and `udp.port==N,vxlan` for ends captured via an underlay). */
  decodeAs?: string[];
  selection: CaptureState['selection'];
  files: ManifestFile[];
  links: LinkCheck[];
  skipped: CaptureState['skipped'];
  /** Merged pcapng (one interface per file, named `<node>:<ifname>`), or null. */
  merged: string | null;
  totals: { files: number; packets: number; dropped: number; flaggedFiles: number; flaggedLinks: number };
}

export interface FileResult {
  stats: TcpdumpStats | null;
  packets: number;
  bytes: number;
  firstTs: number | null;
  lastTs: number | null;
  readWarnings: string[];
}

export function buildManifest(
  state: CaptureState,
  results: Map<string, FileResult>,
  links: LinkCheck[],
  merged: string | null,
  stoppedAt: string,
  snaplen: number,
): CaptureManifest {
  const byId = new Map(state.capturers.map((c) => [c.id, c]));
  const fileOf = new Map(state.targets.map((t) => [`${t.node}\u0000${t.ifname}`, t.id]));
  const flagOf = new Map<string, FileFlag>();
  for (const l of links)
    for (const e of l.ends) if (e.verdict !== 'ok' && e.verdict !== 'idle') flagOf.set(e.id, e.verdict);
  const dirFilter = state.tcpdump.direction ?? null;
  const files: ManifestFile[] = state.targets.map((t) => {
    const c = byId.get(t.id);
    const r = results.get(t.id) ?? {
      stats: null,
      packets: 0,
      bytes: 0,
      firstTs: null,
      lastTs: null,
      readWarnings: ['capture file missing'],
    };
    const flags: FileFlag[] = [];
    const dropped = r.stats ? r.stats.droppedByKernel + (r.stats.droppedByInterface ?? 0) : null;
    if (dropped) flags.push('drops');
    if (!r.stats) flags.push('stats-missing');
    else if (r.stats.captured !== r.packets) flags.push('count-mismatch');
    if (r.readWarnings.length) flags.push('read-warnings');
    const dirFlag = flagOf.get(t.id);
    if (dirFlag) flags.push(dirFlag);
    const peerId = fileOf.get(`${t.peer.node}\u0000${t.peer.ifname}`) ?? null;
    return {
      file: c?.file ?? `${t.id}.pcap`,
      stderrFile: c?.stderrFile ?? `${t.id}.stderr`,
      linkId: t.linkId,
      linkClass: t.linkClass,
      node: t.node,
      ifname: t.ifname,
      port: t.port,
      netns: t.netns,
      hostIf: t.hostIf,
      ...(t.via ? { via: t.via } : {}),
      peer: { ...t.peer, file: peerId === null ? null : `${peerId}.pcap` },
      direction: dirFilter === 'in' ? 'in' : dirFilter === 'out' ? 'out' : 'both',
      directionFilter: dirFilter,
      argv: c?.argv ?? [],
      pid: c?.pid ?? 0,
      listeningAt: c?.listeningAt ?? null,
      stopRequestedAt: c?.stopRequestedAt ?? null,
      stopHow: c?.stopHow ?? null,
      exitCode: c?.exitCode ?? null,
      packets: r.packets,
      bytes: r.bytes,
      firstTs: r.firstTs,
      lastTs: r.lastTs,
      tcpdump: r.stats,
      dropped,
      flags,
      readWarnings: r.readWarnings,
    };
  });
  return {
    manifestVersion: 1,
    lab: state.lab,
    runId: state.runId,
    runtime: state.runtime,
    planHash: state.planHash,
    startedAt: state.startedAt,
    stoppedAt,
    tool: 'tcpdump',
    snaplen,
    ...(state.decodeAs?.length ? { decodeAs: [...state.decodeAs] } : {}),
    selection: state.selection,
    files,
    links,
    skipped: state.skipped,
    merged,
    totals: {
      files: files.length,
      packets: files.reduce((s, f) => s + f.packets, 0),
      dropped: files.reduce((s, f) => s + (f.dropped ?? 0), 0),
      flaggedFiles: files.filter((f) => f.flags.length > 0).length,
      flaggedLinks: links.filter((l) => l.verdict === 'flagged').length,
    },
  };
}

/** The UDP ports of the tunnels a run captured stitched link ends through (decoded as VXLAN). */
export function tunnelPorts(files: readonly Pick<ManifestFile, 'via'>[]): number[] {
  return [...new Set(files.flatMap((f) => (f.via ? [f.via.vxlan.dstPort] : [])))].sort((a, b) => a - b);
}

/**
 * The tunnel ports for one capture file: those of its end when the run's manifest.json beside it
 * lists it as captured via a tunnel (none for any other file, or without a readable manifest).
 */
export function fileTunnelPorts(path: string): number[] {
  const m = join(dirname(path), 'manifest.json');
  if (path === '-' || !existsSync(m)) return [];
  try {
    const doc = JSON.parse(readFileSync(m, 'utf8')) as Partial<CaptureManifest>;
    const name = basename(path);
    const ports = tunnelPorts((doc.files ?? []).filter((f) => f.file === name));
    return ports.filter((p) => Number.isInteger(p) && p > 0 && p <= 65535);
  } catch {
    return [];
  }
}
