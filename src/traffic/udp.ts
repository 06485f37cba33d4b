// UDP sender/receiver with sequence numbers and a payload marker, run inside endpoint namespaces
// (udp-probe.mjs via `ip netns exec <ns> node <script>`). The receiver reports which sequence
// numbers arrived, so loss can be measured at e.g. 1000 pps.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProbe, startProcess } from '../hostnet/index.js';
import { FabricError } from '../errors/fabric-error.js';
import { checkIpv4 } from '../names/index.js';
import { bounded, inNetns, type Argv } from './ns.js';
import { formatArgv } from './exec.js';

const MARKER = /^[A-Za-z0-9_.-]{1,32}$/;

/** udp-probe.mjs ships in src/traffic; from dist/traffic it is found in ../../src/traffic. */
export function udpProbeScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [resolve(here, 'udp-probe.mjs'), resolve(here, '../../src/traffic/udp-probe.mjs')])
    if (existsSync(p)) return p;
  throw new FabricError('E_TRAFFIC_SCRIPT', 'udp-probe.mjs not found next to the traffic module or in src/traffic', {
    hint: 'run from the fabric checkout',
  });
}

export interface UdpReceiverOptions {
  netns: string;
  bind: string;
  /** One port, or several served by one process (one report per port: udp-many.ts). */
  port: number | readonly number[];
  marker?: string;
  /** Stop after this many distinct sequence numbers (0 = until timeout/idle/stop). */
  expect?: number;
  /** Hard bound (default 10 s, max 600 s). */
  timeoutMs?: number;
  /** Stop this long after the last datagram (0 = off). */
  idleMs?: number;
}

export interface UdpSenderOptions {
  netns: string;
  dst: string;
  port: number;
  bind?: string;
  sport?: number;
  marker?: string;
  count: number;
  pps?: number;
  size?: number;
  timeoutMs?: number;
}

export interface UdpRecvReport {
  event: 'done';
  why: 'expected' | 'timeout' | 'idle' | 'signal';
  marker: string;
  received: number;
  unique: number;
  duplicates: number;
  /** Datagrams that did not carry our marker (another tenant's probe would show here). */
  foreign: number;
  foreignMarkers: string[];
  /** Sequence numbers that arrived, as inclusive ranges. */
  seqs: [number, number][];
  firstAt: number | null;
  lastAt: number | null;
}

export interface UdpSendReport {
  event: 'done';
  why: 'count' | 'timeout' | 'signal';
  marker: string;
  sent: number;
  errors: number;
  acked: number;
  elapsedMs: number;
}

function marker(m: string | undefined): string {
  const v = m ?? 'probe';
  if (!MARKER.test(v))
    throw new FabricError('E_TRAFFIC_MARKER', `bad marker ${JSON.stringify(v)}`, {
      hint: 'markers match [A-Za-z0-9_.-]{1,32}',
    });
  return v;
}

function portList(p: number | readonly number[]): string {
  const list = typeof p === 'number' ? [p] : p;
  bounded('ports', list.length, 1, 256);
  return list.map((x) => String(bounded('port', x, 1, 65535))).join(',');
}

export function udpRecvArgv(o: UdpReceiverOptions, script = udpProbeScript(), node = process.execPath): Argv {
  const args = [
    node,
    script,
    'recv',
    '--bind',
    checkIpv4(o.bind),
    '--port',
    portList(o.port),
    '--marker',
    marker(o.marker),
    '--expect',
    String(bounded('expect', o.expect ?? 0, 0, 1_000_000)),
    '--timeout-ms',
    String(bounded('timeoutMs', o.timeoutMs ?? 10_000, 1, 600_000)),
    '--idle-ms',
    String(bounded('idleMs', o.idleMs ?? 0, 0, 600_000)),
  ];
  return inNetns(o.netns, args);
}

export function udpSendArgv(o: UdpSenderOptions, script = udpProbeScript(), node = process.execPath): Argv {
  return udpSendFlowsArgv(
    o,
    ['--dst', checkIpv4(o.dst), '--port', String(bounded('port', o.port, 1, 65535))],
    script,
    node,
  );
}

/** The sender's argv for the flows named by `where` (`--dst --port`, or `--to` in udp-many.ts). */
export function udpSendFlowsArgv(
  o: Omit<UdpSenderOptions, 'dst' | 'port'>,
  where: string[],
  script = udpProbeScript(),
  node = process.execPath,
): Argv {
  const count = bounded('count', o.count, 1, 1_000_000);
  const pps = bounded('pps', o.pps ?? 1000, 1, 100_000);
  const args = [
    node,
    script,
    'send',
    ...where,
    '--marker',
    marker(o.marker),
    '--count',
    String(count),
    '--pps',
    String(pps),
    '--size',
    String(bounded('size', o.size ?? 64, 32, 8972)),
    '--timeout-ms',
    String(bounded('timeoutMs', o.timeoutMs ?? Math.min(600_000, Math.ceil((count / pps) * 1000) + 5000), 1, 600_000)),
  ];
  if (o.bind) args.push('--bind', checkIpv4(o.bind));
  if (o.sport) args.push('--sport', String(bounded('sport', o.sport, 1, 65535)));
  return inNetns(o.netns, args);
}

