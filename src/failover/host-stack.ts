// The host stack of a traditional customer hypervisor (seed 000 FIG. 1-2, `virtualization:
// partial`): no virtual hypervisor, the physical hypervisor runs the customer VMs itself. Its
// vSwitch and VTEP live in the node's namespace (`<hv>-host`, on the hypervisor bridge's
// transport VLAN as an access port: the host kernel has no 8021q), and each customer VM is a
// namespace `clab-<lab>-<hv>-host-<system>` beside it on a veth (so `fabric down` removes it
// with the lab). A host failure is simulated by taking the host's bridge port down.
// Every command is an argv array; names and values are validated first.
import { FabricError } from '../errors/fabric-error.js';
import { run, tryRun } from '../hostnet/exec.js';
import { isIfName, isMac, netnsName } from '../names/index.js';
import { VTEP } from '../topology/hypervisors.js';
import { checkSystem, IPV4, type GuestVmView, type NeighEntry, type Segment } from './guest.js';
import type { SystemDef } from './layout.js';

export interface HostStack {
  lab: string;
  /** The host-stack node (`<hv>-host`). */
  node: string;
  /** Its port on the hypervisor bridge (root namespace): down = host failed. */
  port: string;
}

export const hostNetns = (h: HostStack): string => netnsName(h.lab, h.node);
export const customerNetns = (h: HostStack, system: string): string => netnsName(h.lab, `${h.node}-${system}`);

