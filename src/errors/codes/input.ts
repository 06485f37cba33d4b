// Codes of the lab file stages (load, validate, resolve, generate): collected as located
// diagnostics so a user fixes a lab file in one pass.
import type { ErrorInfo } from './info.js';

export const INPUT_CODES = {
  E_YAML_SYNTAX: {
    summary: 'the file is not valid YAML (indentation, tabs, unclosed brackets, runaway aliases)',
    hint: 'fix the YAML at the line and column shown',
  },
  E_DUP_KEY: { summary: 'a key appears twice in one YAML map', hint: 'merge or rename the two keys' },
  E_SCHEMA_REQUIRED: { summary: 'a required field is missing', hint: 'add the field named in the message' },
  E_SCHEMA_UNKNOWN_FIELD: {
    summary: 'a field the lab format does not know (a typo?)',
    hint: 'the message lists the fields allowed at that place',
  },
  E_SCHEMA_TYPE: {
    summary: 'a value of the wrong type (e.g. a string where an integer belongs)',
    hint: 'write a value of the type named',
  },
  E_SCHEMA_ENUM: {
    summary: 'a value outside its list (site type, link class, node role)',
    hint: 'use one of the values listed',
  },
  E_SCHEMA_COUNT: {
    summary: 'too few or too many items (e.g. `between` needs exactly 2)',
    hint: 'give the number of items named',
  },
  E_SCHEMA_VALUE: {
    summary: 'a value outside its bounds or pattern',
    hint: 'see schemas/fabric.schema.json and docs/lab-format.md',
  },
  E_SCHEMA: { summary: 'any other schema violation', hint: 'see schemas/fabric.schema.json and docs/lab-format.md' },
  E_BAD_NAME: {
    summary: 'a lab, node, namespace, bridge or interface name outside its pattern',
    hint: 'names match [a-z][a-z0-9-]* (interfaces [a-zA-Z][a-zA-Z0-9_-]*); shell metacharacters never pass',
  },
  E_NAME_TOO_LONG: {
    summary: 'a lab name over 20, a name over 32, or an interface or bridge name over 15 characters',
    hint: 'shorten the name; Linux interface names have at most 15 characters',
  },
  E_NAME_COLLISION: {
    summary: 'two root-namespace names (bridges, ports, host interfaces) of a lab are equal',
    hint: "rename the node or its `bridge:` attribute; the root namespace's names are machine-wide",
  },
  E_VLAN_RANGE: { summary: 'a VLAN or tag outside 1..4094', hint: 'use 1..4094; 0 and 4095 are reserved' },
  E_BAD_IP: {
    summary: 'not an IPv4 address with prefix, or the network or broadcast address of its subnet',
    hint: 'write a host address with its prefix, e.g. 10.20.30.10/24',
  },
  E_BAD_MAC: {
    summary: 'not six hex octets, a multicast MAC, or the all-zero MAC',
    hint: 'use a unicast, locally administered MAC such as 02:00:00:00:00:10',
  },
  E_BAD_SUBNET: {
    summary: 'the provider subnet is too small for two routers, or has host bits set',
    hint: 'use a /30 or /31 point-to-point subnet written as its network address',
  },
  E_MTU_RANGE: { summary: 'an MTU out of range', hint: 'see docs/lab-format.md for the allowed MTUs' },
  E_DUP_NODE: {
    summary: 'two nodes (generated or extra) get the same name',
    hint: 'node names are unique in a lab; rename the extra node',
  },
  E_DUP_NAME: {
    summary: 'a duplicate site (in a tenant), system (in a site) or hypervisor name',
    hint: 'names are unique within their parent',
  },
  E_DUP_IP: { summary: 'the same address twice in one tenant VLAN', hint: 'addresses are unique inside one L2 domain' },
  E_DUP_MAC: {
    summary: 'the same MAC twice in one tenant',
    hint: 'MACs are unique inside a tenant; the same MAC in another tenant is fine',
  },
  E_DUP_INTERCONNECT: {
    summary: 'a dedicated line between the same two DCs declared twice',
    hint: 'declare each dedicated line once',
  },
  E_DUP_PATH: {
    summary: 'a long-haul path between the same two DCs declared twice',
    hint: 'declare each long-haul path once',
  },
  E_SELF_LINK: {
    summary: 'an interconnect or long-haul path from a DC to itself',
    hint: 'join two different datacenters',
  },
  E_LONG_HAUL_ROLE: {
    summary: 'a DC is the outbound end of one long-haul path and the inbound end of another',
    hint: 'the first DC of `between` is outbound; keep each DC on one side',
  },
  E_TAG_COLLISION: {
    summary: 'declared fabric tags collide (between tenants, between VLANs of a tenant, DC tags)',
    hint: 'give a site another host_tag, a tenant another customer tag, or a DC its own dc_tag',
  },
  E_UNKNOWN_VLAN: {
    summary: '`customer_tags` names a VLAN no system of the tenant uses',
    hint: "the message lists the tenant's own VLANs",
  },
  E_UNKNOWN_DC: {
    summary: 'a reference to an undeclared datacenter',
    hint: 'the message lists the declared datacenters',
  },
  E_UNKNOWN_TENANT: {
    summary: 'an extra node names an undeclared tenant',
    hint: 'the message lists the declared tenants',
  },
  E_UNKNOWN_KIND: {
    summary: '`kind:` is not a registered kind',
    hint: 'use a canonical containerlab kind name; short aliases such as srl are refused',
  },
  E_KIND_ATTR: {
    summary: 'an attribute the kind does not accept, of the wrong type, or missing (generic_vm `image`)',
    hint: 'the message lists the attributes the kind accepts',
  },
  E_LINK_ENDPOINT: {
    summary: 'a link endpoint is not `node:interface`',
    hint: 'write endpoints as <node>:<interface>, e.g. red-c1-h1:eth2 or dc1-sw:p9',
  },
  E_IMPAIR_VALUE: {
    summary: 'an impair value that does not parse or is out of bounds (delay, jitter, loss, rate, duplicate, reorder)',
    hint: 'durations like 20ms, percentages like 1%, rates like 100mbit; jitter at most the delay (docs/impairment.md)',
  },
  E_IMPAIR_RUNTIME: {
    summary: 'a lab with impair blocks deployed on a runtime that cannot impair links (only netns can)',
    hint: 'deploy with the default netns runtime, or remove the impair blocks',
  },
  E_IMPAIR_LINK: {
    summary: 'an impair block names no link of the lab, or two blocks land on one link with different values',
    hint: 'fabric status <lab> and fabric plan list the link ids; a long-haul path impairs its outbound PE uplink',
  },
  E_LINK_UNKNOWN_NODE: {
    summary: 'a link endpoint names a node that does not exist',
    hint: 'link to a generated node or declare it under extra_nodes',
  },
  E_LINK_UNKNOWN_IF: {
    summary: "an interface the node's kind cannot have (eth0, or `eth1` on an OVS bridge)",
    hint: 'use eth1 or higher on containers, p<N> on bridges',
  },
  E_IF_IN_USE: {
    summary: 'an interface already carries a link',
    hint: 'an interface carries one link; pick a free one',
  },
  E_TOO_BIG: {
    summary: 'an intent larger than the limits (4 MiB, 20,000 nodes), refused before it is parsed',
    hint: 'split the lab (docs/lab-format.md, Limits)',
  },
  E_NOT_UTF8: {
    summary: 'the file is not UTF-8 text (UTF-16, NUL bytes, Latin-1 bytes)',
    hint: 'save fabric.yml as UTF-8',
  },
  E_TOO_DEEP: {
    summary: 'brackets or indentation nested more than 64 levels deep',
    hint: 'an intent needs 3 or 4 levels; close the brackets you opened',
  },
  E_DC_TWO_PATHS: {
    summary: 'a pair of datacenters joined both by a dedicated line and by a long-haul path',
    hint: 'keep one path per pair of datacenters',
  },
  E_DC_ISOLATED: {
    summary: 'a datacenter holding sites joined to no other, while other datacenters hold sites',
    hint: 'join it by a dedicated line or a long-haul path, or move its sites',
  },
  E_TENANT_NO_PATH: {
    summary: 'a tenant VLAN has sites in datacenters that no chain of lines and paths joins',
    hint: 'join the datacenters, or move the site',
  },
  E_HV_MAC: {
    summary: 'a system of a site hosted on a hypervisor (a customer VM) without a declared MAC',
    hint: 'declare mac: on every system of a hosted site (it survives failover)',
  },
  E_HV_TYPE: { summary: 'a hypervisor of unknown `type`', hint: 'types: customer, ha' },
  E_HV_POOL: {
    summary: "a hypervisor's inactive pool size out of range",
    hint: 'pool is 0..4 paused QEMU guests of 96 MiB each',
  },
  E_HV_HOSTS: {
    summary: 'a customer hypervisor without exactly one site, or an HA hypervisor with `hosts`',
    hint: 'one customer hypervisor hosts one tenant site; HA hypervisors receive sites by failover',
  },
  E_HV_VIRT: {
    summary: '`virtualization` other than full or partial, or given on an HA hypervisor',
    hint: 'customer hypervisors take full or partial; HA hypervisors take none',
  },
  E_HV_SITE: {
    summary: 'a hosted site that is unknown, in another DC, or hosted twice',
    hint: 'write hosts as tenant/site: a site of the same DC, hosted once',
  },
  E_HV_VLAN: {
    summary: "a hosted site on VLAN 4000, the hypervisors' VXLAN transport VLAN",
    hint: "move the site's systems to another own VLAN",
  },
  E_HV_MEMORY: {
    summary: "the lab's QEMU guests (virtual hypervisors and inactive pools) do not fit the machine's available memory",
    hint: 'shrink the pools, free memory, or use a bigger machine; the message prints the estimate',
  },
  E_HV_MIRRORS: {
    summary: '`mirrors:` on a customer hypervisor, or an HA hypervisor that mirrors nothing it can',
    hint: 'mirrors: belongs to HA hypervisors and names a customer hypervisor (of any DC)',
  },
  E_HV_NO_PATH: {
    summary:
      'an HA hypervisor in a DC that no chain of lines and long-haul paths joins to the DCs of the site it mirrors',
    hint: "join the HA hypervisor's DC to the site's DCs, or put the HA hypervisor in one of them",
  },
  E_INVALID: {
    summary: 'a stage found one or more problems (listed above it)',
    hint: 'fix every problem listed, then run the command again',
  },
  E_LAB_NOT_FOUND: {
    summary: 'the lab file cannot be read, or the lab is not deployed',
    hint: 'give labs/<lab>/fabric.yml or the name of a deployed lab (fabric up first)',
  },
  E_BAD_MODEL_FILE: {
    summary: 'the file given as a lab model is not one',
    hint: 'write one with fabric generate --model',
  },
  E_CLAB_SCHEMA_MISSING: {
    summary: "containerlab's schema is not where fabric reads it (schemas/clab.schema.json)",
    hint: 'the repository ships it as schemas/clab.schema.json: restore it (or set FABRIC_CLAB_SCHEMA)',
  },
  E_CLAB_INVALID: {
    summary: "the generated containerlab topology violates containerlab's schema",
    hint: 'this is a generator bug: report it with the lab file',
  },
  E_CLAB_FILE: {
    summary: 'a containerlab topology file that cannot be read, parsed or deployed as it stands',
    hint: 'write it with fabric generate <lab> (labs/<lab>/<lab>.clab.yml)',
  },
  E_CLAB_FOREIGN: {
    summary: 'fabric attach was given a containerlab topology that fabric did not generate',
    hint: 'attach adopts labs deployed from a fabric generate file: fabric generate <lab>, then deploy that file',
  },
  E_CLAB_MISMATCH: {
    summary: "the containerlab topology differs from what the lab's intent generates (the first difference is named)",
    hint: 'regenerate it with fabric generate <lab> and redeploy, or change fabric.yml instead of the generated file',
  },
  E_CLAB_HYPERVISORS: {
    summary: 'a lab with generic_vm (QEMU) nodes has no deployable containerlab topology yet',
    hint: 'generate the fabric part alone: fabric generate <lab> --without-hypervisors (the hypervisors run on the netns runtime)',
  },
  E_SCALE_RANGE: { summary: '`--scale` outside 2..100000', hint: 'use an integer node count, e.g. --scale 100' },
} as const satisfies Record<string, ErrorInfo>;
