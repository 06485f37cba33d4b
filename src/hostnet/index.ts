// The host-networking adapter: the one place that runs commands against the machine's network.
// Code takes the adapter from hostNet(); unit tests swap in a FakeHostNet with useHostNet().
import type { HostNet } from './host-net.js';
import { realHostNet } from './real.js';

let current: HostNet = realHostNet;

export function hostNet(): HostNet {
  return current;
}

/** Replaces the adapter (tests); returns a function that puts the previous one back. */
export function useHostNet(h: HostNet): () => void {
  const prev = current;
  current = h;
  return () => {
    current = prev;
  };
}

export type * from './host-net.js';
export { CommandError, formatCommand, mapLimit, run, runProbe, startProcess, tryRun } from './exec.js';
export type { Argv, ProbeRun, RunOptions, RunResult, Subprocess } from './exec.js';
export { ensureOvs, livePid, OVS_RUN_DIR } from './ovs-daemon.js';
export { PARALLEL } from './fan-out.js';
export {
  bridgeNetns,
  dropOvsSites,
  ovsSite,
  portNetns,
  remoteSwitches,
  useOvsSites,
  useRemoteSwitches,
  type OvsSite,
  type RemoteSwitch,
} from './ovs-sites.js';
export { realHostNet } from './real.js';
export {
  DEFAULT_BUFFER_KIB,
  DEFAULT_SNAPLEN,
  isListening,
  listeningDevice,
  MAX_SNAPLEN,
  parseTcpdumpStats,
  spawnCapturer,
  stderrTail,
  tcpdumpArgv,
  vxlanFilter,
  type TcpdumpStats,
} from './tcpdump.js';
