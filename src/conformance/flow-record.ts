// The switches' flow tables as the probe phase leaves them: every planned bridge's flows dumped
// (port numbers, no counters) with the OpenFlow port numbers of that moment, and, still in the
// probe phase, those dumps diffed against the plan(s) the judges hold them to (ovs-ofctl's
// canonical comparison is a host command). The flows and failover judges read the recorded
// diffs; no judge reads a live switch or runs a command.
import { hostNet } from '../hostnet/index.js';
import { substitutePorts, waitOfports, type FlowDiff } from '../tagging/apply.js';
import { COOKIE, type BridgeProgram } from '../tagging/modules/module.js';

const OF = { version: 'OpenFlow15' } as const;

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

/** Dumps the flows of every bridge of `programs` (after their ports have OpenFlow numbers). */
export async function recordFlows(programs: BridgeProgram[]): Promise<FlowRecord> {
  let ports: Map<string, number>;
  try {
    ports = await waitOfports(programs);
  } catch (e) {
    return { ports: new Map(), dumps: [], error: e as Error };
  }
  const dumps: FlowDump[] = [];
  for (const p of programs) {
    const flows = await hostNet().ovs.dumpFlows(p.bridge, { ...OF, noNames: true, tolerate: true });
    dumps.push({ bridge: p.bridge, node: p.node, flows });
  }
  return { ports, dumps };
}

/** Recorded flows against planned ones, per bridge (ovs-ofctl's canonical form, learned MAC entries left out). */
export async function diffRecorded(rec: FlowRecord | undefined, programs: BridgeProgram[]): Promise<FlowDiff[]> {
  if (!rec) throw new Error('the probe recorded no flow dumps');
  if (rec.error) throw rec.error;
  const learned = `cookie=${'0x' + COOKIE.learned.toString(16)}`;
  const out: FlowDiff[] = [];
  for (const p of programs) {
    const dump = rec.dumps.find((d) => d.bridge === p.bridge);
    if (!dump?.flows) throw new Error(`no flow dump of bridge ${p.bridge} (${p.node}) was recorded`);
    const planned = substitutePorts(p.flows.join('\n') + '\n', rec.ports, p.bridge);
    const diff = await hostNet().ovs.diffFlowTexts(dump.flows.join('\n') + '\n', planned, OF);
    const lines = diff.filter((l) => !l.includes(learned));
    out.push({
      bridge: p.bridge,
      node: p.node,
      unexpected: lines.filter((l) => l.startsWith('-')).map((l) => l.slice(1).trim()),
      missing: lines.filter((l) => l.startsWith('+')).map((l) => l.slice(1).trim()),
    });
  }
  return out;
}

/** The diff of `rec` against `programs` as a record: a failure is kept for the judge to report. */
export async function recordDiff(rec: FlowRecord, programs: BridgeProgram[]): Promise<RecordedDiff> {
  try {
    return { diffs: await diffRecorded(rec, programs) };
  } catch (error) {
    return { error };
  }
}

/** What a judge reads: the diffs the probe recorded against one plan (throws what the probe could not compare). */
export function recordedDiffs(rec: FlowRecord | undefined, against: 'deployed' | 'placement'): FlowDiff[] {
  if (!rec) throw new Error('the probe recorded no flow dumps');
  const d = rec[against];
  if (!d) throw new Error(`the probe recorded no flow diff against the ${against} plan`);
  if ('error' in d) throw d.error;
  return d.diffs;
}
