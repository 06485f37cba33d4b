// A HostNet for unit tests: records every call (`calls`, in order) and keeps a small model of the
// machine (namespaces, links, addresses, bridges, ports, flows, the daemon's pid) so logic that
// reads back what it changed (a fault that downs a link and checks it, a failover that moves a
// port) runs unchanged without root. `failWith` makes chosen operations throw.
import { CommandError, formatCommand, type Argv, type ProbeRun, type RunResult } from './exec.js';
import type {
  HostNet,
  IpOps,
  KernelOps,
  LinkInfo,
  Neighbour,
  Ns,
  OvsDaemonOps,
  OvsOps,
  ProcessOps,
  TapOps,
  TcpdumpOps,
} from './host-net.js';
import { argvIn } from './ip.js';
import { fakeIp, linkKey as key } from './fake-ip.js';
import { fakeOvs } from './fake-ovs.js';
import { tcpdumpArgv } from './tcpdump.js';

export interface FakeCall {
  /** `<group>.<method>`, e.g. 'ip.setLink' or 'ovs.addPort'. */
  op: string;
  args: unknown[];
}

export interface FakeBridge {
  externalIds: Record<string, string>;
  /** port → its Port columns ('tag=100', ...). */
  ports: Map<string, string[]>;
  flows: string[];
  groups: string[];
  meters: string[];
}

const ok = (command: string, stdout = ''): RunResult => ({ command, exitCode: 0, stdout, stderr: '' });

export class FakeHostNet implements HostNet {
  readonly calls: FakeCall[] = [];
  readonly netns = new Set<string>();
  /** `<netns or ''>/<ifname>` → link. */
  readonly links = new Map<string, LinkInfo>();
  /** `<netns or ''>/<ifname>` → CIDR addresses. */
  readonly addrs = new Map<string, string[]>();
  readonly neigh = new Map<string, Neighbour[]>();
  readonly bridgeTable = new Map<string, FakeBridge>();
  readonly otherConfig = new Map<string, string>();
  readonly sysctls = new Map<string, string>();
  readonly qdiscs = new Map<string, string[]>();
  pids = { 'ovsdb-server': 100 as number | null, 'ovs-vswitchd': 200 as number | null };
  /** What a probe (ping, ...) returns; default: exit 0, no output. */
  probeResult: (argv: Argv) => ProbeRun = (a) => ({ ...ok(formatCommand(a.file, a.args)), timedOut: false });
  /** Answer of exec()/tryExec() inside a namespace; default: exit 0, no output. */
  execResult: (netns: Ns, argv: readonly string[]) => RunResult = (n, argv) => {
    const a = argvIn(n, argv);
    return ok(formatCommand(a.file, a.args));
  };
  private failures: { op: string; when: (args: unknown[]) => boolean; err: () => Error }[] = [];

  /** Makes `op` throw (E_CMD_FAILED by default) when `when(args)` holds. */
  failWith(op: string, when: (args: unknown[]) => boolean = () => true, err?: () => Error): this {
    this.failures.push({ op, when, err: err ?? (() => new CommandError(`fake ${op}`, 1, 'injected failure')) });
    return this;
  }

  /** Calls of one operation (or of every operation with the given group prefix, e.g. 'ovs.'). */
  callsOf(op: string): unknown[][] {
    return this.calls.filter((c) => (op.endsWith('.') ? c.op.startsWith(op) : c.op === op)).map((c) => c.args);
  }

  /** Adds an interface to the model (as a deploy would have). */
  addLink(netns: Ns, ifname: string, info: Partial<LinkInfo> = {}): LinkInfo {
    if (netns) this.netns.add(netns);
    const l: LinkInfo = { ifname, up: true, operstate: 'UP', ...info };
    this.links.set(key(netns, ifname), l);
    return l;
  }

  addBridge(name: string, externalIds: Record<string, string> = {}): FakeBridge {
    const b: FakeBridge = { externalIds, ports: new Map(), flows: [], groups: [], meters: [] };
    this.bridgeTable.set(name, b);
    return b;
  }

  record(op: string, args: unknown[]): void {
    this.calls.push({ op, args });
    for (const f of this.failures) if (f.op === op && f.when(args)) throw f.err();
  }

