// Link impairment: declared in fabric.yml or set with `fabric impair`, served by netem where the
// kernel has it, else by tbf (rate) and a userspace relay spliced into the link. docs/impairment.md.
export {
  applyDeclared,
  clearLink,
  impairLink,
  linkSeed,
  netemArgs,
  refuseUnservable,
  relayScript,
  stopImpairments,
} from './apply.js';
export type { ImpairOutcome, ImpairOptions } from './apply.js';
export { declared, formatCaps, formatPlan, mechanismOf, planMechanisms, PARAMS } from './mechanism.js';
export type { ImpairParam, Mechanism, Plan } from './mechanism.js';
export { readImpairState, impairStatePath, type ImpairState, type LinkImpair, type RelayRecord } from './state.js';
export { relayNames, pickMoved, tbfSpec } from './relay-plumb.js';
