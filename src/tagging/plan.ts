// LabModel + intent → TagPlan. Every module allocates in dependency order; all problems are
// collected and reported together before anything is pushed to a switch.
import { createHash } from 'node:crypto';
import { DiagnosticBag } from '../errors/diagnostics.js';
import type { LabModel, LinkClass } from '../topology/model.js';
import { LabIndex, type PlanContext } from './context.js';
import { ENCODING, classMtu } from '../topology/encoding.js';
import { orderedModules } from './modules/registry.js';
import type { TagPlan } from './types.js';

export const DEFAULT_MPLS_TTL = 64;
export const DEFAULT_FLOOD_METER_PPS = 2000;

export function computePlan(lab: LabModel): TagPlan {
  const intent = lab.intent;
  const tenantMtu = intent.mtu ?? 1500;
  const plan: TagPlan = {
    lab: lab.name,
    tenantMtu,
    sites: [],
    domains: [],
    dcs: [],
    lsps: [],
    decodeHints: {},
    mtu: (Object.keys(ENCODING) as LinkClass[]).map((cls) => ({
      class: cls,
      headers: ENCODING[cls],
      mtu: classMtu(cls, tenantMtu),
    })),
    mplsTtl: DEFAULT_MPLS_TTL,
    floodMeterPps: DEFAULT_FLOOD_METER_PPS,
  };
  const ctx: PlanContext = {
    lab,
    intent,
    index: new LabIndex(lab),
    plan,
    bag: new DiagnosticBag(),
    attachments: new Map(),
  };
  for (const m of orderedModules()) m.allocate(ctx);
  // Every link must carry a full client frame with its encapsulation.
  for (const l of lab.links) {
    const need = classMtu(l.class, tenantMtu);
    if (l.mtu < need) {
      ctx.bag.add({
        code: 'E_MTU_BUDGET',
        file: lab.source,
        path: `links.${l.id}`,
        message: `link MTU ${l.mtu} is below the ${need} bytes a ${tenantMtu}-byte client packet needs on a ${l.class} link`,
        hint: 'regenerate the lab so link MTUs follow the budget (fabric plan shows it)',
      });
    }
  }
  ctx.bag.throwIfAny('tag plan');
  return plan;
}

/** Stable hash of the plan, recorded in capture manifests and reports. */
export function planHash(plan: TagPlan): string {
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 16);
}
