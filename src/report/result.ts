// What a conformance run produces: the contract between the judge (src/conformance) and the
// reports (src/report: JSON, JUnit, HTML). Every failed check names its evidence: the capture
// file, the frame numbers and the decoded frames.
import type { Layer } from '../decode/index.js';
import type { LayerPattern } from '../tagging/expected.js';
import type { LinkClass } from '../topology/model.js';

/** `error`: the check could not run (the probe failed): no verdict either way. */
export type CheckState = 'passed' | 'failed' | 'skipped' | 'error';

/** One frame offered as evidence. */
export interface FrameEvidence {
  /** Capture file, relative to the run dir (e.g. `dc1-sw--p3.pcap`, the fabric port dc1-sw:p3). */
  file: string;
  /** 1-based frame number in that file (what Wireshark and `fabric inspect` show). */
  frame: number;
  /** `fabric inspect` one-line rendering of the frame. */
  decoded: string;
  /** Why this frame is evidence (e.g. `red canary on a green client port`). */
  note?: string;
  /** Ready command showing the frame in full: `tshark -r <run dir>/<file> -Y frame.number==N -V -d ...`. */
  command?: string;
}

export interface CheckResult {
  suite: string;
  /** Stable id, e.g. `isolation/client-ports`. */
  id: string;
  title: string;
  state: CheckState;
  durationMs: number;
  /** Failure message (first line is the summary). */
  message?: string;
  evidence: FrameEvidence[];
  /** Counts the judge looked at, e.g. { frames: 1200, canaries: 96 }. */
  stats?: Record<string, number>;
}

/** One hop of a tenant flow: the stack the plan expects there and the frame seen there, as layers. */
export interface HopStack {
  link: string;
  class: LinkClass;
  from: string;
  to: string;
  /** Expected layers, outer to inner, down to the client's Ethernet header; '*' is any value. */
  expected: LayerPattern[];
  /** The decoded layers of the frame captured on this hop; absent when none was captured. */
  observed?: Layer[];
  ok?: boolean;
}

/** The per-hop picture of one tenant flow, for the HTML report. */
export interface HopPicture {
  tenant: string;
  flow: string;
  hops: HopStack[];
}

export interface TopologyPicture {
  nodes: { name: string; role: string; dc: string | null; tenant: string | null }[];
  links: { id: string; class: LinkClass; a: string; b: string }[];
}

/** One watched failover or fail-back of the run: its steps, restoration and loss per tenant flow. */
export interface FailoverMove {
  action: 'failover' | 'failback';
  trigger: string | null;
  host: string;
  site: string;
  /** Epoch ms of detection; step offsets are from it. */
  detectedAt: number;
  steps: { step: string; atMs: number; ms: number; detail?: string }[];
  restorationMs: number | null;
  flows?: {
    tenant: string;
    from: string;
    to: string;
    ip: string;
    sent: number;
    lost: number;
    firstLost: number | null;
    lastLost: number | null;
    longestRun: { first: number; last: number; frames: number } | null;
  }[];
  crossTenantFrames?: number;
  stacksDuring?: { checked: number; violations: number };
}

export interface ConformanceReport {
  /** 2: hop stacks are layers (`expected`, `observed`); 1 stored them as text (`stack`, `observed`). */
  reportVersion: 2;
  lab: string;
  runtime: string;
  planHash: string;
  runId: string;
  /** Captures folder of the run (captures/<lab>/<run-id>/). */
  runDir: string;
  startedAt: string;
  finishedAt: string;
  suites: string[];
  checks: CheckResult[];
  /** Frames that are not tenant traffic (IPv6 ND, MLD, LLDP...), counted per kind. */
  background: Record<string, number>;
  topology: TopologyPicture;
  hops: HopPicture[];
  /** Wall time of each stage up to the judge (context, learn, capture start, traffic, canaries, capture stop, decode, judge). */
  stages?: { stage: string; ms: number }[];
  /** The failover and fail-back the probe ran (labs with hypervisors), in order. */
  failover?: FailoverMove[];
  /** Mutation self-check, when run with --mutate. */
  mutations?: { name: string; description: string; killedBy: string[]; killed: boolean }[];
  /** `errors`: checks that could not run because the probe failed. */
  summary: { passed: number; failed: number; skipped: number; errors?: number; mutationScore?: number };
}
