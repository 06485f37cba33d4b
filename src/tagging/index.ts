// The tagging concept's public surface: plan → render → apply/verify.
import type { LabModel } from '../topology/model.js';
import type { LabState } from '../runtime/types.js';
import { applyPrograms, diffPrograms, type FlowDiff } from './apply.js';
import { computePlan, planHash } from './plan.js';
import { renderPrograms } from './render.js';

export { computePlan, planHash } from './plan.js';
export { tsharkDecodeArgs, tsharkDecodeItems, tsharkFrameCommand, shellWord } from './tshark.js';
export { renderPrograms, bundleText } from './render.js';
export {
  applyDeltas,
  applyPrograms,
  diffPrograms,
  liveOfports,
  programDeltas,
  type FlowDiff,
  type ProgramDelta,
} from './apply.js';
export { ENCODING, classMtu } from '../topology/encoding.js';
export type * from './types.js';
export type { BridgeProgram } from './modules/module.js';

/** Plan, render and push every bridge of a deployed lab. The after-deploy stage of `fabric up`. */
export async function programLab(state: LabState | { model: LabModel }): Promise<string> {
  const plan = computePlan(state.model);
  const programs = renderPrograms(state.model, plan);
  const res = await applyPrograms(programs);
  const flows = res.reduce((n, r) => n + r.flows, 0);
  const groups = res.reduce((n, r) => n + r.groups, 0);
  return `${flows} flows, ${groups} groups on ${res.length} bridges (plan ${planHash(plan)})`;
}

/** Programmed against planned flows, per bridge. */
export async function verifyLab(model: LabModel): Promise<FlowDiff[]> {
  return diffPrograms(renderPrograms(model, computePlan(model)));
}
