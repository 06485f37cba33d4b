// overlap: the same IPs, MACs and own VLANs are in use in every tenant, and real stacks (ping,
// UDP with sequence numbers) work inside each tenant all the same.
import type { CheckDef } from '../judge.js';
import { Violations } from '../judge.js';

export const overlap: CheckDef[] = [
  {
    suite: 'overlap',
    id: 'overlap/addresses-really-overlap',
    title: 'the lab reuses the same IP, MAC and own VLAN in several tenants',
    judge({ ctx, stats }) {
      const key = (s: { ip: string; mac: string; vlan: number }) => `${s.ip}/${s.mac}/${s.vlan}`;
      const tenantsByKey = new Map<string, Set<string>>();
      for (const s of ctx.systems) tenantsByKey.set(key(s), (tenantsByKey.get(key(s)) ?? new Set()).add(s.tenant));
      const shared = [...tenantsByKey.values()].filter((t) => t.size > 1).length;
      stats.sharedIdentities = shared;
      if (!shared) throw new Error('no IP/MAC/VLAN is shared between tenants: this lab does not exercise overlap');
    },
  },
  {
    suite: 'overlap',
    id: 'overlap/ping-every-peer',
    title: "ping from each tenant's client to every system of its VLAN, in every DC",
    judge({ probe, stats }) {
      const v = new Violations();
      for (const p of probe.pings)
        if (p.result.received < 1)
          v.add(`${p.tenant}: ${p.from} → ${p.to} (${p.ip}) unanswered: ${p.result.transmitted} sent, 0 received`);
      stats.pings = probe.pings.length;
      v.throwIfAny('unanswered pings');
      if (!probe.pings.length) throw new Error('no ping was run');
    },
  },
  {
    suite: 'overlap',
    id: 'overlap/arping-one-answer',
    title: "arping every peer: answered, and only with the peer's MAC",
    judge({ probe, stats }) {
      const v = new Violations();
      const arpings = probe.arpings ?? [];
      for (const a of arpings) {
        const r = a.result;
        if (r.received < 1) v.add(`${a.tenant}: ${a.from} arping ${a.ip} unanswered`);
        if (r.responders.some((m) => m.toLowerCase() !== a.mac))
          v.add(`${a.tenant}: ${a.ip} answered by ${r.responders.join(', ')}, expected ${a.mac}`);
      }
      stats.arpings = arpings.length;
      v.throwIfAny('arping');
      if (!arpings.length) throw new Error('no arping was run');
    },
  },
  {
    suite: 'overlap',
    id: 'overlap/udp-sequence',
    title: "UDP with sequence numbers arrives complete, and only the tenant's own marker arrives",
    judge({ probe, stats }) {
      const v = new Violations();
      for (const u of probe.udp) {
        if (u.report.unique < u.sent)
          v.add(`${u.tenant}: ${u.from} → ${u.to}: ${u.report.unique} of ${u.sent} datagrams arrived`);
        if (u.report.foreign)
          v.add(
            `${u.tenant}: ${u.to} received ${u.report.foreign} datagram(s) of other tenants (${u.report.foreignMarkers.join(',')})`,
          );
      }
      stats.udpFlows = probe.udp.length;
      v.throwIfAny('UDP probes');
      if (!probe.udp.length) throw new Error('no UDP probe was run');
    },
  },
];
