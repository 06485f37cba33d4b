// Taps for QEMU NICs. A tap is created persistent (ip tuntap add) in the namespace of the OVS
// instance that owns the bridge, and put up; QEMU then opens it by name. Persistent taps outlive
// QEMU, so they are deleted explicitly.
import { run, tryRun } from './exec.js';
import { guardIfname } from './guard.js';
import type { TapOps } from './host-net.js';
import { nsArgs } from './ip.js';
import { portNetns } from './ovs-sites.js';

export const realTap: TapOps = {
  async create(name, opts = {}) {
    guardIfname(name);
    const ipArgs = nsArgs(opts.netns ?? portNetns(name));
    await run('ip', [...ipArgs, 'tuntap', 'add', 'dev', name, 'mode', 'tap']);
    const mtu = opts.mtu ? ['mtu', String(opts.mtu)] : [];
    const alias = opts.alias ? ['alias', opts.alias] : [];
    await run('ip', [...ipArgs, 'link', 'set', 'dev', name, ...mtu, ...alias, 'up']);
  },
  async delete(name, opts = {}) {
    const r = await tryRun('ip', [
      ...nsArgs(opts.netns ?? portNetns(guardIfname(name))),
      'tuntap',
      'del',
      'dev',
      guardIfname(name),
      'mode',
      'tap',
    ]);
    return r.exitCode === 0;
  },
};
