// Codes of scale-out generation: the hosts file, the placement of a lab on several hosts, and the
// clabernetes Topology. Problems are collected and located before any file is written.
import type { ErrorInfo } from './info.js';

export const SCALEOUT_CODES = {
  E_HOSTS_FILE: {
    summary: 'the hosts file cannot be read, or its shape is wrong (no `hosts:` list, an unknown key, a wrong type)',
    hint: 'write `hosts:` as a list of { name, address, capacity?, mtu?, mgmt? } (docs/scale-out.md)',
  },
  E_HOST_DUP: {
    summary: 'the hosts file names one host (or one address) twice',
    hint: 'give every host its own name and address',
  },
  E_HOST_ADDRESS: {
    summary:
      'a host address that is not a unicast IPv4 address (multicast, broadcast, loopback, 0.0.0.0/8, reserved, a name)',
    hint: 'write the IPv4 address the other hosts reach this one at, e.g. 192.0.2.10',
  },
  E_HOST_CAPACITY: {
    summary: 'the lab does not fit the capacity the hosts file gives',
    hint: 'raise a capacity, drop it (an even share), or add a host; a node weighs 1, a QEMU guest 100',
  },
  E_HOST_MTU: {
    summary: "a host's underlay MTU cannot carry a stitched link with its 50-byte VXLAN header",
    hint: 'raise the MTU of the network between the hosts (and `mtu:` in the hosts file), e.g. to 9000',
  },
  E_TLS_NO_MGMT: {
    summary: '`fabric generate --tls` for a hosts file where no host has a management address (no listener to secure)',
    hint: 'give the hosts their address on the lab management network (mgmt: in the hosts file), or drop --tls',
  },
  E_SWITCH_UNREACHABLE: {
    summary:
      'a switch of the lab has no OpenFlow listener on the hosts file given (its host has no management address)',
    hint: 'give every host that runs switches its management address (mgmt: in the hosts file)',
  },
  E_PKI: {
    summary: "the lab's PKI (CA, switch and controller certificates for ssl:/pssl: OpenFlow) could not be made",
    hint: 'openssl comes with openvswitch-common (apt-get install openssl); check that the output folder is writable',
  },
  E_C9S_GUEST_IMAGE: {
    summary: 'a lab with QEMU guests (generic_vm) asked for clabernetes while its guest image is not packaged for it',
    hint: 'run the lab with containerlab on hosts (--hosts) or with fabric up, or drop the hypervisors from the lab',
  },
  E_C9S_REFUSED: {
    summary:
      'the generated clabernetes definition holds something clabernetes refuses (a pseudo-node kind, a typed link)',
    hint: 'this is a generator bug: report it with the lab file',
  },
  E_C9S_INVALID: {
    summary: "the generated clabernetes Topology violates clabernetes' CRD schema (schemas/c9s.run_topologies.yaml)",
    hint: 'this is a generator bug: report it with the lab file',
  },
} as const satisfies Record<string, ErrorInfo>;
