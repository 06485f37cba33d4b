// access: the tenant-owned LAN switch of each site (seed 001's client system behind its own
// switch) is a plain learning switch for that one tenant: access ports put systems in their own
// VLANs, the uplink trunks them. Its one flow belongs to the plan like every other, so
// `fabric program` alone restores a lab after an ovs-vswitchd restart and `flows --diff` sees it.
import { COOKIE, type RenderContext, type TagModule } from './module.js';

export const access: TagModule = {
  name: 'access',
  description:
    'tenant access switches: one tenant per bridge, NORMAL learning over own-VLAN access ports and trunk uplink',
  requires: [],
  roles: ['access-switch'],
  allocate(): void {
    // No tags: VLAN membership of the ports is set by the runtime from the model.
  },
  render(ctx: RenderContext): void {
    for (const n of ctx.index.byRole('access-switch'))
      ctx.program(n.name).flows.push(`cookie=${COOKIE.access},table=0,priority=0,actions=NORMAL`);
  },
};
