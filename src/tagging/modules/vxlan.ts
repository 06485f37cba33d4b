// vxlan: the provider L3 segment (seed 001 [0104]-[0105]: an IP header added by the outbound
// router and removed by the inbound one). The host kernel has no GRE, so the provider routers
// are namespaces with a kernel VXLAN device bridged to their long-haul interfaces; they need no
// flows. This module records the segment in the plan and checks the trap: Linux defaults VXLAN
// to UDP 8472, the fabric (and every decoder) expects 4789.
import type { PlanContext } from '../context.js';
import type { TagModule } from './module.js';

export const VXLAN_PORT = 4789;

export const vxlan: TagModule = {
  name: 'vxlan',
  description: 'Provider segment: kernel VXLAN (UDP 4789) between provider routers, outer IPv4',
  requires: ['mpls'],
  roles: [],

  allocate(ctx: PlanContext): void {
    const provs = ctx.index.byRole('provider');
    for (const n of provs) {
      const vx = n.netdevs?.find((d) => d.type === 'vxlan');
      if (!vx || vx.type !== 'vxlan') {
        ctx.bag.add({
          code: 'E_PLAN_TOPOLOGY',
          file: ctx.lab.source,
          path: 'long_haul.provider_segment',
          message: `provider router ${n.name} has no VXLAN device`,
          hint: 'regenerate the lab model',
        });
        continue;
      }
      if (vx.dstport !== VXLAN_PORT) {
        ctx.bag.add({
          code: 'E_VXLAN_PORT',
          file: ctx.lab.source,
          path: 'long_haul.provider_segment',
          message: `provider VXLAN on ${n.name} uses UDP ${vx.dstport}`,
          hint: `use ${VXLAN_PORT}; Linux defaults to 8472, which decoders do not bind to VXLAN`,
        });
      }
      if (!ctx.plan.provider)
        ctx.plan.provider = { vni: vx.vni, dstport: vx.dstport, local: vx.local, remote: vx.remote };
    }
  },

  render(): void {
    // Kernel devices, built by the runtime from the model's netdevs: nothing to program.
  },
};
