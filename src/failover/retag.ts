// The re-tag of a failover: the plan of the edited model pushed to the switches.
import {
  applyDeltas,
  applyPrograms,
  computePlan,
  liveOfports,
  programDeltas,
  renderPrograms,
  type BridgeProgram,
  type ProgramDelta,
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
 * The deltas a model edit will need, computed while armed (before the trigger): the plan of the
 * edited copy against `before`. Planning the lab takes milliseconds of CPU that a loaded machine
 * stretches; off the restoration path, the re-tag is only the bundles. Null: deltas cannot
 * express the change (a full re-push then).
 */
export function planRetag(
  model: LabModel,
  before: BridgeProgram[],
  edit: (m: LabModel) => void,
): ProgramDelta[] | null {
  const next = structuredClone(model);
  edit(next);
  return programDeltas(before, renderPrograms(next, computePlan(next)));
}

/**
 * Re-renders the plan of `model` and pushes the change against `before`: flow deltas (one
 * atomic bundle per changed bridge, learned MACs of the moved domains flushed) with the port
 * numbers read before the trigger, so the restoration path is one `ovs-ofctl` per bridge.
 * `planned`: the same deltas computed before the trigger (planRetag). With before = null, or a
 * change deltas cannot express, every bridge is re-programmed in full. `fabric flows` /
 * verify() compare with the live switches afterwards.
 */
export async function retag(
  model: LabModel,
  before: BridgeProgram[] | null,
  ports?: Map<string, number>,
  planned?: ProgramDelta[] | null,
): Promise<RetagResult> {
  try {
    return await retagOnce(model, before, ports, planned);
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
  planned?: ProgramDelta[] | null,
): Promise<RetagResult> {
  const deltas = planned ?? (before ? programDeltas(before, renderPrograms(model, computePlan(model))) : null);
  if (deltas) {
    await applyDeltas(deltas, ports ?? (await liveOfports()));
    return {
      removed: deltas.reduce((n, d) => n + d.removed, 0),
      added: deltas.reduce((n, d) => n + d.added, 0),
      bridges: deltas.map((d) => d.node),
    };
  }
  const programs = renderPrograms(model, computePlan(model));
  await applyPrograms(programs);
  for (const h of layoutOf(model).hypervisors) await normalFlow(h.bridge);
  const flows = programs.reduce((n, p) => n + p.flows.length, 0);
  return { removed: 0, added: flows, bridges: programs.map((p) => p.node) };
}
