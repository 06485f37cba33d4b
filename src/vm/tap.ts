// Taps for QEMU NICs. A tap is created persistent (ip tuntap add) in the namespace of the OVS
// instance that owns the bridge, put up, and attached to the bridge as an ordinary port; QEMU
// then opens it by name. Persistent taps outlive QEMU, so we delete them ourselves.
import { run, tryRun } from '../hostnet/exec.js';
import { validateIfName } from './names.js';

function ns(netns: string | undefined, argv: string[]): [string, string[]] {
  return netns ? ['ip', ['netns', 'exec', netns, ...argv]] : [argv[0]!, argv.slice(1)];
}

export async function createTap(name: string, opts: { netns?: string; mtu?: number } = {}): Promise<void> {
  validateIfName(name);
  const ipArgs = opts.netns ? ['-n', opts.netns] : [];
  await run('ip', [...ipArgs, 'tuntap', 'add', 'dev', name, 'mode', 'tap']);
  if (opts.mtu) await run('ip', [...ipArgs, 'link', 'set', 'dev', name, 'mtu', String(opts.mtu)]);
  await run('ip', [...ipArgs, 'link', 'set', 'dev', name, 'up']);
}

/** Deletes a tap if it exists; true when one was deleted. */
export async function deleteTap(name: string, opts: { netns?: string } = {}): Promise<boolean> {
  validateIfName(name);
  const ipArgs = opts.netns ? ['-n', opts.netns] : [];
  const r = await tryRun('ip', [...ipArgs, 'tuntap', 'del', 'dev', name, 'mode', 'tap']);
  return r.exitCode === 0;
}

/**
 * Adds a tap to an OVS bridge, with optional Port columns (e.g. ['tag=100'] or
 * ['vlan_mode=dot1q-tunnel', 'tag=100']). `vsctl` lets a caller point at another OVS instance
 * (e.g. ['--db=unix:/run/ovs-ns1/db.sock']).
 */
export async function ovsAddPort(
  bridge: string,
  port: string,
  columns: readonly string[] = [],
  opts: { netns?: string; vsctl?: string[] } = {},
): Promise<void> {
  validateIfName(port);
  for (const c of columns)
    if (!/^[a-z_:-]+=[A-Za-z0-9_.:,-]+$/.test(c)) throw new Error(`bad OVS port column ${JSON.stringify(c)}`);
  const [f, a] = ns(opts.netns, [
    'ovs-vsctl',
    ...(opts.vsctl ?? []),
    '--may-exist',
    'add-port',
    bridge,
    port,
    ...(columns.length ? ['--', 'set', 'Port', port, ...columns] : []),
  ]);
  await run(f, a);
}

export async function ovsDelPort(
  bridge: string,
  port: string,
  opts: { netns?: string; vsctl?: string[] } = {},
): Promise<void> {
  validateIfName(port);
  const [f, a] = ns(opts.netns, ['ovs-vsctl', ...(opts.vsctl ?? []), '--if-exists', 'del-port', bridge, port]);
  await run(f, a);
}
