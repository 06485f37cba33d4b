// The HostNet that runs real commands on this machine.
import { run, runProbe } from './exec.js';
import type { HostNet } from './host-net.js';
import { realIp } from './ip.js';
import { realDaemon } from './ovs-daemon.js';
import { startOvsAt, stopOvsAt } from './ovs-host.js';
import { realOfctl } from './ovs-ofctl.js';
import { realVsctl } from './ovs-vsctl.js';
import { realImpair } from './impair.js';
import { realKernel } from './kernel.js';
import { realTap } from './tap.js';
import { realTcpdump } from './tcpdump.js';

export const realHostNet: HostNet = {
  ip: realIp,
  ovs: { ...realVsctl, ...realOfctl },
  daemon: { ...realDaemon, startAt: startOvsAt, stopAt: stopOvsAt },
  tap: realTap,
  kernel: realKernel,
  tcpdump: realTcpdump,
  proc: {
    probe: (argv, timeoutMs) => runProbe(argv.file, argv.args, timeoutMs),
    script: (file, args, opts) => run('bash', ['--', file, ...args], opts),
  },
  impair: realImpair,
};
