// Crafted-frame injection: frames built with the frame library are written to a temporary pcap with
// the pcap writer and replayed with tcpreplay on the target interface (inside its namespace, or on a
// root-namespace OVS port). Node has no raw sockets; tcpreplay is the injector.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import { encodePcap } from '../pcap/index.js';
import { runProbe } from './exec.js';
import { atTarget, bounded, targetDevice, type Argv, type InjectTarget } from './ns.js';

export const MAX_INJECT_FRAMES = 1_000_000;

export interface InjectOptions extends InjectTarget {
  frames: readonly Uint8Array[];
  /** Replay rate (1..1,000,000 pps, default 1000). */
  pps?: number;
  /** Hard bound on the replay (default frames/pps + 10 s, max 600 s). */
  timeoutMs?: number;
  /** Directory for the temporary pcap (default the OS temp dir). Kept when `keepPcap` is set. */
  tmpDir?: string;
  keepPcap?: boolean;
  tcpreplay?: string;
}

export interface InjectResult {
  command: string;
  /** Packets tcpreplay reported as sent successfully. */
  sent: number;
  failed: number;
  /** The pcap replayed (deleted unless keepPcap). */
  pcap: string;
  stdout: string;
}

/**
 * `sleep`: pace with nanosleep (`-T nano`) instead of tcpreplay's default busy-wait, which holds
 * a whole core for the length of a replay: right for long steady trains at modest rates.
 */
export function tcpreplayArgv(
  t: InjectTarget,
  pcap: string,
  o: { pps?: number; tcpreplay?: string; sleep?: boolean } = {},
): Argv {
  const dev = targetDevice(t);
  const pps = bounded('pps', o.pps ?? 1000, 1, 1_000_000);
  return atTarget(t, [
    o.tcpreplay ?? 'tcpreplay',
    '-q',
    ...(o.sleep ? ['-T', 'nano'] : []),
    '-i',
    dev,
    '--pps',
    String(pps),
    pcap,
  ]);
}

/** Parses tcpreplay's "Successful packets" / "Failed packets" (or its "Actual: N packets" line). */
export function parseTcpreplay(stdout: string): { sent: number; failed: number } {
  const ok = /Successful packets:\s+(\d+)/.exec(stdout) ?? /Actual: (\d+) packets/.exec(stdout);
  const bad = /Failed packets:\s+(\d+)/.exec(stdout);
  return { sent: ok ? Number(ok[1]) : 0, failed: bad ? Number(bad[1]) : 0 };
}

export async function injectFrames(o: InjectOptions): Promise<InjectResult> {
  bounded('frame count', o.frames.length, 1, MAX_INJECT_FRAMES);
  const pps = o.pps ?? 1000;
  const dir = await mkdtemp(join(o.tmpDir ?? tmpdir(), 'fabric-inject-'));
  const pcap = join(dir, 'frames.pcap');
  const { file, args } = tcpreplayArgv(o, pcap, { pps, tcpreplay: o.tcpreplay });
  const t0 = Date.now() / 1000;
  await writeFile(pcap, encodePcap(o.frames.map((data, i) => ({ data, ts: t0 + i / pps }))));
  const timeout = bounded(
    'timeoutMs',
    o.timeoutMs ?? Math.min(600_000, Math.ceil((o.frames.length / pps) * 1000) + 10_000),
    1,
    600_000,
  );
  try {
    const r = await runProbe(file, args, timeout);
    const stats = parseTcpreplay(r.stdout);
    if (r.exitCode !== 0) {
      throw new FabricError(
        'E_INJECT_FAILED',
        `${r.command}: exit ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
        {
          hint: 'check that the namespace and interface exist and are up',
        },
      );
    }
    return { command: r.command, ...stats, pcap, stdout: r.stdout };
  } finally {
    if (!o.keepPcap) await rm(dir, { recursive: true, force: true });
  }
}
