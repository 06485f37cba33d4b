// tcpdump command lines and the text tcpdump prints on stderr. Kept pure so the exact argv and the
// parsing of its statistics are unit-tested without root.
import { spawn, type ChildProcess } from 'node:child_process';
import { FabricError } from '../errors/fabric-error.js';
import { run } from './exec.js';
import { guardIfname, guardNetns } from './guard.js';
import type { CaptureVia, TcpdumpOps, TcpdumpOptions, TcpdumpTarget } from './host-net.js';

// Measured here (tcpdump 4.99.3 / libpcap 1.10.3, 5000 frames replayed at top speed into a veth):
// with --immediate-mode libpcap uses fixed-size ring slots sized by the snaplen when the interface
// has GSO/GRO on (veths do), so `-s 262144` leaves ~8 slots in the default 2 MiB buffer and drops
// 70-90% of a burst. `-s 9216 -B 8192` captured 5002/5002 with 0 drops. Without --immediate-mode
// (TPACKET_V3) frames of the last unretired block are lost silently at SIGINT, so that is no fix.
// 9216 covers a jumbo frame plus the fabric's tags; a longer frame is cut and the reader reports it.
export const DEFAULT_SNAPLEN = 9216;
export const MAX_SNAPLEN = 262144;
export const DEFAULT_BUFFER_KIB = 8192;

export const MAX_VNI = 0xffffff;

/**
 * The BPF filter (argv words) keeping one VXLAN tunnel's frames: UDP destination port `dstPort`
 * and VNI `vni`. The VNI is the top three bytes of the VXLAN header's second word, 12 bytes past
 * the start of the UDP header (8 bytes of UDP, then flags and 3 reserved bytes).
 */
export function vxlanFilter(v: CaptureVia['vxlan']): string[] {
  const { vni, dstPort } = v;
  if (!Number.isInteger(vni) || vni < 1 || vni > MAX_VNI) throw new RangeError(`VNI ${vni} out of 1..${MAX_VNI}`);
  if (!Number.isInteger(dstPort) || dstPort < 1 || dstPort > 65535)
    throw new RangeError(`UDP port ${dstPort} out of 1..65535`);
  return ['udp', 'dst', 'port', String(dstPort), 'and', 'udp[12:4]', '&', '0xffffff00', '=', String(vni * 256)];
}

/** The filter words: the end's own tunnel when captured `via` another interface, then the caller's. */
function filterWords(t: TcpdumpTarget, o: TcpdumpOptions): string[] {
  const own = t.via ? vxlanFilter(t.via.vxlan) : [];
  const more = o.filter ?? [];
  if (own.length && more.length) return ['(', ...own, ')', 'and', '(', ...more, ')'];
  return own.length ? own : more;
}

/**
 * `ip netns exec <ns> tcpdump -i <ifname> ...` for a namespace end (`ip netns exec <via.netns>
 * tcpdump -i <via.ifname>` and the tunnel's filter for an end captured elsewhere), `tcpdump -i
 * <hostIf> ...` for a root-namespace end. `ip netns exec` execs tcpdump in place, so the PID we get is tcpdump's own and SIGINT
 * reaches it directly.
 */
export function tcpdumpArgv(
  t: TcpdumpTarget,
  outFile: string,
  o: TcpdumpOptions = {},
): { file: string; args: string[] } {
  const ns = t.via ? t.via.netns : t.netns;
  const dev = t.via ? guardIfname(t.via.ifname) : ns !== null ? guardIfname(t.ifname) : guardIfname(t.hostIf ?? '');
  const snaplen = o.snaplen ?? DEFAULT_SNAPLEN;
  if (!Number.isInteger(snaplen) || snaplen < 64 || snaplen > MAX_SNAPLEN)
    throw new RangeError(`snaplen ${snaplen} out of 64..${MAX_SNAPLEN}`);
  const buf = o.bufferKiB ?? DEFAULT_BUFFER_KIB;
  if (!Number.isInteger(buf) || buf < 256 || buf > 1048576)
    throw new RangeError(`bufferKiB ${buf} out of 256..1048576`);
  const td = [
    '-i',
    dev,
    '-U', // packet-buffered: every packet is written as it arrives
    '-n',
    '--immediate-mode',
    '-s',
    String(snaplen),
    '-B',
    String(buf),
    '-Z',
    'root', // no privilege drop: the file stays writable/readable in a root-owned run dir
    ...(o.direction ? ['-Q', o.direction] : []),
    '-w',
    outFile,
    ...filterWords(t, o),
  ];
  const bin = o.tcpdump ?? 'tcpdump';
  if (ns !== null) return { file: 'ip', args: ['netns', 'exec', guardNetns(ns), bin, ...td] };
  return { file: bin, args: td };
}

export interface TcpdumpStats {
  captured: number;
  receivedByFilter: number;
  droppedByKernel: number;
  /** Printed by tcpdump ≥ 4.99 only when non-zero. */
  droppedByInterface: number | null;
}

const LISTENING = /^tcpdump: listening on (\S+),/m;

/** True once tcpdump has opened the device and installed its filter (its stderr says so). */
export function isListening(stderr: string): boolean {
  return LISTENING.test(stderr);
}

/** The device named in the `listening on` line, or null. */
export function listeningDevice(stderr: string): string | null {
  return LISTENING.exec(stderr)?.[1] ?? null;
}

/** Parses the three (or four) statistics lines tcpdump prints when it stops; null if absent. */
export function parseTcpdumpStats(stderr: string): TcpdumpStats | null {
  const num = (re: RegExp): number | null => {
    const m = re.exec(stderr);
    return m ? Number(m[1]) : null;
  };
  const captured = num(/^(\d+) packets? captured$/m);
  const received = num(/^(\d+) packets? received by filter$/m);
  const dropped = num(/^(\d+) packets? dropped by kernel$/m);
  if (captured === null || received === null || dropped === null) return null;
  return {
    captured,
    receivedByFilter: received,
    droppedByKernel: dropped,
    droppedByInterface: num(/^(\d+) packets? dropped by interface$/m),
  };
}

/** The last meaningful stderr lines (error text of a capturer that died), for messages. */
export function stderrTail(stderr: string, lines = 4): string {
  return stderr
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .join(' | ');
}

export const realTcpdump: TcpdumpOps = {
  argv: tcpdumpArgv,
  async head(inFile, outFile, count) {
    if (!Number.isInteger(count) || count < 1)
      throw new FabricError('E_USAGE', `frame count ${count} must be a positive integer`);
    await run('tcpdump', ['-r', inFile, '-c', String(count), '-w', outFile]);
  },
};

/**
 * Starts a capturer with its stderr going to an inherited fd (a file the caller opened: a pipe to
 * us would break when we exit before tcpdump). detached: own process group, so a terminal's
 * Ctrl-C reaches only the orchestrator, which stops capturers in order with SIGINT (so they print
 * their statistics). node's spawn, argv array, never a shell.
 */
export function spawnCapturer(argv: { file: string; args: string[] }, stderrFd: number): ChildProcess {
  return spawn(argv.file, argv.args, { stdio: ['ignore', 'ignore', stderrFd], detached: true, shell: false });
}
