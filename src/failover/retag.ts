// The re-tag of a failover: the plan of the edited model pushed to the switches.
import {
  applyDeltas,
  applyPrograms,
  computePlan,
  liveOfports,
  programDeltas,
  renderPrograms,
  type BridgeProgram,
} from '../tagging/index.js';
import type { LabModel } from '../topology/model.js';
import { normalFlow } from './gateways.js';
import { layoutOf } from './layout.js';

export interface RetagResult {
  removed: number;
  added: number;
  bridges: string[];
}

/**
 * Re-renders the plan of `model` and pushes the change against `before`: flow deltas (one
 * atomic bundle per changed bridge, learned MACs of the moved domains flushed) with the port
 * numbers read before the trigger, so the restoration path is one `ovs-ofctl` per bridge. With
 * before = null, or a change deltas cannot express, every bridge is re-programmed in full.
 * `fabric flows` / verify() compare with the live switches afterwards.
 */
export async function retag(
  model: LabModel,
  before: BridgeProgram[] | null,
  ports?: Map<string, number>,
): Promise<RetagResult> {
  try {
    return await retagOnce(model, before, ports);
  } catch {
    // One retry: a restarted ovs-vswitchd resets connections and loses flows; a full re-push
    // (before = null) converges. A second failure is reported.
    await new Promise((r) => setTimeout(r, 1000));
    return retagOnce(model, null);
  }
}

async function retagOnce(
  model: LabModel,
  before: BridgeProgram[] | null,
  ports?: Map<string, number>,
): Promise<RetagResult> {
  const programs = renderPrograms(model, computePlan(model));
  const deltas = before ? programDeltas(before, programs) : null;
  if (deltas) {
    await applyDeltas(deltas, ports ?? (await liveOfports()));
    return {
      removed: deltas.reduce((n, d) => n + d.removed, 0),
      added: deltas.reduce((n, d) => n + d.added, 0),
      bridges: deltas.map((d) => d.node),
    };
  }
  await applyPrograms(programs);
  for (const h of layoutOf(model).hypervisors) await normalFlow(h.bridge);
  const flows = programs.reduce((n, p) => n + p.flows.length, 0);
  return { removed: 0, added: flows, bridges: programs.map((p) => p.node) };
}