  bridge(name: string): FakeBridge {
    const b = this.bridgeTable.get(name);
    if (!b) throw new CommandError(`ovs-ofctl ${name}`, 1, `ovs-ofctl: ${name} is not a bridge or a socket`);
    return b;
  }

  portOwner(port: string): string | null {
    for (const [n, b] of this.bridgeTable) if (b.ports.has(port)) return n;
    return null;
  }

  readonly ip: IpOps = fakeIp(this);
  readonly ovs: OvsOps = fakeOvs(this);

  readonly daemon: OvsDaemonOps = fakeDaemon(this);

  readonly tap: TapOps = fakeTap(this);

  readonly kernel: KernelOps = fakeKernel(this);

  readonly tcpdump: TcpdumpOps = fakeTcpdump(this);

  readonly proc: ProcessOps = fakeProc(this);
}

let pidSeq = 300;
function nextPid(): number {
  return pidSeq++;
}

function fakeDaemon(self: FakeHostNet): OvsDaemonOps {
  const ops: OvsDaemonOps = {
    async ensure() {
      self.record('daemon.ensure', []);
      const started = self.pids['ovs-vswitchd'] === null;
      const dbStarted = self.pids['ovsdb-server'] === null;
      if (dbStarted) self.pids['ovsdb-server'] = 100;
      if (started) self.pids['ovs-vswitchd'] = nextPid();
      self.otherConfig.set('vlan-limit', '2');
      return {
        ovsdbServer: { pid: self.pids['ovsdb-server'], started: dbStarted },
        ovsVswitchd: { pid: self.pids['ovs-vswitchd'], started },
      };
    },
    livePid: (name) => self.pids[name],
    async stopVswitchd() {
      self.record('daemon.stopVswitchd', []);
      const pid = self.pids['ovs-vswitchd'];
      if (pid === null) throw new Error('no live ovs-vswitchd behind its pidfile');
      self.pids['ovs-vswitchd'] = null;
      // A restarted datapath has no flows: OpenFlow state lives in ovs-vswitchd.
      for (const b of self.bridgeTable.values()) {
        b.flows = [];
        b.groups = [];
        b.meters = [];
      }
      return pid;
    },
    async restartVswitchd() {
      const oldPid = await this.stopVswitchd();
      await this.ensure();
      return { oldPid, newPid: self.pids['ovs-vswitchd'] };
    },
  };
  return ops;
}

function fakeTap(self: FakeHostNet): TapOps {
  return {
    async create(name, opts = {}) {
      self.record('tap.create', [name, opts]);
      self.addLink(opts.netns ?? null, name, opts.mtu ? { mtu: opts.mtu } : {});
    },
    async delete(name, opts = {}) {
      self.record('tap.delete', [name, opts]);
      return self.links.delete(key(opts.netns ?? null, name));
    },
  };
}

function fakeKernel(self: FakeHostNet): KernelOps {
  return {
    async txOffloadOff(netns, ifnames) {
      self.record('kernel.txOffloadOff', [netns, ifnames]);
    },
    async sysctl(netns, settings) {
      self.record('kernel.sysctl', [netns, settings]);
      for (const s of settings) self.sysctls.set(`${netns ?? ''}/${s.split('=')[0]}`, s.split('=')[1] ?? '');
    },
    disableIpv6Root(ifnames) {
      self.record('kernel.disableIpv6Root', [ifnames]);
    },
    async setQdisc(netns, ifname, spec) {
      self.record('kernel.setQdisc', [netns, ifname, spec]);
      self.qdiscs.set(key(netns, ifname), [...spec]);
    },
    async clearQdisc(netns, ifname) {
      self.record('kernel.clearQdisc', [netns, ifname]);
      self.qdiscs.delete(key(netns, ifname));
    },
  };
}

function fakeTcpdump(self: FakeHostNet): TcpdumpOps {
  return {
    argv: tcpdumpArgv,
    async head(inFile, outFile, count) {
      self.record('tcpdump.head', [inFile, outFile, count]);
    },
  };
}

function fakeProc(self: FakeHostNet): ProcessOps {
  return {
    async probe(argv, timeoutMs) {
      self.record('proc.probe', [argv, timeoutMs]);
      return self.probeResult(argv);
    },
  };
}
