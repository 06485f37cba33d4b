// Codes of the tag plan and of programming it into Open vSwitch.
import type { ErrorInfo } from './info.js';

export const TAGGING_CODES = {
  E_PLAN_TOPOLOGY: {
    summary: 'the lab model lacks a link or path the tag plan needs (access switch, DC fabric link, long-haul path)',
    hint: 'regenerate the lab model (fabric generate); keep one path per pair of datacenters',
  },
  E_TAG_EXHAUSTED: {
    summary: 'no host tag, customer tag or MPLS label left to allocate',
    hint: 'declare host_tag / customer_tags values, or reduce the number of sites or tenant VLANs',
  },
  E_TAG_RANGE: {
    summary: 'a tag is not a usable VLAN ID or MPLS label',
    hint: 'VLAN IDs 1..4094 (0 and 4095 are reserved); MPLS labels from 16 (0..15 are reserved)',
  },
  E_MTU_BUDGET: {
    summary: "a link's MTU is below what a client packet needs with the tags of its link class",
    hint: 'regenerate the lab so link MTUs follow the budget (fabric plan shows it)',
  },
  E_VXLAN_PORT: {
    summary: 'the provider VXLAN uses a UDP port other than 4789',
    hint: 'use 4789; Linux defaults to 8472, which decoders do not bind to VXLAN',
  },
  E_MODULE_DUP: { summary: 'a tag module is registered twice', hint: 'register each tag module once (a bug)' },
  E_MODULE_MISSING: {
    summary: 'a tag module requires a module that is not registered',
    hint: 'register the required module, or fix the `requires` list',
  },
  E_MODULE_CYCLE: {
    summary: 'tag modules require each other in a cycle',
    hint: 'break the cycle in the `requires` lists',
  },
  E_PORT_MISSING: {
    summary: 'a bridge has no OpenFlow port for an interface the plan uses',
    hint: 'the lab is not fully deployed: run fabric up again',
  },
} as const satisfies Record<string, ErrorInfo>;
