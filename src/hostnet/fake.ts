// A HostNet for unit tests: records every call (`calls`, in order) and keeps a small model of the
// machine (namespaces, links, addresses, bridges, ports, flows, the daemon's pid) so logic that
// reads back what it changed (a fault that downs a link and checks it, a failover that moves a
// port) runs unchanged without root. `failWith` makes chosen operations throw.
export { FakeState, type FakeBridge, type FakeCall } from './fake-state.js';
import type {
  HostNet,
  ImpairCaps,
  ImpairHostOps,
  IpOps,
  KernelOps,
  OvsDaemonOps,
  OvsOps,
  ProcessOps,
  TapOps,
  TcpdumpOps,
} from './host-net.js';
import { fakeIp } from './fake-ip.js';
import { FakeState, linkKey as key } from './fake-state.js';
import { fakeOvs } from './fake-ovs.js';
import { tcpdumpArgv } from './tcpdump.js';

export class FakeHostNet extends FakeState implements HostNet {
  readonly ip: IpOps = fakeIp(this);
  readonly ovs: OvsOps = fakeOvs(this);

  readonly daemon: OvsDaemonOps = fakeDaemon(this);

  readonly tap: TapOps = fakeTap(this);

  readonly kernel: KernelOps = fakeKernel(this);

  readonly tcpdump: TcpdumpOps = fakeTcpdump(this);

  readonly proc: ProcessOps = fakeProc(this);

  /** What capabilities() answers: this machine's kernel (no netem) unless a test says otherwise. */
  caps: ImpairCaps = {
    netem: false,
    tbf: true,
    htb: true,
    police: false,
    vxlan: true,
    bridge: true,
    ovsMeters: true,
    node: 'node',
  };
  /** PIDs fakeImpair started and has not stopped. */
  readonly running = new Set<number>();

  readonly impair: ImpairHostOps = fakeImpair(this);
}

function fakeImpair(self: FakeHostNet): ImpairHostOps {
  return {
    async capabilities() {
      return { ...self.caps };
    },
    async moveLink(from, ifname, to, newName) {
      self.record('impair.moveLink', [from, ifname, to, newName]);
      const l = self.links.get(key(from, ifname));
      self.links.delete(key(from, ifname));
      self.addLink(to, newName, { ...(l ?? {}), ifname: newName });
    },
    async addHubBridge(netns, ifname, ports) {
      self.record('impair.addHubBridge', [netns, ifname, ports]);
      self.addLink(netns, ifname, {});
    },
    spawnDetached(argv, logFile) {
      self.record('impair.spawnDetached', [argv, logFile]);
      const pid = nextPid();
      self.running.add(pid);
      return { pid, start: `t${pid}` };
    },
    isAlive: (pid) => self.running.has(pid),
    async stop(pid) {
      self.record('impair.stop', [pid]);
      return self.running.delete(pid);
    },
  };
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
    async startAt(netns, dir) {
      self.record('daemon.startAt', [netns, dir]);
      return { ovsdbServer: nextPid(), ovsVswitchd: nextPid() };
    },
    async stopAt(dir) {
      self.record('daemon.stopAt', [dir]);
      return [];
    },
  };
  return ops;
}

function fakeTap(self: FakeHostNet): TapOps {
  return {
    async create(name, opts = {}) {
      self.record('tap.create', [name, opts]);
      self.addLink(opts.netns ?? null, name, {
        ...(opts.mtu ? { mtu: opts.mtu } : {}),
        ...(opts.alias ? { alias: opts.alias } : {}),
      });
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
    memAvailableMiB() {
      return self.memAvailableMiB;
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
    async script(file, args) {
      self.record('proc.script', [file, ...args]);
      return { command: ['bash', file, ...args].join(' '), stdout: '', stderr: '', exitCode: 0 };
    },
  };
}
