// QEMU's command line: the VM spec, its run-directory paths, the kernel command line, the argv
// (checked values only, never a shell), and the spec of a live-migration target.
import { join } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import { AGENT_PORT_NAME } from './guest-scripts.js';
import { macFor, checkIfName, checkVmName } from '../names/index.js';

export const QEMU_BINARY = 'qemu-system-x86_64';

export type Accel = 'tcg' | 'kvm';

export interface NicSpec {
  /** Tap device (≤ 15 chars). Create it first (createTap) in the namespace QEMU runs in. */
  tap: string;
  /** Default: macFor(vm name, index), identical on a migration target. */
  mac?: string;
}

export interface VmSpec {
  /** Identity of the guest (hostname, MACs); stays the same across migration. */
  name: string;
  kernel: string;
  initrd: string;
  /** Per-process directory for qmp.sock, agent.sock, console.log, qemu.pid. Must differ between source and target. */
  runDir: string;
  memoryMiB?: number;
  cpus?: number;
  accel?: Accel;
  nics?: NicSpec[];
  /** Extra kernel command line words, e.g. fabric.ip=10.0.0.2/24. */
  append?: string[];
  /** -S: CPUs stopped until `cont` (the guest has not booted yet). */
  startPaused?: boolean;
  /** Migration target: -incoming <uri> (unix:/path or tcp:127.0.0.1:port). */
  incoming?: string;
  /** Network namespace to start QEMU in (where its taps live): `ip netns exec <ns>`. */
  netns?: string;
}

export const DEFAULT_MEMORY_MIB = 96;

/**
 * TCG's translation cache (MiB). QEMU's default is 1 GiB, filled before it is flushed: a guest
 * that keeps running new processes (every failover stages scripts in it) grows its QEMU by about
 * 16 MiB per cycle towards that, far beyond the overhead the memory check budgets. The busybox
 * guests' working set of translated code fits in a fraction of this.
 */
export const TCG_TB_SIZE_MIB = 64;
/**
 * Debian's 6.1 kernel does not get past its own decompressor below ~80 MiB (QEMU exits at once,
 * silently, with -no-reboot: measured 64 and 72 fail, 80 boots), so smaller sizes are refused.
 */
export const MIN_MEMORY_MIB = 80;

export function vmPaths(runDir: string): {
  qmp: string;
  agent: string;
  console: string;
  pidfile: string;
  migrate: string;
} {
  return {
    qmp: join(runDir, 'qmp.sock'),
    agent: join(runDir, 'agent.sock'),
    console: join(runDir, 'console.log'),
    pidfile: join(runDir, 'qemu.pid'),
    migrate: join(runDir, 'migrate.sock'),
  };
}

function checkOptValue(what: string, v: string): string {
  // QEMU's option parser splits on ','; a path or name containing one would change the meaning.
  if (v.includes(',') || v.includes('\n'))
    throw new FabricError('E_VM_SPEC', `${what} must not contain ',' or a newline: ${JSON.stringify(v)}`);
  return v;
}

