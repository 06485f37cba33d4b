// isolation: no frame of tenant X on any link of tenant Y, and no fabric tag ever at a client.
// Attribution: canaries carry their tenant's marker; on fabric links the (Tag1, Tag2) pair names
// the tenant; identical IPs and MACs make addresses useless for this on purpose.
import { linkLayers } from '../frames.js';
import type { CheckDef } from '../judge.js';
import { backgroundKind, fabricPair, hasLayer, linkTenant, pairTenant, Violations } from '../judge.js';
import type { FabricIntent } from '../../topology/intent.js';

export const isolation: CheckDef[] = [
  {
    suite: 'isolation',
    id: 'isolation/canaries-stay-in-tenant',
    title: 'no canary of one tenant on a client link of another tenant',
    judge({ ctx, probe, run, stats }) {
      const v = new Violations();
      const tenantOf = new Map(probe.canaries.map((c) => [c.key, c.tenant]));
      let seen = 0;
      for (const f of run.frames) {
        if (!f.canaryKey) continue;
        const own = linkTenant(ctx, f);
        const t = tenantOf.get(f.canaryKey);
        if (!own || !t) continue;
        seen++;
        if (own !== t) v.add(`${t} canary on ${own}'s link ${f.linkId} at ${f.node}:${f.ifname}`, f);
      }
      stats.checkedFrames = seen;
      v.throwIfAny('cross-tenant canaries');
      if (seen === 0) throw new Error('no canary was captured on any client link: the probe did not run');
    },
  },
  {
    suite: 'isolation',
    id: 'isolation/fabric-pairs-match-tenant',
    title: "on fabric links every canary carries its own tenant's (Tag1, Tag2) pair",
    judge({ ctx, probe, run, stats }) {
      const v = new Violations();
      const tenantOf = new Map(probe.canaries.map((c) => [c.key, c.tenant]));
      let n = 0;
      for (const f of run.frames) {
        if (!f.canaryKey || f.cls === 'client-access' || f.cls === 'tenant-lan' || f.cls === 'hypervisor') continue; // own-VLAN links (a hypervisor link carries its VMs' own frames)
        const pair = fabricPair(f.layers);
        const t = tenantOf.get(f.canaryKey);
        if (!t) continue;
        n++;
        const owner = pair ? pairTenant(ctx, pair) : null;
        if (owner !== t)
          v.add(
            `${t} canary with tag pair ${pair ? pair.join('/') : 'none'} (${owner ?? 'no tenant'}) on ${f.linkId}`,
            f,
          );
      }
      stats.checkedFrames = n;
      v.throwIfAny('fabric tag pairs of the wrong tenant');
    },
  },
  {
    suite: 'isolation',
    id: 'isolation/no-fabric-tag-at-client',
    title: 'no 802.1ad, MPLS or second VLAN tag ever reaches a client link',
    judge({ run, stats }) {
      const v = new Violations();
      let n = 0;
      for (const f of run.frames) {
        if (f.cls !== 'client-access' && f.cls !== 'tenant-lan') continue;
        n++;
        const layers = linkLayers(f);
        const vlans = layers.filter((l) => l.name === 'vlan');
        const bad =
          hasLayer(layers, 'mpls') ||
          hasLayer(layers, 'vxlan') ||
          vlans.some((l) => l.name === 'vlan' && l.tpid !== 0x8100) ||
          vlans.length > (f.cls === 'tenant-lan' ? 1 : 0);
        if (bad) v.add(`fabric tags on ${f.cls} link ${f.linkId}`, f);
      }
      stats.checkedFrames = n;
      v.throwIfAny('fabric tags at clients');
    },
  },
  {
    suite: 'isolation',
    id: 'isolation/client-frames-classified',
    title: 'every frame on a client link is a canary, tenant traffic or listed background',
    judge({ ctx, run, stats }) {
      const v = new Violations();
      // Every system of the intent: endpoints, and the customer VMs of hosted sites (inside guests,
      // so not in ctx.systems) that answer and refresh ARP like any tenant system.
      const tenantIps = new Set([...ctx.systems.map((s) => s.ip), ...intentSystemIps(ctx.model.intent)]);
      const bg: Record<string, number> = {};
      for (const f of run.frames) {
        if (f.cls !== 'client-access' && f.cls !== 'tenant-lan') continue;
        if (f.canaryKey) continue;
        const layers = linkLayers(f);
        const kind = backgroundKind(layers);
        if (kind) {
          bg[kind] = (bg[kind] ?? 0) + 1;
          continue;
        }
        const arp = layers.find((l) => l.name === 'arp');
        const ip = layers.find((l) => l.name === 'ipv4');
        const tenantTraffic =
          (arp?.name === 'arp' && tenantIps.has(arp.spa)) ||
          (ip?.name === 'ipv4' && (tenantIps.has(ip.src) || tenantIps.has(ip.dst)));
        if (!tenantTraffic) v.add(`unclassified frame on ${f.cls} link ${f.linkId}`, f);
      }
      Object.assign(stats, Object.fromEntries(Object.entries(bg).map(([k, n]) => [`background.${k}`, n])));
      v.throwIfAny('unclassified frames on client links');
    },
  },
];

function intentSystemIps(intent: FabricIntent | undefined): string[] {
  return Object.values(intent?.tenants ?? {}).flatMap((t) =>
    t.sites.flatMap((site) => site.systems.map((y) => y.ip.split('/')[0]!)),
  );
}