/** argv lists that build the host's vSwitch, VTEP and customer VMs (pure; unit-tested). */
export function hostStackCommands(h: HostStack, segs: Segment[], systems: SystemDef[]): string[][] {
  const H = hostNetns(h);
  const cmds: string[][] = [['ip', '-n', H, 'addr', 'replace', `${VTEP.guestIp}/${VTEP.prefix}`, 'dev', 'eth1']];
  for (const g of segs) {
    cmds.push(
      [
        'ip',
        '-n',
        H,
        'link',
        'add',
        `vx${g.vlan}`,
        'type',
        'vxlan',
        'id',
        String(g.vni),
        'local',
        VTEP.guestIp,
        'remote',
        VTEP.gatewayIp,
        'dstport',
        String(VTEP.dstport),
        'dev',
        'eth1',
      ],
      ['ip', '-n', H, 'link', 'add', `br${g.vlan}`, 'type', 'bridge'],
      ['ip', '-n', H, 'link', 'set', `vx${g.vlan}`, 'master', `br${g.vlan}`, 'up'],
      ['ip', '-n', H, 'link', 'set', `br${g.vlan}`, 'up'],
    );
  }
  systems.forEach((s, i) => {
    checkSystem(s);
    const C = customerNetns(h, s.name);
    const veth = `cv${i + 1}`;
    cmds.push(
      ['ip', 'netns', 'add', C],
      [
        'ip',
        'netns',
        'exec',
        C,
        'sysctl',
        '-q',
        '-w',
        'net.ipv6.conf.all.disable_ipv6=1',
        'net.ipv6.conf.default.disable_ipv6=1',
      ],
      ['ip', '-n', H, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth1', 'netns', C],
      ['ip', '-n', C, 'link', 'set', 'eth1', 'address', s.mac],
      ['ip', '-n', C, 'addr', 'add', s.ip, 'dev', 'eth1'],
      ['ip', '-n', C, 'link', 'set', 'lo', 'up'],
      ['ip', '-n', C, 'link', 'set', 'eth1', 'up'],
      // Partial checksums must not reach the OVS userspace datapath (docs/design-facts.md, checksum offload).
      ['ip', 'netns', 'exec', C, 'ethtool', '-K', 'eth1', 'tx', 'off'],
      ['ip', '-n', H, 'link', 'set', veth, 'master', `br${s.vlan}`, 'up'],
    );
  });
  return cmds;
}

/** Builds the host stack (after removing any earlier copy). */
export async function setupHostStack(h: HostStack, segs: Segment[], systems: SystemDef[]): Promise<void> {
  if (!isIfName(h.port)) throw new FabricError('E_FAILOVER_MODEL', `bad host port ${JSON.stringify(h.port)}`);
  await teardownHostStack(h, segs, systems);
  for (const c of hostStackCommands(h, segs, systems)) await run(c[0]!, c.slice(1));
}

/** Removes the customer VM namespaces and the host's vSwitch/VTEP (the runtime's eth1 stays). */
export async function teardownHostStack(h: HostStack, segs: Segment[], systems: SystemDef[]): Promise<void> {
  const H = hostNetns(h);
  for (const s of systems) {
    checkSystem(s);
    await tryRun('ip', ['netns', 'del', customerNetns(h, s.name)]);
  }
  for (const g of segs) {
    await tryRun('ip', ['-n', H, 'link', 'del', `br${g.vlan}`]);
    await tryRun('ip', ['-n', H, 'link', 'del', `vx${g.vlan}`]);
  }
  await tryRun('ip', ['-n', H, 'addr', 'del', `${VTEP.guestIp}/${VTEP.prefix}`, 'dev', 'eth1']);
  await tryRun('ip', ['link', 'set', h.port, 'up']);
}

/** Simulated host failure / return: the host's port on its hypervisor bridge down / up. */
export async function setHostUp(h: HostStack, up: boolean): Promise<void> {
  await run('ip', ['link', 'set', h.port, up ? 'up' : 'down']);
}

export async function hostIsUp(h: HostStack): Promise<boolean> {
  const r = await tryRun('ip', ['-j', 'link', 'show', h.port]);
  if (r.exitCode !== 0) return false;
  const [l] = JSON.parse(r.stdout) as { flags?: string[] }[];
  return !!l?.flags?.includes('UP');
}

/** Re-asserts each customer VM's attachment and announces it (unsolicited ARP). */
export async function reassertHostVms(h: HostStack, systems: SystemDef[]): Promise<void> {
  const H = hostNetns(h);
  for (const [i, s] of systems.entries()) {
    checkSystem(s);
    await run('ip', ['-n', H, 'link', 'set', `cv${i + 1}`, 'master', `br${s.vlan}`, 'up']);
    await tryRun(
      'ip',
      [
        'netns',
        'exec',
        customerNetns(h, s.name),
        'arping',
        '-U',
        '-c',
        '1',
        '-w',
        '1',
        '-I',
        'eth1',
        '-s',
        s.ip.split('/')[0]!,
        s.ip.split('/')[0]!,
      ],
      { timeout: 5000 },
    );
  }
}

/** What verify() reads: each customer VM's MAC, address and the bridge its veth is in. */
export async function inspectHostVms(h: HostStack, systems: SystemDef[]): Promise<GuestVmView[]> {
  const H = hostNetns(h);
  const out: GuestVmView[] = [];
  for (const [i, s] of systems.entries()) {
    checkSystem(s);
    const C = customerNetns(h, s.name);
    const link = await tryRun('ip', ['-n', C, '-j', 'link', 'show', 'eth1']);
    const addr = await tryRun('ip', ['-n', C, '-j', '-4', 'addr', 'show', 'eth1']);
    const veth = await tryRun('ip', ['-n', H, '-j', 'link', 'show', `cv${i + 1}`]);
    const l = link.exitCode === 0 ? (JSON.parse(link.stdout) as { address?: string }[])[0] : undefined;
    const a =
      addr.exitCode === 0
        ? (JSON.parse(addr.stdout) as { addr_info?: { local: string; prefixlen: number }[] }[])[0]?.addr_info?.[0]
        : undefined;
    const v = veth.exitCode === 0 ? (JSON.parse(veth.stdout) as { master?: string }[])[0] : undefined;
    out.push({
      name: s.name,
      mac: l?.address ?? '',
      ip: a ? `${a.local}/${a.prefixlen}` : '',
      master: v?.master ?? null,
    });
  }
  return out;
}

/** Resolved IPv4 neighbours of each customer VM (what a planned move carries over). */
export async function hostNeighbours(h: HostStack, systems: SystemDef[]): Promise<NeighEntry[]> {
  const out: NeighEntry[] = [];
  for (const s of systems) {
    checkSystem(s);
    const r = await tryRun('ip', ['-n', customerNetns(h, s.name), '-j', '-4', 'neigh', 'show', 'dev', 'eth1']);
    if (r.exitCode !== 0) continue;
    for (const n of JSON.parse(r.stdout || '[]') as { dst?: string; lladdr?: string }[]) {
      if (n.dst && n.lladdr && isMac(n.lladdr.toLowerCase()))
        out.push({ vm: s.name, ip: n.dst, mac: n.lladdr.toLowerCase() });
    }
  }
  return out;
}

/** Installs carried neighbour entries as STALE in the customer VMs. */
export async function restoreHostNeighbours(h: HostStack, systems: SystemDef[], entries: NeighEntry[]): Promise<void> {
  const names = new Set(systems.map((s) => s.name));
  for (const e of entries) {
    if (!names.has(e.vm) || !IPV4.test(e.ip) || !isMac(e.mac))
      throw new FabricError('E_FAILOVER_MODEL', `neighbour entry refused: ${JSON.stringify(e)}`);
    await run('ip', [
      '-n',
      customerNetns(h, e.vm),
      'neigh',
      'replace',
      e.ip,
      'lladdr',
      e.mac,
      'dev',
      'eth1',
      'nud',
      'stale',
    ]);
  }
}
