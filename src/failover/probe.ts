// Data-plane view of a failover: captures on every tenant port while the per-tenant echo trains
// (echo-train.ts) run. Each tenant's flow carries its own payload pattern; a frame with tenant X's
// pattern seen on a port of tenant Y is a cross-tenant frame.
import { readFileSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import { FabricError } from '../errors/fabric-error.js';
import { isIfName, isNetns } from '../names/index.js';

/** A tenant's payload pattern: its name, padded with '-', as 8 bytes of hex. */
export function patternOf(tenant: string): string {
  return Buffer.from(tenant.padEnd(8, '-').slice(0, 8), 'latin1').toString('hex');
}

export interface CapturePoint {
  tenant: string;
  /** Namespace, or null for a root-namespace interface (a hypervisor tap). */
  netns: string | null;
  ifname: string;
  file: string;
  /** What the port should carry (stacks-during.ts): a client's untagged frames, or VXLAN to/from a VTEP (in 802.1Q 4000 on a guest tap). */
  carries?: PortCarries;
}

export type PortCarries = { kind: 'client' } | { kind: 'vtep'; tagged: boolean; vni: number };

export interface CaptureRun {
  point: CapturePoint;
  proc: ResultPromise;
}

export function startCapturePoint(p: CapturePoint): CaptureRun {
  if ((p.netns && !isNetns(p.netns)) || !isIfName(p.ifname))
    throw new FabricError('E_FAILOVER_PROBE', `bad capture point ${JSON.stringify(p)}`);
  // Echo requests and replies, tagged or not, and VXLAN (a guest tap / host-stack port carries
  // the customer frames inside it, seed 000 FIG. 5). Immediate mode: a ring block's frames are not held
  // back (up to 1 s) and lost at SIGINT; a large kernel buffer so a loaded host drops nothing.
  const argv = [
    'tcpdump',
    '-i',
    p.ifname,
    '-n',
    '-U',
    '--immediate-mode',
    '-B',
    '8192',
    '-s',
    '256',
    '-w',
    p.file,
    'icmp or udp port 4789 or (vlan and (icmp or udp port 4789))',
  ];
  const proc = p.netns
    ? execa('ip', ['netns', 'exec', p.netns, ...argv], { reject: false, stdin: 'ignore' })
    : execa(argv[0]!, argv.slice(1), { reject: false, stdin: 'ignore' });
  return { point: p, proc };
}

export async function stopCapture(c: CaptureRun): Promise<void> {
  c.proc.kill('SIGINT');
  await c.proc;
}

/** Frames of a microsecond/nanosecond pcap (classic format), as raw byte buffers. */
export function pcapFrames(buf: Buffer): Buffer[] {
  if (buf.length < 24) return [];
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!le && !be) throw new FabricError('E_FAILOVER_PROBE', 'not a classic pcap file');
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const out: Buffer[] = [];
  let o = 24;
  while (o + 16 <= buf.length) {
    const incl = u32(o + 8);
    if (incl > 262_144 || o + 16 + incl > buf.length) break; // truncated last record
    out.push(buf.subarray(o + 16, o + 16 + incl));
    o += 16 + incl;
  }
  return out;
}

/** Frames at a capture point carrying another tenant's pattern. */
export function foreignFrames(file: string, ownTenant: string, patterns: Record<string, string>): number {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return 0;
  }
  const foreign = Object.entries(patterns)
    .filter(([t]) => t !== ownTenant)
    .map(([, p]) => Buffer.from(p, 'hex'));
  return pcapFrames(buf).filter((f) => foreign.some((p) => f.includes(p))).length;
}
