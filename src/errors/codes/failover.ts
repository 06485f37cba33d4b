// Codes of failover between nested hypervisors.
import type { ErrorInfo } from './info.js';

export const FAILOVER_CODES = {
  E_FAILOVER_USAGE: {
    summary: 'fabric failover was not told what to do',
    hint: 'give --setup, --trigger T --host H, --failback, --status or --teardown',
  },
  E_FAILOVER_TRIGGER: { summary: 'an unknown --trigger', hint: 'triggers: failure, maintenance, capacity' },
  E_FAILOVER_HOST: {
    summary: 'an unknown hypervisor, or one that hosts no customer site',
    hint: 'the message lists the hypervisors and the sites they hold',
  },
  E_FAILOVER_CAPACITY: {
    summary: 'no inactive pool VM left on an HA hypervisor of that DC',
    hint: 'fail back first (fabric failover <lab> --failback), or give an HA hypervisor a larger pool',
  },
  E_FAILOVER_BUSY: {
    summary: "another failover, fail-back or setup holds the lab's lock",
    hint: 'wait for it to finish; a stale lock is removed once its process is gone',
  },
  E_FAILOVER_NO_HYPERVISORS: {
    summary: 'the lab declares no virtual hypervisors',
    hint: 'add a hypervisors: section (docs/failover.md)',
  },
  E_FAILOVER_NOT_SETUP: {
    summary: 'the lab has no virtual hypervisors running',
    hint: 'fabric failover <lab> --setup',
  },
  E_FAILOVER_SETUP: {
    summary: 'the lab already has virtual hypervisors',
    hint: 'fabric failover <lab> --teardown first',
  },
  E_FAILOVER_NOTHING: {
    summary: 'nothing to fail back: every site is on its home hypervisor',
    hint: 'trigger a failover first',
  },
  E_FAILOVER_GUEST: {
    summary: 'a virtual hypervisor is not running or has no QEMU record',
    hint: 'tear down and set up again: fabric failover <lab> --teardown, --setup',
  },
  E_GUEST_BOOT: {
    summary: 'a virtual hypervisor did not boot at setup; everything started was stopped',
    hint: 'see console.log in its run directory',
  },
  E_FAILOVER_VERIFY: {
    summary: 'a VM is not where, or not as, the model says after a move',
    hint: 'fabric failover <lab> --status shows the placement',
  },
  E_FAILOVER_PROBE: {
    summary: 'the failover probe cannot run as asked (bounds, unresolved MAC, capture point, file)',
    hint: 'the message names what is missing; lower --probe seconds or the rate if too many frames',
  },
  E_FAILOVER_MODEL: {
    summary: 'the lab model lacks what failover needs (a node, port, MAC, VLAN or site in the plan)',
    hint: 'declare the MACs of customer VMs in fabric.yml and regenerate the lab',
  },
  E_VMS_NOT_ANSWERING: {
    summary: 'after fabric up booted the virtual hypervisors, a customer VM did not answer a client of its tenant',
    hint: 'the lab and its guests stay up: fabric failover status <lab>, fabric test <lab>, or capture the taps',
  },
} as const satisfies Record<string, ErrorInfo>;
