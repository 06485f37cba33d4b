// Flow drift a fault can leave behind that the tag plan does not cover.
import { hostNet } from '../hostnet/index.js';
import { planLab } from '../runtime/netns/plan.js';
import type { LabModel } from '../topology/model.js';

/** Access switches whose NORMAL baseline flow is missing. */
export async function accessDrift(model: LabModel): Promise<string[]> {
  const out: string[] = [];
  for (const b of planLab(model).ovsBridges.filter((x) => x.access)) {
    const flows = (await hostNet().ovs.dumpFlows(b.name, { tolerate: true })) ?? [];
    if (!flows.some((f) => /priority=0 actions=NORMAL/.test(f.replace(/,/g, ' ')))) out.push(b.node);
  }
  return out;
}
