// The host-networking adapter's contract: every operation the fabric performs on the machine's
// network (Open vSwitch, `ip`, tc, ethtool, sysctl, taps, tcpdump) is one typed method here. The
// real implementation (real.ts) runs the commands; the fake (fake.ts) records the calls and keeps
// a small model of the machine so fault and failover logic can be unit-tested without root.
// New operations go into the group they belong to, in this file only.
import type { Argv, ProbeRun, RunOptions, RunResult } from './exec.js';

/** A network namespace by name, or null for the root namespace. */
export type Ns = string | null;

/** One interface as `ip -j link show` reports it. */
export interface LinkInfo {
  ifname: string;
  /** ifalias: the fabric marks its objects with `fabric-lab=<lab>`. */
  alias?: string;
  /** Administratively up (the UP flag). */
  up: boolean;
  /** Kernel operstate (UP, DOWN, LOWER_LAYER_DOWN, UNKNOWN...). */
  operstate: string;
  mac?: string;
  mtu?: number;
  master?: string;
}

export interface Neighbour {
  ip: string;
  mac?: string;
  state: string[];
}

/** Link attributes `ip link set` changes; only the given ones are touched. */
export interface LinkAttrs {
  up?: boolean;
  mtu?: number;
  address?: string;
  master?: string;
  alias?: string;
}

/** One end of a veth pair: its name, and where it lives (created there directly). */
export interface VethEnd {
  ifname: string;
  netns: Ns;
  mac?: string;
  mtu?: number;
}

/** Work done inside one namespace as part of a fan-out (one process for all namespaces). */
export type NsJob =
  | { netns: string; kind: 'ip-batch'; lines: string[] }
  | { netns: string; kind: 'sysctl'; settings: string[] }
  | { netns: string; kind: 'tx-offload-off'; ifname: string };

