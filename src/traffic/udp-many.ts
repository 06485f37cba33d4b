// UDP along many pairs at once with one process per namespace: a receiver per destination
// namespace serving one port per incoming pair, and a sender per source namespace sending every
// flow it owns from one socket. Each pair keeps its own port, sequence numbers and report; only
// the process start-ups are shared (a Node start costs far more CPU than ten datagrams).
import { FabricError } from '../errors/fabric-error.js';
import { checkIpv4 } from '../names/index.js';
import { runProbe } from '../hostnet/index.js';
import { bounded, type Argv } from './ns.js';
import { formatArgv } from './exec.js';
import {
  startListening,
  udpProbeScript,
  udpRecvArgv,
  udpSendFlowsArgv,
  type UdpReceiverOptions,
  type UdpRecvReport,
  type UdpSendReport,
  type UdpSenderOptions,
} from './udp.js';

/** Every `done` line of a multi-flow probe's stdout (an `error` line is an error). */
export function doneLines(stdout: string, command: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of stdout.split('\n')) {
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (j.event === 'error') throw new FabricError('E_TRAFFIC_PROBE', `${command}: ${String(j.message)}`);
    if (j.event === 'done') out.push(j);
  }
  return out;
}

export interface UdpReceivers {
  command: string;
  pid: number;
  /** Port → that port's report, once every port is done (expect/idle/timeout/stop). */
  result: Promise<Map<number, UdpRecvReport>>;
  stop(): void;
}

/** One receiver for several ports (`o.port` a list); resolves once every port is bound. */
export async function startUdpReceivers(
  o: UdpReceiverOptions & { port: readonly number[] },
  readyTimeoutMs = 10_000,
): Promise<UdpReceivers> {
  const p = await startListening(udpRecvArgv(o), (o.timeoutMs ?? 10_000) + 10_000, readyTimeoutMs);
  const result = p.stdout.then((out) => {
    const lines = doneLines(out, p.command);
    const byPort = new Map<number, UdpRecvReport>();
    // One port prints the single-flow report (no port field): it is that port's.
    for (const j of lines) byPort.set(o.port.length === 1 ? o.port[0]! : Number(j.port), j as unknown as UdpRecvReport);
    const missing = o.port.filter((x) => !byPort.has(x));
    if (missing.length)
      throw new FabricError('E_TRAFFIC_PROBE', `${p.command}: no report for port ${missing.join(', ')}`, {
        hint: out.slice(-400) || 'the probe printed nothing',
      });
    return byPort;
  });
  result.catch(() => undefined);
  return { command: p.command, pid: p.pid, result, stop: p.stop };
}

export interface UdpFlow {
  dst: string;
  port: number;
}

export const flowKey = (f: UdpFlow): string => `${f.dst}:${f.port}`;

export function udpSendManyArgv(
  o: Omit<UdpSenderOptions, 'dst' | 'port'> & { to: readonly UdpFlow[] },
  script = udpProbeScript(),
  node = process.execPath,
): Argv {
  bounded('flows', o.to.length, 1, 256);
  const to = o.to.map((f) => `${checkIpv4(f.dst)}:${String(bounded('port', f.port, 1, 65535))}`).join(',');
  return udpSendFlowsArgv(o, ['--to', to], script, node);
}

/** Sends `count` datagrams at `pps` along every flow from one socket; `dst:port` → that flow's report. */
export async function sendUdpMany(
  o: Omit<UdpSenderOptions, 'dst' | 'port'> & { to: readonly UdpFlow[] },
): Promise<Map<string, UdpSendReport>> {
  const { file, args } = udpSendManyArgv(o);
  const command = formatArgv(file, args);
  const t = Number(args[args.indexOf('--timeout-ms') + 1]);
  const r = await runProbe(file, args, t + 10_000);
  const lines = doneLines(String(r.stdout ?? ''), command);
  if (r.exitCode !== 0 && !lines.length)
    throw new FabricError(
      'E_TRAFFIC_PROBE',
      `${command}: exit ${String(r.exitCode)}: ${String(r.stderr ?? '').trim() || String(r.stdout ?? '').trim()}`,
    );
  const out = new Map<string, UdpSendReport>();
  for (const j of lines) {
    const f = o.to.length === 1 ? o.to[0]! : { dst: String(j.dst), port: Number(j.port) };
    out.set(flowKey(f), j as unknown as UdpSendReport);
  }
  return out;
}
