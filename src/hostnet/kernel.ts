// Per-interface kernel settings: offloads (ethtool), sysctls and queueing disciplines (tc).
// Checksum offload trap (docs/design-facts.md): the fabric turns tx checksum offload off on every
// veth end, or UDP and TCP fail across the OVS userspace datapath with bad checksums.
import { readFileSync, writeFileSync } from 'node:fs';
import { run, tryRun } from './exec.js';
import { xargsRun } from './fan-out.js';
import { guardIfname } from './guard.js';
import type { KernelOps, Ns } from './host-net.js';
import { argvIn } from './ip.js';

const SYSCTL = /^[A-Za-z0-9_./-]+=[A-Za-z0-9_.:-]*$/;

function inNs(netns: Ns, argv: string[], tolerate = false): Promise<unknown> {
  const a = argvIn(netns, argv);
  return tolerate ? tryRun(a.file, a.args) : run(a.file, a.args);
}

export const realKernel: KernelOps = {
  async txOffloadOff(netns, ifnames) {
    if (netns === null) {
      // Root namespace: one xargs fan-out over every interface.
      await xargsRun(
        ['ethtool'],
        ifnames.map((n) => `-K ${guardIfname(n)} tx off`),
      );
      return;
    }
    for (const n of ifnames) await inNs(netns, ['ethtool', '-K', guardIfname(n), 'tx', 'off']);
  },
  async sysctl(netns, settings) {
    for (const s of settings) if (!SYSCTL.test(s)) throw new RangeError(`bad sysctl setting ${JSON.stringify(s)}`);
    if (settings.length) await inNs(netns, ['sysctl', '-q', '-w', ...settings]);
  },
  disableIpv6Root(ifnames) {
    for (const i of ifnames) {
      try {
        writeFileSync(`/proc/sys/net/ipv6/conf/${guardIfname(i)}/disable_ipv6`, '1');
      } catch {
        /* no IPv6 on this kernel/interface: nothing to disable */
      }
    }
  },
  async setQdisc(netns, ifname, spec) {
    await inNs(netns, ['tc', 'qdisc', 'replace', 'dev', guardIfname(ifname), 'root', ...spec]);
  },
  async clearQdisc(netns, ifname) {
    await inNs(netns, ['tc', 'qdisc', 'del', 'dev', guardIfname(ifname), 'root'], true);
  },
  memAvailableMiB() {
    const set = process.env.FABRIC_MEM_AVAILABLE_MIB;
    if (set !== undefined && /^\d+$/.test(set.trim())) return Number(set.trim());
    return memAvailableOf(readFileSync('/proc/meminfo', 'utf8'));
  },
};

/** MemAvailable of a /proc/meminfo text in MiB (MemFree on kernels without it). */
export function memAvailableOf(meminfo: string): number {
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(meminfo)?.[1] ?? NaN);
  const v = kb('MemAvailable');
  return Math.floor((Number.isNaN(v) ? kb('MemFree') : v) / 1024);
}
