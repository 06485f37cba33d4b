// Tag modules plug in here; the plan and the renderer run them in dependency order.
import { FabricError } from '../../errors/fabric-error.js';
import { access } from './access.js';
import { dc } from './dc.js';
import { hypervisor } from './hypervisor.js';
import type { TagModule } from './module.js';
import { mpls } from './mpls.js';
import { qinq } from './qinq.js';
import { vxlan } from './vxlan.js';

const registry = new Map<string, TagModule>();

export function registerTagModule(m: TagModule): void {
  if (registry.has(m.name)) throw new FabricError('E_MODULE_DUP', `tag module ${m.name} is registered twice`);
  registry.set(m.name, m);
}

for (const m of [access, hypervisor, qinq, dc, mpls, vxlan]) registerTagModule(m);

/** Modules ordered so that every module comes after the ones it requires. */
export function orderedModules(): TagModule[] {
  const out: TagModule[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, from?: string) => {
    const m = registry.get(name);
    if (!m) throw new FabricError('E_MODULE_MISSING', `tag module ${from ?? '?'} requires unknown module ${name}`);
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting')
      throw new FabricError('E_MODULE_CYCLE', `tag modules require each other in a cycle at ${name}`);
    state.set(name, 'visiting');
    for (const r of m.requires) visit(r, name);
    state.set(name, 'done');
    out.push(m);
  };
  for (const name of [...registry.keys()].sort()) visit(name);
  return out;
}