/** The kernel command line for a guest. */
export function kernelCmdline(spec: Pick<VmSpec, 'name' | 'append'>): string {
  const words = ['console=ttyS0', 'quiet', 'panic=-1', `fabric.hostname=${spec.name}`, ...(spec.append ?? [])];
  for (const w of words)
    if (/[\s"]/.test(w) || w === '')
      throw new FabricError('E_VM_SPEC', `bad kernel command line word ${JSON.stringify(w)}`);
  return words.join(' ');
}

/**
 * QEMU's argv (without the binary). Serial 0 is the kernel console (a file); the agent is a
 * virtio-serial port on a unix socket QEMU listens on, QMP on a second unix socket.
 * -daemonize + -pidfile: QEMU detaches once it is set up, so start errors still reach us and the PID is in a file.
 */
export function buildQemuArgs(spec: VmSpec): string[] {
  checkVmName(spec.name);
  const p = vmPaths(spec.runDir);
  for (const [k, v] of Object.entries({ kernel: spec.kernel, initrd: spec.initrd, runDir: spec.runDir }))
    checkOptValue(k, v);
  const mem = spec.memoryMiB ?? DEFAULT_MEMORY_MIB;
  if (!Number.isInteger(mem) || mem < MIN_MEMORY_MIB || mem > 4096)
    throw new FabricError('E_VM_SPEC', `memoryMiB ${mem} out of ${MIN_MEMORY_MIB}..4096`, {
      hint: 'the Debian kernel needs about 80 MiB to decompress itself',
    });
  const cpus = spec.cpus ?? 1;
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 8) throw new FabricError('E_VM_SPEC', `cpus ${cpus} out of 1..8`);
  const args = [
    '-name',
    `${spec.name},process=qemu-${spec.name}`,
    '-machine',
    'pc',
    '-accel',
    (spec.accel ?? 'tcg') === 'tcg' ? `tcg,tb-size=${TCG_TB_SIZE_MIB}` : 'kvm',
    '-m',
    String(mem),
    '-smp',
    String(cpus),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-no-reboot',
    '-kernel',
    spec.kernel,
    '-initrd',
    spec.initrd,
    '-append',
    kernelCmdline(spec),
    '-chardev',
    `file,id=con0,path=${p.console}`,
    '-serial',
    'chardev:con0',
    // The agent rides a virtio-serial port, not a UART: CI once saw a UART agent go silent for
    // good after live migration (suspect: the 16550's transmit retry, re-armed at load only if the
    // target's chardev is connected). Virtqueues migrate with their state, and the guest's writes
    // block while no host is connected instead of being dropped. See docs/vm.md.
    '-device',
    'virtio-serial-pci,id=vser0,romfile=',
    '-chardev',
    `socket,id=agent0,path=${p.agent},server=on,wait=off`,
    '-device',
    `virtserialport,bus=vser0.0,nr=1,chardev=agent0,name=${AGENT_PORT_NAME}`,
    '-qmp',
    `unix:${p.qmp},server=on,wait=off`,
    '-pidfile',
    p.pidfile,
    '-daemonize',
  ];
  (spec.nics ?? []).forEach((nic, i) => {
    checkIfName(nic.tap, 'E_VM_IFNAME');
    const mac = nic.mac ?? macFor(spec.name, i);
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) throw new FabricError('E_VM_SPEC', `bad MAC ${mac}`);
    // csum/guest_csum off: the guest computes checksums itself; partial checksums through a tap
    // into the OVS userspace datapath arrive broken (the same trap as veth offload, docs/design-facts.md).
    // romfile= : no iPXE option ROM needed for direct kernel boot.
    args.push('-netdev', `tap,id=net${i},ifname=${nic.tap},script=no,downscript=no`);
    args.push('-device', `virtio-net-pci,netdev=net${i},mac=${mac},csum=off,guest_csum=off,romfile=`);
  });
  if (spec.startPaused) args.push('-S');
  if (spec.incoming) {
    if (!/^(unix:\/[^,\s]+|tcp:127\.0\.0\.1:\d{1,5})$/.test(spec.incoming))
      throw new FabricError('E_VM_SPEC', `unsupported incoming URI ${spec.incoming}`, {
        hint: 'unix:/path or tcp:127.0.0.1:<port>',
      });
    args.push('-incoming', spec.incoming);
  }
  return args;
}

/**
 * Whether a running guest's RAM may be copied while its CPUs keep running (pre-copy). Only under
 * KVM: QEMU 7.2's TCG (Debian 12) loses guest stores made during pre-copy. Its dirty-bitmap sync
 * clears a page's migration bit without invalidating the TCG TLB entries that already write that
 * page on the fast path, so later writes through those entries mark nothing dirty and never reach
 * the target (fixed upstream in QEMU 9.0, where further such races were reported). Guests then
 * died right after a migration with corrupted slab freelists or wild jumps in softirqs, with and
 * without the tb-size cap (docs/vm.md). A TCG guest is therefore stopped for the copy.
 */
export function precopyWhileRunning(spec: Pick<VmSpec, 'accel'>): boolean {
  return (spec.accel ?? 'tcg') === 'kvm';
}

/** The spec for a migration target of `source`: same guest, new runDir, taps, listening on a unix socket. */
export function migrationTargetSpec(source: VmSpec, runDir: string, taps: readonly string[]): VmSpec {
  const nics = source.nics ?? [];
  if (taps.length !== nics.length)
    throw new FabricError('E_VM_SPEC', `target needs ${nics.length} taps, got ${taps.length}`);
  if (runDir === source.runDir) throw new FabricError('E_VM_SPEC', 'migration target needs its own run directory');
  return {
    ...source,
    runDir,
    startPaused: false,
    nics: nics.map((n, i) => ({ tap: taps[i]!, mac: n.mac ?? macFor(source.name, i) })),
    incoming: `unix:${vmPaths(runDir).migrate}`,
  };
}
