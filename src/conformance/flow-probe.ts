// The probe phase's side of the flow record: dump every planned bridge's flows and diff them
// against a plan with ovs-ofctl's canonical comparison (a host command), so the judges only read.
import { hostNet } from '../hostnet/index.js';
import { flowDiffOf, substitutePorts, waitOfports, type FlowDiff } from '../tagging/apply.js';
import type { BridgeProgram } from '../tagging/modules/module.js';
import type { FlowDump, FlowRecord, RecordedDiff } from './flow-record.js';

const OF = { version: 'OpenFlow15' } as const;

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
  const out: FlowDiff[] = [];
  for (const p of programs) {
    const dump = rec.dumps.find((d) => d.bridge === p.bridge);
    if (!dump?.flows) throw new Error(`no flow dump of bridge ${p.bridge} (${p.node}) was recorded`);
    const planned = substitutePorts(p.flows.join('\n') + '\n', rec.ports, p.bridge);
    out.push(flowDiffOf(p, await hostNet().ovs.diffFlowTexts(dump.flows.join('\n') + '\n', planned, OF)));
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
