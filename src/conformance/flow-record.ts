// The switches' flow tables as the probe phase leaves them (flow-probe.ts records them): every
// planned bridge's flows dumped with the OpenFlow port numbers of that moment, and those dumps
// diffed against the plan(s) the judges hold them to. This file is what the flows and failover
// judges read; it imports nothing that runs a command, so no judge can.
import type { FlowDiff } from '../tagging/apply.js';

export interface FlowDump {
  bridge: string;
  node: string;
  /** Flow lines as `ovs-ofctl dump-flows --no-names --no-stats` prints them; null when the dump failed. */
  flows: string[] | null;
}

/** The recorded dumps against one plan, per bridge, or why they could not be compared. */
export type RecordedDiff = { diffs: FlowDiff[] } | { error: unknown };

export interface FlowRecord {
  /** Interface → OpenFlow port number when the flows were dumped (the plan's ports are written with them). */
  ports: Map<string, number>;
  dumps: FlowDump[];
  /** Why the ports could not be read (the judges report it). */
  error?: Error;
  /** The dumps against the plan of the deployed model (the flows suite). */
  deployed?: RecordedDiff;
  /** The dumps against the plan of the placement the probe's moves left (the failover suite). */
  placement?: RecordedDiff;
}

/** What a judge reads: the diffs the probe recorded against one plan (throws what the probe could not compare). */
export function recordedDiffs(rec: FlowRecord | undefined, against: 'deployed' | 'placement'): FlowDiff[] {
  if (!rec) throw new Error('the probe recorded no flow dumps');
  const d = rec[against];
  if (!d) throw new Error(`the probe recorded no flow diff against the ${against} plan`);
  if ('error' in d) throw d.error;
  return d.diffs;
}
