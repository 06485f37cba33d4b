// Codes of deploying, inspecting and removing labs, and of the host commands that do it.
import type { ErrorInfo } from './info.js';

export const RUNTIME_CODES = {
  E_IMPAIR_UNSUPPORTED: {
    summary: 'an impairment parameter this machine has no mechanism for (no netem, no tbf/htb, no VXLAN for the relay)',
    hint: 'the message names the parameter and what was looked for; drop the parameter or run on a kernel that has it',
  },
  E_IMPAIR_FAILED: {
    summary: 'inserting, changing or removing the impairment of a link failed (relay did not start, link end missing)',
    hint: 'the message says which step failed; fabric down <lab> removes every relay and its namespaces',
  },
  E_UNKNOWN_RUNTIME: {
    summary: 'no runtime of that name is registered',
    hint: 'known runtimes: netns, docker, containerlab',
  },
  E_MODEL: {
    summary: 'the lab model is inconsistent (a node, link or address the runtime cannot place)',
    hint: 'fix the lab file or report a resolver bug',
  },
  E_UNSUPPORTED_KIND: {
    summary: 'a node kind the netns runtime cannot deploy',
    hint: 'use another runtime (--runtime docker) or another kind',
  },
  E_BAD_ADDRESS: {
    summary: 'an IPv4, IPv6 or MAC address (or CIDR) that does not parse',
    hint: 'write CIDR as 10.20.30.10/24, MACs as 02:00:00:00:00:01, IPv6 as fd00::1',
  },
  E_LAB_EXISTS: { summary: 'the lab is already deployed with another runtime', hint: 'run fabric down <lab> first' },
  E_LAB_DRIFT: {
    summary: 'the deployed lab differs from its state (e.g. only one end of a link exists)',
    hint: 'run fabric down <lab>, then up again',
  },
  E_UP_FAILED_OVER: {
    summary:
      'a converging `fabric up` on a lab whose virtual hypervisors run where a failover moved them (or would re-link running guests)',
    hint: 'fail back (fabric failover failback <lab>) or tear the guests down (fabric failover teardown <lab>), then fabric up; or fabric down <lab>',
  },
  E_LAB_OTHER_RUNTIME: {
    summary: 'a lab of the same name is deployed on another runtime',
    hint: 'run fabric down <lab> first, or deploy under another lab name',
  },
  E_WRONG_RUNTIME: {
    summary: 'the lab was deployed by another runtime than the one asked',
    hint: 'use fabric down <lab> --runtime <the runtime named>',
  },
  E_NAME_CLASH: {
    summary: "a bridge, interface or container of that name exists and is not this lab's",
    hint: 'such names are machine- or engine-wide: remove the other object or rename the node or lab',
  },
  E_UNKNOWN_NODE: { summary: 'the lab has no node of that name', hint: 'fabric status <lab> lists the nodes' },
  E_EXEC_NOT_RUNNABLE: {
    summary:
      'fabric exec or shell on a node that runs no commands of its own (an OVS or Linux bridge in the root namespace)',
    hint: 'run the command on the host itself, e.g. ovs-ofctl dump-flows <bridge>; exec reaches linux nodes, containers and virtual hypervisors',
  },
  E_EXEC_NO_MATCH: {
    summary: 'no node of the lab carries every label given to fabric exec --label',
    hint: 'labels are the fabric.* labels of the containerlab file (role=endpoint, dc=dc1, tenant=red); fabric status <lab> lists the nodes',
  },
  E_EXEC_NO_SHELL: {
    summary: 'fabric shell on a virtual hypervisor: its guest agent runs one command at a time, not a terminal',
    hint: 'fabric exec <lab> <vm> -- <command>',
  },
  E_USAGE: {
    summary: 'a command was called with missing or conflicting arguments',
    hint: 'the message shows the usage',
  },
  E_STATE_CORRUPT: {
    summary: "a lab's state file is unreadable",
    hint: 'remove it and run `fabric down --all` to clean up by lab markers',
  },
  E_NOT_ROOT: { summary: 'Open vSwitch and network namespaces need root', hint: 'run as root (sudo)' },
  E_OVS_DAEMON: {
    summary: 'ovsdb-server or ovs-vswitchd did not start or answer in time',
    hint: 'see /var/log/openvswitch/*.log; only one userspace ovs-vswitchd may run per network namespace',
  },
  E_CMD_FAILED: {
    summary: 'a host command exited non-zero',
    hint: "the output shown is the command's stderr; run it by hand as root to see more",
  },
  E_TEARDOWN_INCOMPLETE: {
    summary: 'fabric down left objects of the lab behind',
    hint: 'run fabric down again; the state file is kept until everything is gone',
  },
  E_NOT_TRAFFIC_READY: {
    summary: 'the lab is deployed but the smoke probe was not answered',
    hint: 'inspect it with fabric status <lab>, or capture the links',
  },
  E_DOCKER_UNREACHABLE: {
    summary: 'the Docker engine does not answer on its socket',
    hint: 'start dockerd, install docker.io, or use --runtime netns',
  },
  E_IMAGE_MISSING: {
    summary: "a node's image is not in the local Docker engine",
    hint: 'fabric never pulls: `fabric images build` makes the fabric/<role> images; build or load any other image locally',
  },
  E_IMAGE_BUILD: {
    summary: 'building a local image failed (a host package is missing, or docker import failed)',
    hint: 'install the package named (scripts/install-deps.sh); images are built locally, never pulled',
  },
  E_CONTAINER_DIED: {
    summary: 'a container stopped during deploy; the lab was rolled back',
    hint: 'an image must run a long-lived command; read the log lines shown',
  },
  E_CLAB_EXEC: {
    summary: 'an exec line of the containerlab topology failed in its container',
    hint: 'the node image lacks what its exec lines need: fabric images build, then regenerate',
  },
  E_ATTACH_MISSING: {
    summary: 'fabric attach did not find a container, interface or bridge the topology file declares',
    hint: 'deploy the file first (containerlab deploy -t <file>, after bash <lab>.bridges.sh)',
  },
  E_CONTAINERLAB_MISSING: {
    summary: 'containerlab is not installed',
    hint: 'install it or set FABRIC_CONTAINERLAB; or use --runtime netns or --runtime docker',
  },
} as const satisfies Record<string, ErrorInfo>;