export function lastJson(stdout: string, command: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n').filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const j = JSON.parse(lines[i]!) as Record<string, unknown>;
      if (j.event === 'error') throw new FabricError('E_TRAFFIC_PROBE', `${command}: ${String(j.message)}`);
      if (j.event === 'done') return j;
    } catch (err) {
      if (err instanceof FabricError) throw err;
    }
  }
  throw new FabricError('E_TRAFFIC_PROBE', `${command}: no report on stdout`, {
    hint: stdout.slice(-400) || 'the probe printed nothing',
  });
}

export interface UdpReceiver {
  command: string;
  pid: number;
  /** Resolves with the receiver's report once it ends (expect/timeout/idle/stop). */
  result: Promise<UdpRecvReport>;
  /** Ends the receiver now (SIGINT by PID); it still prints its report. */
  stop(): void;
}

/** A started receiver process: its whole stdout once it ends. */
export interface ListeningProcess {
  command: string;
  pid: number;
  stdout: Promise<string>;
  stop(): void;
}

/** Starts a receiver and resolves once it is bound (its `listening` line), so senders never race it. */
export async function startListening(
  { file, args }: Argv,
  timeout: number,
  readyTimeoutMs: number,
): Promise<ListeningProcess> {
  const command = formatArgv(file, args);
  const child = startProcess(file, args, { timeout });
  let out = '';
  const ready = new Promise<void>((res, rej) => {
    const t = setTimeout(
      () => rej(new FabricError('E_TRAFFIC_PROBE', `${command}: not listening after ${readyTimeoutMs} ms`)),
      readyTimeoutMs,
    );
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"event":"listening"')) {
        clearTimeout(t);
        res();
      }
      if (out.includes('"event":"error"')) {
        clearTimeout(t);
        rej(new FabricError('E_TRAFFIC_PROBE', `${command}: ${out.trim()}`));
      }
    });
    void child.then((r) => {
      clearTimeout(t);
      rej(
        new FabricError(
          'E_TRAFFIC_PROBE',
          `${command}: exited before listening: ${String(r.stderr ?? '').trim() || out.trim()}`,
        ),
      );
    });
  });
  const stdout = child.then((r) => String(r.stdout ?? out));
  stdout.catch(() => undefined);
  try {
    await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    command,
    pid: child.pid ?? 0,
    stdout,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGINT');
    },
  };
}

/** Starts a receiver and resolves once it is bound (its `listening` line), so senders never race it. */
export async function startUdpReceiver(o: UdpReceiverOptions, readyTimeoutMs = 10_000): Promise<UdpReceiver> {
  const p = await startListening(udpRecvArgv(o), (o.timeoutMs ?? 10_000) + 10_000, readyTimeoutMs);
  const result = p.stdout.then((out) => lastJson(out, p.command) as unknown as UdpRecvReport);
  result.catch(() => undefined);
  return { command: p.command, pid: p.pid, result, stop: p.stop };
}

/** Sends `count` datagrams at `pps`; resolves with the sender's report. */
export async function sendUdp(o: UdpSenderOptions): Promise<UdpSendReport> {
  const { file, args } = udpSendArgv(o);
  const command = formatArgv(file, args);
  const t = Number(args[args.indexOf('--timeout-ms') + 1]);
  const r = await runProbe(file, args, t + 10_000);
  if (r.exitCode !== 0 && !String(r.stdout ?? '').includes('"event":"done"')) {
    throw new FabricError(
      'E_TRAFFIC_PROBE',
      `${command}: exit ${String(r.exitCode)}: ${String(r.stderr ?? '').trim() || String(r.stdout ?? '').trim()}`,
    );
  }
  return lastJson(String(r.stdout ?? ''), command) as unknown as UdpSendReport;
}

/** Loss of a run of `count` datagrams (seq 0..count-1) from the receiver's ranges. */
export function udpLoss(
  report: Pick<UdpRecvReport, 'seqs'>,
  count: number,
): { arrived: number; lost: number; missing: [number, number][] } {
  const missing: [number, number][] = [];
  let next = 0;
  let arrived = 0;
  for (const [a, b0] of report.seqs) {
    const b = Math.min(b0, count - 1);
    if (a > count - 1) break;
    if (a > next) missing.push([next, a - 1]);
    arrived += b - Math.max(a, next) + 1;
    next = b + 1;
  }
  if (next < count) missing.push([next, count - 1]);
  return { arrived, lost: count - arrived, missing };
}
