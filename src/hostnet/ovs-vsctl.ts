// ovs-vsctl: the OVS database (bridges, ports, their columns, global options). Every call passes
// --timeout so a stuck ovsdb-server fails the command instead of hanging the fabric.
import { FabricError } from '../errors/fabric-error.js';
import { run, tryRun } from './exec.js';
import { guardIfname, guardNetns, guardOvsName } from './guard.js';
import type { OvsOps, OvsTarget } from './host-net.js';
import { isElsewhere, notePort, ofctlArgv, ovsSite, portSite, remoteSwitches, siteDbs } from './ovs-sites.js';

const COLUMN = /^[a-z_:-]+=[A-Za-z0-9_.:,[\]-]*$/;

function checkColumn(c: string): string {
  if (!COLUMN.test(c)) {
    throw new FabricError('E_BAD_NAME', `bad OVS port column ${JSON.stringify(c)}`, {
      hint: 'columns are written as key=value, e.g. tag=100 or vlan_mode=trunk',
    });
  }
  return c;
}

/** Runs ovs-vsctl with a --timeout (seconds); the process gets 50 s more before it is killed. */
async function vsctl(args: readonly string[], timeoutS = 600): Promise<string> {
  return (await run('ovs-vsctl', [`--timeout=${timeoutS}`, ...args], { timeout: timeoutS * 1000 + 50_000 })).stdout;
}

/** ovs-vsctl at another instance (extra options, or inside a namespace). */
async function vsctlAt(at: OvsTarget, args: readonly string[]): Promise<void> {
  const argv = ['ovs-vsctl', ...(at.vsctl ?? []), ...args];
  if (at.netns) await run('ip', ['netns', 'exec', guardNetns(at.netns), ...argv]);
  else await run(argv[0]!, argv.slice(1));
}

/** `--db=` of the emulated host holding a bridge (or a port's bridge); nothing for this machine's. */
const bridgeDb = (bridge: string | null | undefined): string[] => {
  const s = bridge ? ovsSite(bridge) : undefined;
  return s ? [`--db=${s.db}`] : [];
};
const portDb = (port: string): string[] => {
  const s = portSite(port);
  return s ? [`--db=${s.db}`] : [];
};
/** A target naming no other instance goes to the bridge's own (an emulated host's, or this machine's). */
const orBridge = (at: OvsTarget, db: string[]): OvsTarget => (at.netns || at.vsctl ? at : { vsctl: db });

/** Parses `ovs-vsctl --format=json` map cells: ["map", [[k, v], ...]]. */
export function ovsMap(cell: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(cell) && cell[0] === 'map' && Array.isArray(cell[1])) {
    for (const kv of cell[1] as unknown[]) if (Array.isArray(kv)) out[String(kv[0])] = String(kv[1]);
  }
  return out;
}

/** Parses `--format=csv --no-headings --columns=name,ofport list Interface`. */
export function parseOfports(csv: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of csv.split('\n')) {
    const [name, port] = line.split(',');
    if (name && port && Number(port) > 0) m.set(name.replace(/^"|"$/g, ''), Number(port));
  }
  return m;
}

/** `ovs-ofctl dump-ports-desc` lines ` 3(name): addr:...` as name → number (LOCAL left out). */
export function parsePortsDesc(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^\s*(\d+)\(([^)\s]+)\):/gm)) out.set(m[2]!, Number(m[1]));
  return out;
}

export const realVsctl: Pick<
  OvsOps,
  | 'transaction'
  | 'bridges'
  | 'bridgeNames'
  | 'delBridges'
  | 'addPort'
  | 'delPort'
  | 'setPort'
  | 'clearPort'
  | 'portBridge'
  | 'setOtherConfig'
  | 'ofports'
> = {
  async transaction(commands, opts = {}) {
    if (!commands.length) return;
    const at = opts.at?.vsctl ?? bridgeDb(opts.bridge);
    await vsctl([...at, ...(opts.noWait ? ['--no-wait'] : []), ...commands], opts.timeout);
  },
  async bridges() {
    const out = await vsctl(['--format=json', '--columns=name,external_ids', 'list', 'Bridge'], 30);
    const doc = JSON.parse(out) as { data: [string, unknown][] };
    return new Map(doc.data.map(([name, ids]) => [String(name), ovsMap(ids)]));
  },
  async bridgeNames() {
    return (await run('ovs-vsctl', ['list-br'])).stdout
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
  },
  async delBridges(names) {
    // Chunks of 25 keep each transaction (and ovs-vswitchd's reconfiguration) short.
    for (let i = 0; i < names.length; i += 25) {
      await vsctl(names.slice(i, i + 25).flatMap((b) => ['--', '--if-exists', 'del-br', guardOvsName(b)]));
    }
  },
  async addPort(bridge, port, columns = [], at = {}) {
    guardIfname(port);
    columns.forEach(checkColumn);
    notePort(bridge, port);
    await vsctlAt(orBridge(at, bridgeDb(bridge)), [
      '--may-exist',
      'add-port',
      guardOvsName(bridge),
      port,
      ...(columns.length ? ['--', 'set', 'Port', port, ...columns] : []),
    ]);
  },
  async delPort(bridge, port, at = {}) {
    guardIfname(port);
    await vsctlAt(orBridge(at, bridge === null ? portDb(port) : bridgeDb(bridge)), [
      '--if-exists',
      'del-port',
      ...(bridge === null ? [] : [guardOvsName(bridge)]),
      port,
    ]);
  },
  async setPort(port, columns) {
    columns.forEach(checkColumn);
    await run('ovs-vsctl', [...portDb(guardIfname(port)), 'set', 'Port', port, ...columns]);
  },
  async clearPort(port, column) {
    await tryRun('ovs-vsctl', [...portDb(guardIfname(port)), 'clear', 'Port', port, column]);
  },
  async portBridge(port) {
    const r = await tryRun('ovs-vsctl', [...portDb(guardIfname(port)), 'port-to-br', port]);
    const br = r.stdout.trim();
    return r.exitCode === 0 && br ? br : null;
  },
  async setOtherConfig(key, value, opts = {}) {
    await vsctl(['set', 'Open_vSwitch', '.', `other_config:${key}=${value}`], opts.timeout ?? 600);
  },
  async ofports(bridges) {
    // Ports of emulated hosts' bridges sit in those hosts' databases (names are unique per lab).
    const args = ['--format=csv', '--no-headings', '--columns=name,ofport', 'list', 'Interface'];
    const others = bridges ? [...new Set(bridges.flatMap((b) => ovsSite(b)?.db ?? []))] : siteDbs();
    const far = remoteSwitches().filter((r) => !bridges || bridges.includes(r.bridge));
    // A split lab's bridges are all elsewhere: this machine's OVS need not even run.
    const local = !bridges || bridges.some((b) => !isElsewhere(b));
    const out = new Map<string, number>();
    if (local) {
      const mine = others.length || far.length ? await tryRun('ovs-vsctl', args) : await run('ovs-vsctl', args);
      for (const [k, v] of parseOfports(mine.exitCode === 0 ? mine.stdout : '')) out.set(k, v);
    }
    for (const db of others)
      for (const [k, v] of parseOfports((await run('ovs-vsctl', [`--db=${db}`, ...args])).stdout)) out.set(k, v);
    // A switch on another machine has no database here: its ports are asked over OpenFlow.
    for (const r of far) {
      const a = ofctlArgv(r.bridge, (t) => ['-O', 'OpenFlow15', 'dump-ports-desc', t]);
      for (const [k, v] of parsePortsDesc((await run(a.file, a.args)).stdout)) out.set(k, v);
    }
    return out;
  },
};
