// TagPlan → one BridgeProgram per OVS bridge that carries fabric tags. Pure: golden-tested.
import type { LabModel } from '../topology/model.js';
import { LabIndex } from './context.js';
import type { BridgeProgram, RenderContext } from './modules/module.js';
import { orderedModules } from './modules/registry.js';
import type { TagPlan } from './types.js';

export function renderPrograms(lab: LabModel, plan: TagPlan): BridgeProgram[] {
  const index = new LabIndex(lab);
  const programs = new Map<string, BridgeProgram>();
  const ctx: RenderContext = {
    plan,
    index,
    program(node: string): BridgeProgram {
      let p = programs.get(node);
      if (!p) {
        const n = index.node(node);
        p = { node, bridge: n.bridge ?? node, role: n.role, meters: [], groups: [], flows: [] };
        programs.set(node, p);
      }
      return p;
    },
  };
  for (const m of orderedModules()) m.render(ctx);
  return [...programs.values()].sort((a, b) => a.node.localeCompare(b.node));
}

/** The bundle file for `ovs-ofctl bundle`: wipe, then groups, then flows, as one transaction. */
export function bundleText(p: BridgeProgram): string {
  return [
    'flow delete',
    'group delete group_id=all',
    ...p.groups.map((g) => `group add ${g}`),
    ...p.flows.map((f) => `flow add ${f}`),
    '',
  ].join('\n');
}
