// ping and arping from inside an endpoint namespace (iputils), bounded by count and a deadline.
import { runProbe } from './exec.js';
import { checkIfName, checkIpv4 } from '../names/index.js';
import { bounded, inNetns, type Argv } from './ns.js';

export interface PingOptions {
  netns: string;
  target: string;
  /** Echo requests (1..10000, default 3). */
  count?: number;
  /** Seconds between requests (0.01..10, default 0.2; below 0.2 needs root, which we are). */
  intervalS?: number;
  /** Hard deadline in seconds (1..600, default count*interval + 2). */
  deadlineS?: number;
  /** Source interface (-I). */
  ifname?: string;
  /** Payload bytes (-s, 0..8972). */
  size?: number;
}

export interface PingResult {
  command: string;
  exitCode: number;
  transmitted: number;
  received: number;
  lossPct: number;
  rttAvgMs: number | null;
  stdout: string;
}

const round = (v: number) => Math.round(v * 1000) / 1000;

export function pingArgv(o: PingOptions): Argv {
  const count = bounded('ping count', o.count ?? 3, 1, 10000);
  const interval = bounded('ping interval', o.intervalS ?? 0.2, 0.01, 10);
  const deadline = Math.ceil(bounded('ping deadline', o.deadlineS ?? count * interval + 2, 1, 600));
  const args = ['ping', '-n', '-q', '-c', String(count), '-i', String(round(interval)), '-w', String(deadline)];
  if (o.ifname) args.push('-I', checkIfName(o.ifname));
  if (o.size !== undefined) args.push('-s', String(bounded('ping size', o.size, 0, 8972)));
  args.push(checkIpv4(o.target));
  return inNetns(o.netns, args);
}

/** Parses iputils ping's summary lines. */
export function parsePing(stdout: string): Pick<PingResult, 'transmitted' | 'received' | 'lossPct' | 'rttAvgMs'> {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(stdout);
  const loss = /([\d.]+)% packet loss/.exec(stdout);
  const rtt = /= [\d.]+\/([\d.]+)\/[\d.]+\/[\d.]+ ms/.exec(stdout);
  const transmitted = m ? Number(m[1]) : 0;
  const received = m ? Number(m[2]) : 0;
  return {
    transmitted,
    received,
    lossPct: loss ? Number(loss[1]) : transmitted ? 100 : 100,
    rttAvgMs: rtt ? Number(rtt[1]) : null,
  };
}

/** Runs ping; a lossy or failed ping is a result (exitCode, received), not an exception. */
export async function ping(o: PingOptions): Promise<PingResult> {
  const { file, args } = pingArgv(o);
  const deadline = Number(args[args.indexOf('-w') + 1]);
  const r = await runProbe(file, args, (deadline + 5) * 1000);
  return { command: r.command, exitCode: r.exitCode, stdout: r.stdout, ...parsePing(r.stdout) };
}

export interface ArpingOptions {
  netns: string;
  ifname: string;
  target: string;
  /** Requests (1..1000, default 3). */
  count?: number;
  /** Deadline in seconds (1..600, default count + 2). */
  deadlineS?: number;
  /** Source address (-s). */
  source?: string;
}

export interface ArpingResult {
  command: string;
  exitCode: number;
  sent: number;
  received: number;
  /** MACs that answered. */
  responders: string[];
  stdout: string;
}

export function arpingArgv(o: ArpingOptions): Argv {
  const count = bounded('arping count', o.count ?? 3, 1, 1000);
  const deadline = Math.ceil(bounded('arping deadline', o.deadlineS ?? count + 2, 1, 600));
  const args = ['arping', '-c', String(count), '-w', String(deadline), '-I', checkIfName(o.ifname)];
  if (o.source) args.push('-s', checkIpv4(o.source));
  args.push(checkIpv4(o.target));
  return inNetns(o.netns, args);
}

/** Parses iputils arping output ("Sent 3 probes", "Received 3 response(s)", "[aa:bb:..]" lines). */
export function parseArping(stdout: string): Pick<ArpingResult, 'sent' | 'received' | 'responders'> {
  const sent = /Sent (\d+) probe/.exec(stdout);
  const rec = /Received (\d+) response/.exec(stdout);
  const responders = [...new Set([...stdout.matchAll(/\[([0-9A-Fa-f:]{17})\]/g)].map((m) => m[1]!.toLowerCase()))];
  return { sent: sent ? Number(sent[1]) : 0, received: rec ? Number(rec[1]) : 0, responders };
}

export async function arping(o: ArpingOptions): Promise<ArpingResult> {
  const { file, args } = arpingArgv(o);
  const deadline = Number(args[args.indexOf('-w') + 1]);
  const r = await runProbe(file, args, (deadline + 5) * 1000);
  return { command: r.command, exitCode: r.exitCode, stdout: r.stdout, ...parseArping(r.stdout) };
}
