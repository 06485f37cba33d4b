// The runtime contract: a Runtime turns a resolved LabModel into running parts and back. The
// embedded `netns` runtime is the default; docker/containerlab implement the same interface.
import type { LabModel, LinkClass, NodeKind, NodeRole } from '../topology/model.js';
import type { RunResult } from '../hostnet/exec.js';
import type { HostsFile } from '../scaleout/hosts.js';
import type { CaptureVia } from '../hostnet/host-net.js';

export interface ProgressEvent {
  /** Stage name, e.g. `netns`, `veth`, `ovs`. */
  stage: string;
  /** Milliseconds the stage took. */
  ms: number;
  /** Short human detail, e.g. `12 created, 0 kept`. */
  detail?: string;
}

export interface DeployOptions {
  /** Called once per finished stage (the CLI prints these with timings). */
  onProgress?: (ev: ProgressEvent) => void;
  /** Split the lab over emulated hosts (netns runtime): this many (2 or more), or the hosts of a hosts file. */
  hosts?: number | HostsFile;
}

export interface DestroyOptions {
  onProgress?: (ev: ProgressEvent) => void;
  /** Upper bound for polling asynchronous kernel teardown (ms). */
  settleTimeoutMs?: number;
  /** destroyAll only: restrict to labs whose name passes (e.g. a test's own prefix). */
  labFilter?: (lab: string) => boolean;
  /** destroyAll only: when the runtime's engine does not answer, report nothing instead of starting it. */
  onlyIfRunning?: boolean;
}

/** Objects a lab owns (or will own) on this machine; everything `down` must remove. */
export interface LabObjects {
  /** Network namespaces (`clab-<lab>-<node>`). */
  netns: string[];
  /** Interfaces in the root namespace: host-side veth ends (OVS ports) and Linux bridges. */
  rootIfs: string[];
  /** Open vSwitch bridges. */
  bridges: string[];
}

export type LabPhase = 'deploying' | 'deployed' | 'destroying';

/** The lab state file: written before anything is created, updated as stages finish. */
export interface LabState {
  stateVersion: 1;
  lab: string;
  runtime: string;
  phase: LabPhase;
  startedAt: string;
  updatedAt: string;
  /** What the deploy will create (written first, so a crash leaves a complete cleanup list). */
  planned: LabObjects;
  /** What is known to exist, per stage. */
  created: LabObjects;
  /** Finished stages with their durations. */
  stages: ProgressEvent[];
  /** The resolved model the lab was deployed from (status/down need no fabric.yml). */
  model: LabModel;
  /** A lab split over emulated hosts: the hosts, where each switch is reached, the stitched links. */
  split?: SplitRecord;
}

/** One emulated host: a namespace with its own ovsdb-server and ovs-vswitchd. */
export interface EmulatedHost {
  name: string;
  netns: string;
  /** Its OVS files (database, sockets, pidfiles, logs). */
  dir: string;
  /** On the network between the hosts (the VXLAN underlay). */
  address: string;
  /** On the lab's management network (the OpenFlow listeners). */
  mgmt: string;
  /** ovsdb-server and ovs-vswitchd, once started. */
  pids?: { ovsdbServer: number; ovsVswitchd: number };
}

export interface SplitSwitch {
  node: string;
  bridge: string;
  host: string;
  /** What the bridge listens on (ptcp:<port>:<mgmt>). */
  listen: string;
  /** What ovs-ofctl connects to from the management namespace. */
  connect: string;
}

/** One end of a stitched link: the VXLAN device its host builds, as containerlab builds one. */
export interface StitchEnd {
  host: string;
  node: string;
  ifname: string;
  /** The node's namespace (the device moves there), or null for a bridge port. */
  nodeNetns: string | null;
  /** The other host's address. */
  remote: string;
}

export interface SplitRecord {
  hosts: EmulatedHost[];
  /** The namespace holding the network between the hosts. */
  underlay: string;
  /** The management namespace: the OpenFlow client's side of the management network. */
  mgmt: string;
  /** The client's address on the management network. */
  client: string;
  /** Prefix lengths of the underlay and the management subnet (absent in older records: 24). */
  underlayPrefix?: number;
  mgmtPrefix?: number;
  underlayMtu: number;
  dstPort: number;
  switches: SplitSwitch[];
  stitched: { id: string; vni: number; mtu: number; ends: [StitchEnd, StitchEnd] }[];
  /** The bridge-side veth ends per host namespace. */
  ports: Record<string, string[]>;
}

export interface DestroyReport {
  lab: string;
  removed: LabObjects;
  /** Objects still present when polling gave up (empty when clean). */
  leftover: LabObjects;
  stages: ProgressEvent[];
}

/** `fabric status --json`, schemaVersion 1 (schemas/status.schema.json; docs/runtime.md). */
export interface StatusDoc {
  schemaVersion: 1;
  lab: string;
  runtime: string;
  nodes: StatusNode[];
  links: StatusLink[];
}

export interface StatusNode {
  name: string;
  kind: NodeKind;
  role: NodeRole;
  dc: string | null;
  tenant: string | null;
  netns: string | null;
  container: string | null;
  bridge: string | null;
  /** For a VM (generic_vm): the hypervisor node it runs on now; null for every other node. */
  hypervisor: string | null;
}

export interface StatusEndpoint {
  node: string;
  ifname: string;
  netns: string | null;
  hostIf: string | null;
  /**
   * A stitched link end of a lab split over hosts: captured in its host's namespace on the
   * underlay, keeping only the link's VXLAN frames.
   */
  via?: CaptureVia;
}

export interface StatusLink {
  id: string;
  class: LinkClass;
  endpoints: [StatusEndpoint, StatusEndpoint];
}

export interface Runtime {
  readonly name: string;
  /** Brings the lab up; idempotent (re-running converges). Returns the state as deployed. */
  deploy(lab: LabModel, opts?: DeployOptions): Promise<LabState>;
  /** Removes everything the lab created, using its state file and the lab markers. */
  destroy(lab: string, opts?: DestroyOptions): Promise<DestroyReport>;
  /** Removes every fabric lab on this machine, including leftovers without a state file. */
  destroyAll(opts?: DestroyOptions): Promise<DestroyReport[]>;
  /** The status contract for a deployed lab. */
  status(lab: string): Promise<StatusDoc>;
  /** Runs argv inside a node (its namespace/container). */
  exec(lab: string, node: string, argv: string[], opts?: { input?: string; timeout?: number }): Promise<RunResult>;
  /** Labs this runtime has state for. */
  list(): Promise<string[]>;
}