export interface IpOps {
  listNetns(): Promise<Set<string>>;
  /** Creates namespaces (one `ip -batch`). */
  addNetns(names: readonly string[]): Promise<void>;
  /** Deletes namespaces; never throws (an object may already be gone; callers verify). */
  delNetns(names: readonly string[]): Promise<void>;
  /** Interfaces of a namespace (root: null), in kernel order; throws when the namespace is missing. */
  links(netns: Ns): Promise<LinkInfo[]>;
  /** One interface, or null when it (or its namespace) does not exist. */
  link(netns: Ns, ifname: string): Promise<LinkInfo | null>;
  /** Every namespace on the machine → its interfaces (name → ifalias), one read-only spawn. */
  linksInAllNetns(): Promise<Map<string, Map<string, string | undefined>>>;
  setLink(netns: Ns, ifname: string, attrs: LinkAttrs): Promise<void>;
  /** Creates a veth pair with both ends directly in their namespaces; `inNs` runs `ip` there. */
  addVeth(a: VethEnd, b: VethEnd, inNs?: Ns): Promise<void>;
  /** Deletes an interface; false when it was not there. */
  delLink(netns: Ns, ifname: string): Promise<boolean>;
  /** `ip addr replace` (replace: true) or `ip addr add`. */
  addAddress(netns: Ns, ifname: string, cidr: string, opts?: { replace?: boolean }): Promise<void>;
  /** false when the address was not there. */
  delAddress(netns: Ns, ifname: string, cidr: string): Promise<boolean>;
  /** IPv4 (or IPv6) addresses of an interface as CIDR; empty when it does not exist. */
  addresses(netns: Ns, ifname: string, family?: 4 | 6): Promise<string[]>;
  /** IPv4 (default) or IPv6 neighbour entries of an interface; empty when it does not exist. */
  neighbours(netns: Ns, ifname: string, family?: 4 | 6): Promise<Neighbour[]>;
  /** `ip [-n ns] -batch -`; `force` runs every line after a failure and never throws. */
  batch(lines: readonly string[], opts?: { netns?: Ns; force?: boolean; timeout?: number }): Promise<void>;
  /** Runs jobs inside namespaces through one `xargs -P nsenter` fan-out. */
  inEachNetns(jobs: readonly NsJob[], opts?: { parallel?: number; tolerate?: boolean }): Promise<void>;
  /** argv running `argv` inside a namespace (`ip netns exec`), or as is in the root namespace. */
  argvIn(netns: Ns, argv: readonly string[]): Argv;
  /** Runs a command inside a namespace; throws E_CMD_FAILED on failure. */
  exec(netns: Ns, argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** Like exec() but never throws on a non-zero exit. */
  tryExec(netns: Ns, argv: readonly string[], opts?: RunOptions): Promise<RunResult>;

  // Failover and fault injection.
  /** `ip neigh replace <ip> lladdr <mac> dev <if> nud <state>`: a static-ish neighbour entry. */
  replaceNeighbour(netns: Ns, ifname: string, ip: string, mac: string, nud: 'reachable' | 'stale'): Promise<void>;
  /** `ip link add <if> type vxlan id <vni> local <a> remote <b> dstport <port> dev <dev>` (created down). */
  addVxlan(netns: Ns, ifname: string, v: VxlanSpec): Promise<void>;
  /** A Linux bridge device (`ip link add <if> type bridge`, created down). */
  addBridgeDevice(netns: Ns, ifname: string): Promise<void>;
}

/** A point-to-point VXLAN device: its VNI, the two VTEP addresses, the UDP port and the underlay device. */
export interface VxlanSpec {
  vni: number;
  local: string;
  remote: string;
  dstport: number;
  dev: string;
}

/** Where an ovs-vsctl call goes: another OVS instance's database, or one inside a namespace. */
export interface OvsTarget {
  netns?: string;
  /** Extra ovs-vsctl options, e.g. ['--db=unix:/run/ovs-ns1/db.sock']. */
  vsctl?: string[];
}

export interface OvsOps {
  /**
   * One ovs-vsctl transaction: `commands` are ovs-vsctl words with `--` between commands (the
   * form the batched plans build). `noWait`: commit without waiting for ovs-vswitchd. `bridge`:
   * the commands concern this bridge and its ports, so they go to the database that holds it.
   */
  transaction(
    commands: readonly string[],
    opts?: { timeout?: number; noWait?: boolean; at?: OvsTarget; bridge?: string },
  ): Promise<void>;
  /** Bridge name → its external_ids. */
  bridges(): Promise<Map<string, Record<string, string>>>;
  /** `ovs-vsctl list-br`. */
  bridgeNames(): Promise<string[]>;
  /** Deletes bridges if they exist (chunked transactions). */
  delBridges(names: readonly string[]): Promise<void>;
  /** Adds a port if missing, with Port columns such as 'tag=100' or 'vlan_mode=dot1q-tunnel'. */
  addPort(bridge: string, port: string, columns?: readonly string[], at?: OvsTarget): Promise<void>;
  /** Deletes a port if it exists; bridge null: from whichever bridge has it. */
  delPort(bridge: string | null, port: string, at?: OvsTarget): Promise<void>;
  setPort(port: string, columns: readonly string[]): Promise<void>;
  /** Clears one Port column (e.g. 'tag'); never throws. */
  clearPort(port: string, column: string): Promise<void>;
  /** The bridge a port is on, or null. */
  portBridge(port: string): Promise<string | null>;
  /** Open_vSwitch other_config:<key>=<value> (e.g. vlan-limit=2). */
  setOtherConfig(key: string, value: string, opts?: { timeout?: number }): Promise<void>;
  /**
   * Interface name → OpenFlow port number (ports without one yet are left out). `bridges`: ask
   * only where those bridges live (an emulated host's database, a switch on another machine, or
   * this machine's database only when one of them is this machine's); without it, everywhere.
   */
  ofports(bridges?: readonly string[]): Promise<Map<string, number>>;
  /**
   * Flow lines of a bridge as `ovs-ofctl dump-flows` prints them (reply headers dropped). A
   * failure throws, or gives null with `tolerate` (and for the other dumps).
   */
  dumpFlows(bridge: string, opts?: OfDumpOptions): Promise<string[] | null>;
  dumpGroups(bridge: string, opts?: OfOptions & { tolerate?: boolean }): Promise<string[] | null>;
  /** Raw `dump-meters` text. */
  dumpMeters(bridge: string, opts?: OfOptions & { tolerate?: boolean }): Promise<string | null>;
  /** Deletes every meter of a bridge (`del-meters`); `tolerate`: never throws. */
  delMeters(bridge: string, opts?: OfOptions & { tolerate?: boolean }): Promise<void>;
  /** add-meter or mod-meter (`modify`). */
  setMeter(bridge: string, meter: string, opts?: OfOptions & { modify?: boolean; tolerate?: boolean }): Promise<void>;
  /** Adds flows or groups from text; `tolerate`: never throws. */
  addFlows(bridge: string, flows: readonly string[], opts?: OfOptions & { tolerate?: boolean }): Promise<void>;
  addGroups(bridge: string, groups: readonly string[], opts?: OfOptions & { tolerate?: boolean }): Promise<void>;
  /** Replaces every flow of a bridge by `flows`. */
  replaceFlows(bridge: string, flows: readonly string[], opts?: OfOptions): Promise<void>;
  /** One atomic `ovs-ofctl bundle` (flow/group lines). */
  bundle(bridge: string, lines: string, opts?: OfOptions): Promise<void>;
  /** `ovs-ofctl diff-flows` of the bridge against `flows` ('-' and '+' lines). */
  diffFlows(bridge: string, flows: string, opts?: OfOptions): Promise<string[]>;
  /** `ovs-ofctl diff-flows` of two flow texts (a recorded dump against a plan): no switch is read. */
  diffFlowTexts(a: string, b: string, opts?: OfOptions): Promise<string[]>;
  /** One flow per bridge and line, through one `xargs -P ovs-ofctl` fan-out. */
  addFlowEach(items: readonly { bridge: string; flow: string }[]): Promise<void>;
  /**
   * `ovs-appctl <args>`; stdout. About a bridge of an emulated host (`bridge`, or one named in
   * `args`), it asks that host's ovs-vswitchd (`-t <its control socket>`).
   */
  appctl(args: readonly string[], opts?: { tolerate?: boolean; bridge?: string }): Promise<string>;
}

export interface OfOptions {
  /** OpenFlow version for -O (e.g. 'OpenFlow15'); none: ovs-ofctl's default. */
  version?: string;
}

export interface OfDumpOptions extends OfOptions {
  /** Port numbers instead of names (--no-names). */
  noNames?: boolean;
  /** Keep packet/byte counters (default: --no-stats). */
  stats?: boolean;
  tolerate?: boolean;
}

export interface OvsDaemonStatus {
  ovsdbServer: { pid: number | null; started: boolean };
  ovsVswitchd: { pid: number | null; started: boolean };
  /** What this call changed on the host, in words, each said once (empty when nothing changed). */
  hostChanges?: string[];
}

export interface OvsDaemonOps {
  /** Starts ovsdb-server and ovs-vswitchd if not running, and sets vlan-limit=2. */
  ensure(): Promise<OvsDaemonStatus>;
  livePid(name: 'ovsdb-server' | 'ovs-vswitchd'): number | null;
  /** Stops ovs-vswitchd (SIGTERM, SIGKILL after 15 s); returns the pid it had. */
  stopVswitchd(): Promise<number>;
  /** stopVswitchd() then ensure(); returns the old and new pid. */
  restartVswitchd(): Promise<{ oldPid: number; newPid: number | null }>;
  /**
   * An emulated host's own ovsdb-server and ovs-vswitchd, started inside `netns` with their
   * database, sockets, pidfiles and logs in `dir` (vlan-limit=2 set); their PIDs.
   */
  startAt(netns: string, dir: string): Promise<OwnedOvs>;
  /** Stops what startAt() started in `dir`, by the PIDs of its pidfiles; the PIDs it stopped. */
  stopAt(dir: string): Promise<number[]>;
}

export interface OwnedOvs {
  ovsdbServer: number;
  ovsVswitchd: number;
}

export interface TapOps {
  /** `alias`: the ifalias marker (`fabric-lab=<lab>`), so a lab's teardown finds the tap by it. */
  create(name: string, opts?: { netns?: string; mtu?: number; alias?: string }): Promise<void>;
  /** true when a tap was deleted. */
  delete(name: string, opts?: { netns?: string }): Promise<boolean>;
}

export interface KernelOps {
  /** tx checksum/segmentation offload off (`ethtool -K <if> tx off`) on each interface. */
  txOffloadOff(netns: Ns, ifnames: readonly string[]): Promise<void>;
  /** `sysctl -q -w key=value...` in a namespace. */
  sysctl(netns: Ns, settings: readonly string[]): Promise<void>;
  /** IPv6 off on root-namespace interfaces (writes their /proc/sys files). */
  disableIpv6Root(ifnames: readonly string[]): void;
  /** `tc qdisc replace dev <if> root <spec...>`. */
  setQdisc(netns: Ns, ifname: string, spec: readonly string[]): Promise<void>;
  /** `tc qdisc del dev <if> root`; never throws. */
  clearQdisc(netns: Ns, ifname: string): Promise<void>;
  /** Memory the machine can give new processes (MiB): MemAvailable, or FABRIC_MEM_AVAILABLE_MIB. */
  memAvailableMiB(): number;
}

/**
 * A link end seen from elsewhere: a stitched link end is captured on its host's underlay
 * interface, keeping only that link's VXLAN frames (UDP destination port and VNI).
 */
export interface CaptureVia {
  /** The namespace tcpdump runs in (the end's host) and the interface it opens there (the underlay). */
  netns: string;
  ifname: string;
  vxlan: { vni: number; dstPort: number };
}

/** Where tcpdump listens: an interface inside a namespace, or a root-namespace interface. */
export interface TcpdumpTarget {
  netns: string | null;
  ifname: string;
  hostIf: string | null;
  /** Capture there instead, filtered to the end's own frames. */
  via?: CaptureVia;
}

export interface TcpdumpOptions {
  snaplen?: number;
  /** Kernel capture buffer in KiB (`-B`, default 8192). */
  bufferKiB?: number;
  /** `-Q in|out|inout`; not used by default (tcpdump then sees both directions). */
  direction?: 'in' | 'out' | 'inout';
  tcpdump?: string;
  /** Optional BPF filter (argv words, never a shell string). */
  filter?: string[];
}

export interface TcpdumpOps {
  /** argv of a capturer writing `outFile` (validated; nothing runs). */
  argv(t: TcpdumpTarget, outFile: string, opts?: TcpdumpOptions): Argv;
  /** Copies the first `count` frames of a pcap file into another. */
  head(inFile: string, outFile: string, count: number): Promise<void>;
}

export interface ProcessOps {
  /** Runs a measurement command: output whatever the exit code, never throws. */
  probe(argv: Argv, timeoutMs: number): Promise<ProbeRun>;
  /**
   * Runs a generated host script with bash (`bash <file> <args...>`, argv only), e.g. the
   * bridges script `fabric generate` writes for containerlab users; E_CMD_FAILED on failure.
   */
  script(file: string, args: readonly string[], opts?: RunOptions): Promise<RunResult>;
}

/** Link-impairment mechanisms this machine has (probed on a scratch veth). */
export interface ImpairCaps {
  netem: boolean;
  tbf: boolean;
  htb: boolean;
  /** tc's police action (rate limiting by dropping). */
  police: boolean;
  vxlan: boolean;
  bridge: boolean;
  /** OpenFlow meters of the userspace datapath (false when ovs-vswitchd is not running). */
  ovsMeters: boolean;
  /** The node binary that runs the userspace relay. */
  node: string;
}

/** A process fabric started and stops by PID: the start time tells it from a recycled PID. */
export interface OwnedProcess {
  pid: number;
  start: string;
}

export interface ImpairHostOps {
  /** Probed once per process, in a throwaway namespace. */
  capabilities(): Promise<ImpairCaps>;
  /** `ip link set <if> netns <to> name <new>` (to null: the root namespace). */
  moveLink(from: Ns, ifname: string, to: Ns, newName: string): Promise<void>;
  /** A two-port Linux bridge that learns nothing (ageing 0), with its ports enslaved; created down. */
  addHubBridge(netns: Ns, ifname: string, ports: readonly string[]): Promise<void>;
  /** Starts a long-lived process in its own group, stdout and stderr appended to `logFile`. */
  spawnDetached(argv: Argv, logFile: string): OwnedProcess;
  isAlive(pid: number, start: string): boolean;
  /** SIGTERM, SIGKILL after the timeout; false when the process was already gone. */
  stop(pid: number, start: string, timeoutMs?: number): Promise<boolean>;
}

export interface HostNet {
  ip: IpOps;
  ovs: OvsOps;
  daemon: OvsDaemonOps;
  tap: TapOps;
  kernel: KernelOps;
  tcpdump: TcpdumpOps;
  proc: ProcessOps;
  impair: ImpairHostOps;
}
