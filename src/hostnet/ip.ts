// `ip`: namespaces, links, veths, addresses, neighbours and batches. Reads use `ip -j` (JSON);
// writes take validated names only and argv arrays, never a shell string.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, tryRun, type Argv, type RunOptions, type RunResult } from './exec.js';
import { nsPath, xargsRun } from './fan-out.js';
import { FabricError } from '../errors/fabric-error.js';
import { guardIfname, guardNetns } from './guard.js';
import type { IpOps, LinkAttrs, LinkInfo, Neighbour, Ns, NsJob, VethEnd, VxlanSpec } from './host-net.js';

interface IpLinkJson {
  ifname: string;
  ifalias?: string;
  flags?: string[];
  operstate?: string;
  address?: string;
  mtu?: number;
  master?: string;
}

/** `-n <ns>` before an `ip` subcommand, or nothing for the root namespace. */
export function nsArgs(netns: Ns): string[] {
  return netns ? ['-n', guardNetns(netns)] : [];
}

export function toLinkInfo(l: IpLinkJson): LinkInfo {
  const out: LinkInfo = { ifname: l.ifname, up: l.flags?.includes('UP') ?? false, operstate: l.operstate ?? '?' };
  if (l.ifalias !== undefined) out.alias = l.ifalias;
  if (l.address !== undefined) out.mac = l.address;
  if (l.mtu !== undefined) out.mtu = l.mtu;
  if (l.master !== undefined) out.master = l.master;
  return out;
}

function parseLinks(text: string): LinkInfo[] {
  const t = text.trim();
  return t ? (JSON.parse(t) as IpLinkJson[]).map(toLinkInfo) : [];
}

export async function listNetns(): Promise<Set<string>> {
  const r = await run('ip', ['-j', 'netns', 'list']);
  const text = r.stdout.trim();
  if (!text) return new Set();
  return new Set((JSON.parse(text) as { name: string }[]).map((n) => n.name));
}

export async function batch(
  lines: readonly string[],
  opts: { netns?: Ns; force?: boolean; timeout?: number } = {},
): Promise<void> {
  if (!lines.length) return;
  const input = lines.join('\n') + '\n';
  const timeout = opts.timeout ?? 600_000;
  const ns = nsArgs(opts.netns ?? null);
  if (opts.force) await tryRun('ip', [...ns, '-force', '-batch', '-'], { input, timeout });
  else await run('ip', [...ns, '-batch', '-'], { input, timeout });
}

/**
 * Every namespace's interfaces (one `ip -all netns exec`, read-only): namespace → interface
 * name → ifalias. Used by re-deploys and teardown of everything.
 */
export async function linksInAllNetns(): Promise<Map<string, Map<string, string | undefined>>> {
  const r = await tryRun('ip', ['-all', 'netns', 'exec', 'ip', '-j', 'link', 'show']);
  return parseAllNsLinks(r.stdout);
}

export function parseAllNsLinks(text: string): Map<string, Map<string, string | undefined>> {
  const out = new Map<string, Map<string, string | undefined>>();
  for (const block of ('\n' + text).split('\nnetns: ').slice(1)) {
    const nl = block.indexOf('\n');
    const name = (nl < 0 ? block : block.slice(0, nl)).trim();
    const json = nl < 0 ? '' : block.slice(nl + 1).trim();
    const links = new Map<string, string | undefined>();
    if (json.startsWith('[')) {
      try {
        for (const l of JSON.parse(json) as IpLinkJson[]) links.set(l.ifname, l.ifalias);
      } catch {
        /* a namespace that vanished mid-listing: treat as empty */
      }
    }
    out.set(name, links);
  }
  return out;
}

function linkSetArgs(ifname: string, a: LinkAttrs): string[] {
  const out = ['link', 'set', 'dev', guardIfname(ifname)];
  if (a.address !== undefined) out.push('address', a.address);
  if (a.mtu !== undefined) out.push('mtu', String(a.mtu));
  if (a.master !== undefined) out.push('master', guardIfname(a.master));
  if (a.alias !== undefined) out.push('alias', a.alias);
  if (a.up !== undefined) out.push(a.up ? 'up' : 'down');
  return out;
}

function vethEndArgs(e: VethEnd): string[] {
  const out = ['name', guardIfname(e.ifname)];
  if (e.mac) out.push('address', e.mac);
  if (e.mtu !== undefined) out.push('mtu', String(e.mtu));
  if (e.netns) out.push('netns', guardNetns(e.netns));
  return out;
}

const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;

/** `id <vni> local <a> remote <b> dstport <port> dev <dev>`, every value checked. */
export function vxlanArgs(v: VxlanSpec): string[] {
  const int = (n: number, max: number) => Number.isInteger(n) && n >= 0 && n <= max;
  if (!int(v.vni, 0xffffff) || !int(v.dstport, 65535) || !IPV4.test(v.local) || !IPV4.test(v.remote))
    throw new FabricError('E_BAD_NAME', `refusing VXLAN device ${JSON.stringify(v)}`);
  const [vni, port] = [String(v.vni), String(v.dstport)];
  return ['id', vni, 'local', v.local, 'remote', v.remote, 'dstport', port, 'dev', guardIfname(v.dev)];
}

