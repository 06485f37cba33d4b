// The model behind FakeHostNet: namespaces, links, addresses, bridges with their ports and
// OpenFlow tables, the daemon's pids, and every call in order.
import { CommandError, formatCommand, type Argv, type ProbeRun, type RunResult } from './exec.js';
import type { LinkInfo, Neighbour, Ns } from './host-net.js';
import { argvIn } from './ip.js';

export const linkKey = (netns: Ns, ifname: string): string => `${netns ?? ''}/${ifname}`;
const key = linkKey;

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

/** The fake machine: what FakeHostNet's operations read and change, and the calls it saw. */
export class FakeState {
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
  /** What memAvailableMiB() answers: a roomy machine unless a test says otherwise. */
  memAvailableMiB = 8192;
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
}
