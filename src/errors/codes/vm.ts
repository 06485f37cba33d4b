// Codes of QEMU guests: the guest image, the QEMU process, QMP and the guest agent.
import type { ErrorInfo } from './info.js';

export const VM_CODES = {
  E_VM_SPEC: {
    summary: 'a VM specification QEMU would refuse (memory, CPUs, MAC, taps, kernel command line)',
    hint: 'the message names the field',
  },
  E_VM_NAME: {
    summary: 'a VM name outside its pattern',
    hint: 'lower-case letters, digits, - and _; at most 32 characters',
  },
  E_VM_IFNAME: {
    summary: 'a tap or interface name for a VM outside its pattern',
    hint: 'at most 15 characters from A-Z a-z 0-9 _ . -',
  },
  E_VM_RUNNING: {
    summary: 'a QEMU already runs in that run directory',
    hint: 'stop it first, or use another run directory',
  },
  E_VM_NOT_RUNNING: { summary: 'no QEMU runs in that run directory', hint: 'start it again' },
  E_VM_START: {
    summary: 'QEMU did not start, or exited right after start',
    hint: 'see console.log in the VM run directory',
  },
  E_VM_STOP: { summary: 'QEMU did not exit when stopped', hint: 'stop the PID named by hand' },
  E_VM_BOOT: {
    summary: 'the guest stopped before its QMP socket or agent answered',
    hint: 'see console.log in the VM run directory',
  },
  E_VM_QMP: {
    summary: 'cannot connect to QMP, or a QMP command failed',
    hint: 'see console.log in the VM run directory',
  },
  E_VM_QMP_CLOSED: { summary: 'the QMP connection is closed or was never opened', hint: 'is QEMU still running?' },
  E_VM_QMP_TIMEOUT: { summary: 'a QMP command got no reply in time', hint: 'is the host overloaded? try again' },
  E_VM_AGENT: {
    summary: 'cannot connect to the guest agent socket, or it is not connected',
    hint: 'see console.log in the VM run directory',
  },
  E_VM_AGENT_TIMEOUT: {
    summary: 'the guest agent did not answer in time',
    hint: 'the agent runs one command at a time; use `timeout N ...` in the guest for commands that may hang',
  },
  E_VM_GUEST_CMD: {
    summary: 'a command in the guest exited non-zero',
    hint: "the message carries the command's stderr",
  },
  E_VM_MIGRATE: {
    summary: 'a live migration failed or its target was not started with incoming',
    hint: 'the source keeps running; stop the target',
  },
  E_VM_HOST_PKG: {
    summary: 'a Debian package needed for the guest image is not installed',
    hint: 'run scripts/install-deps.sh as root',
  },
  E_VM_KERNEL_PKG: {
    summary: 'the guest kernel package cannot be identified or lacks its kernel',
    hint: 'apt-get update; apt-cache depends linux-image-amd64',
  },
  E_VM_KERNEL_DOWNLOAD: {
    summary: 'downloading the guest kernel package failed',
    hint: 'needs a Debian mirror in sources.list and apt-get update',
  },
  E_VM_MODULE_MISSING: {
    summary: 'a kernel module the guest needs is not in the kernel package',
    hint: 'check the module list (is it built in?)',
  },
  E_VM_MODULE_CYCLE: {
    summary: 'kernel modules depend on each other in a cycle',
    hint: 'check modules.dep of the kernel package',
  },
  E_VM_MODULE_COMPRESSED: {
    summary: 'a kernel module is compressed; busybox insmod loads uncompressed modules only',
    hint: 'use a kernel that ships uncompressed modules (Debian 12 does)',
  },
  E_VM_IMAGE: {
    summary: 'the guest image is incomplete after its build',
    hint: 'remove .cache/guest and build again (make guest)',
  },
} as const satisfies Record<string, ErrorInfo>;
