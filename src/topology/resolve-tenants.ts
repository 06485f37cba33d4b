// Resolve: tenant sites. One access switch per site (tenant-owned LAN switch), endpoints on access
// ports in their own VLAN, the uplink trunking the site's VLANs to the DC switch. Sites hosted on
// a customer hypervisor get neither access switch nor endpoints (hypervisors.ts).
import { createHash } from 'node:crypto';
import { hostedSites } from './hypervisors.js';
import { accessSwitchName, dcSwitchName, endpointName } from '../names/index.js';
import type { ResolveContext } from './resolve-context.js';

/** Deterministic locally administered unicast MAC for a system without a declared one. */
export function derivedMac(site: string, system: string, salt = 0): string {
  const h = createHash('sha256')
    .update(`${site}/${system}${salt ? `#${salt}` : ''}`)
    .digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

export function resolveTenants(ctx: ResolveContext): void {
  const { b, intent, mtu } = ctx;
  const hosted = hostedSites(intent);
  for (const [tenant, t] of Object.entries(intent.tenants)) {
    const macs = new Set(
      t.sites.flatMap((s) => s.systems.map((y) => y.mac?.toLowerCase()).filter((m): m is string => !!m)),
    );
    t.sites.forEach((site, i) => {
      if (hosted.has(`${tenant}/${site.name}`)) return;
      const sw = accessSwitchName(tenant, site.name);
      const siteFacts = { site: site.name, siteType: site.type };
      b.addNode(sw, 'ovs-bridge', 'access-switch', {
        dc: site.dc,
        tenant,
        facts: siteFacts,
        origin: ['tenants', tenant, 'sites', i],
      });
      const vlans = [...new Set(site.systems.map((y) => y.vlan))].sort((x, y) => x - y);
      b.link('tenant-lan', sw, dcSwitchName(site.dc), mtu('tenant-lan'), { trunks: vlans });
      site.systems.forEach((sys, j) => {
        const ep = endpointName(tenant, site.name, sys.name);
        b.addNode(ep, 'linux', 'endpoint', {
          dc: site.dc,
          tenant,
          facts: { ...siteFacts, system: sys.name, vlan: sys.vlan },
          origin: ['tenants', tenant, 'sites', i, 'systems', j],
        });
        let mac = sys.mac?.toLowerCase();
        if (!mac) {
          let salt = 0;
          do mac = derivedMac(site.name, sys.name, salt++);
          while (macs.has(mac));
          macs.add(mac);
        }
        b.link('client-access', ep, sw, mtu('client-access'), { mac, addresses: [sys.ip] }, { accessVlan: sys.vlan });
      });
    });
  }
}