/** Writes each namespace's batch to a file and runs every job through one nsenter fan-out. */
export async function inEachNetns(
  jobs: readonly NsJob[],
  opts: { parallel?: number; tolerate?: boolean } = {},
): Promise<void> {
  if (!jobs.length) return;
  const dir = jobs.some((j) => j.kind === 'ip-batch') ? await mkdtemp(join(tmpdir(), 'fabric-ns-')) : null;
  try {
    const lines: string[] = [];
    let n = 0;
    for (const j of jobs) {
      const net = `--net=${nsPath(guardNetns(j.netns))}`;
      if (j.kind === 'ip-batch') {
        const file = join(dir!, `${n++}-${j.netns}.batch`);
        await writeFile(file, j.lines.join('\n') + '\n');
        lines.push(`${net} ip -batch ${file}`);
      } else if (j.kind === 'sysctl') lines.push([net, 'sysctl', '-q', '-w', ...j.settings].join(' '));
      else lines.push(`${net} ethtool -K ${guardIfname(j.ifname)} tx off`);
    }
    await xargsRun(['nsenter'], lines, opts);
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

export function argvIn(netns: Ns, argv: readonly string[]): Argv {
  if (argv.length === 0) throw new RangeError('empty argv');
  if (netns) return { file: 'ip', args: ['netns', 'exec', guardNetns(netns), ...argv] };
  return { file: argv[0]!, args: argv.slice(1) };
}

export const realIp: IpOps = {
  listNetns,
  addNetns: (names) => batch(names.map((n) => `netns add ${guardNetns(n)}`)),
  delNetns: (names) =>
    batch(
      names.map((n) => `netns delete ${guardNetns(n)}`),
      { force: true },
    ),
  async links(netns) {
    return parseLinks((await run('ip', [...nsArgs(netns), '-j', 'link', 'show'])).stdout);
  },
  async link(netns, ifname) {
    const r = await tryRun('ip', [...nsArgs(netns), '-j', 'link', 'show', 'dev', guardIfname(ifname)]);
    if (r.exitCode !== 0) return null;
    try {
      return parseLinks(r.stdout)[0] ?? null;
    } catch {
      return null;
    }
  },
  linksInAllNetns,
  async setLink(netns, ifname, attrs) {
    await run('ip', [...nsArgs(netns), ...linkSetArgs(ifname, attrs)]);
  },
  async addVeth(a, b, inNs = null) {
    await run('ip', [...nsArgs(inNs), 'link', 'add', ...vethEndArgs(a), 'type', 'veth', 'peer', ...vethEndArgs(b)]);
  },
  async delLink(netns, ifname) {
    return (await tryRun('ip', [...nsArgs(netns), 'link', 'del', guardIfname(ifname)])).exitCode === 0;
  },
  async addAddress(netns, ifname, cidr, opts = {}) {
    await run('ip', [...nsArgs(netns), 'addr', opts.replace ? 'replace' : 'add', cidr, 'dev', guardIfname(ifname)]);
  },
  async delAddress(netns, ifname, cidr) {
    return (await tryRun('ip', [...nsArgs(netns), 'addr', 'del', cidr, 'dev', guardIfname(ifname)])).exitCode === 0;
  },
  async addresses(netns, ifname, family = 4) {
    const r = await tryRun('ip', [...nsArgs(netns), '-j', `-${family}`, 'addr', 'show', guardIfname(ifname)]);
    if (r.exitCode !== 0 || !r.stdout.trim()) return [];
    const j = JSON.parse(r.stdout) as { addr_info?: { local: string; prefixlen: number }[] }[];
    return (j[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
  },
  async neighbours(netns, ifname, family = 4) {
    const r = await tryRun('ip', [...nsArgs(netns), '-j', `-${family}`, 'neigh', 'show', 'dev', guardIfname(ifname)]);
    if (r.exitCode !== 0 || !r.stdout.trim()) return [];
    const j = JSON.parse(r.stdout) as { dst: string; lladdr?: string; state?: string[] }[];
    return j.map((n): Neighbour => ({ ip: n.dst, ...(n.lladdr ? { mac: n.lladdr } : {}), state: n.state ?? [] }));
  },
  batch,
  inEachNetns,
  argvIn,
  exec: (netns: Ns, argv: readonly string[], opts?: RunOptions): Promise<RunResult> => {
    const a = argvIn(netns, argv);
    return run(a.file, a.args, opts);
  },
  tryExec: (netns: Ns, argv: readonly string[], opts?: RunOptions): Promise<RunResult> => {
    const a = argvIn(netns, argv);
    return tryRun(a.file, a.args, opts);
  },

  // Failover and fault injection.
  async replaceNeighbour(netns, ifname, ip, mac, nud) {
    if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(ip) || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac))
      throw new FabricError('E_BAD_NAME', `refusing neighbour ${JSON.stringify(ip)} → ${JSON.stringify(mac)}`);
    const dev = guardIfname(ifname);
    await run('ip', [...nsArgs(netns), 'neigh', 'replace', ip, 'lladdr', mac, 'dev', dev, 'nud', nud]);
  },
  async addVxlan(netns, ifname, v) {
    await run('ip', [...nsArgs(netns), 'link', 'add', guardIfname(ifname), 'type', 'vxlan', ...vxlanArgs(v)]);
  },
  async addBridgeDevice(netns, ifname) {
    await run('ip', [...nsArgs(netns), 'link', 'add', guardIfname(ifname), 'type', 'bridge']);
  },
};
