// Stages that run after a successful deploy (tag programming, smoke probes). A concept registers
// a hook here, or `fabric up` loads one from an optional module (see src/cli/up.ts), so the
// runtime never imports the concepts that build on it.
import type { LabState, Runtime } from './types.js';

export interface AfterDeployHook {
  /** Stage name printed by `fabric up`, e.g. `tags`. */
  name: string;
  /** Returns a one-line summary for the progress output. */
  run(state: LabState, runtime: Runtime): Promise<string | void>;
}

const hooks: AfterDeployHook[] = [];

export function registerAfterDeploy(hook: AfterDeployHook): void {
  if (!hooks.some((h) => h.name === hook.name)) hooks.push(hook);
}

export function afterDeployHooks(): readonly AfterDeployHook[] {
  return hooks;
}
