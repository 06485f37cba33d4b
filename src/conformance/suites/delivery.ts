// delivery: every canary reaches every system of its tenant domain, as the intent declares it (not
// as the plan routes it), byte for byte, with the client's own VLAN tag as the client's switch
// sent it.
import { linkData, type CapturedFrame } from '../frames.js';
import type { CheckDef } from '../judge.js';
import { Violations } from '../judge.js';
import type { SentCanary } from '../probe.js';
import { intentSystems, sameIntentDomain } from '../reach.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Where a missing canary got to: a loss in the fabric and a frame never sent read differently. */
function trail(seen: readonly CapturedFrame[], c: SentCanary): string {
  const ends = new Set(seen.map((f) => `${f.node}:${f.linkId}`));
  if (!ends.size) return '(seen on no link end, not even leaving its sender)';
  const atSender = seen.some((f) => f.node === c.src.node.name);
  return `(seen on ${ends.size} link end(s)${atSender ? '' : ', not at its sender'})`;
}

export const delivery: CheckDef[] = [
  {
    suite: 'delivery',
    id: 'delivery/every-destination',
    title: 'each canary is delivered to every system of its tenant domain (from the intent)',
    judge({ ctx, probe, run, stats }) {
      const v = new Violations();
      const systems = intentSystems(ctx.model);
      let deliveries = 0;
      let inGuest = 0;
      for (const c of probe.canaries) {
        const seen = run.byCanary.get(c.key) ?? [];
        const src = systems.find((s) => s.node === c.src.node.name);
        // Floods: every system of the same tenant and own VLAN; unicast: its one destination.
        const dests = c.dst
          ? systems.filter((s) => s.node === c.dst?.node.name)
          : systems.filter((s) => src && sameIntentDomain(src, s));
        for (const d of dests) {
          const link = ctx.model.links.find(
            (l) => l.class === 'client-access' && l.endpoints.some((e) => e.node === d.node),
          );
          // A system running inside a guest has no client port of its own to capture on.
          if (!link) {
            inGuest++;
            continue;
          }
          deliveries++;
          if (!seen.some((f) => f.linkId === link.id && f.node === d.node))
            v.add(`${c.tenant} ${c.cls} canary from ${c.src.node.name} not delivered to ${d.node} ${trail(seen, c)}`);
        }
      }
      stats.deliveries = deliveries;
      stats.inGuest = inGuest;
      v.throwIfAny('missing deliveries');
    },
  },
  {
    suite: 'delivery',
    id: 'delivery/byte-identical',
    title: 'delivered frames are byte-identical to what the client sent, own VLAN tag included',
    judge({ ctx, probe, run, stats }) {
      const v = new Violations();
      let compared = 0;
      for (const c of probe.canaries) {
        const seen = run.byCanary.get(c.key) ?? [];
        const ts = ctx.exp.traversals(c.flow);
        const sent = hex(c.frame);
        // At the endpoints: exactly the bytes injected.
        for (const t of ts.filter((x) => x.class === 'client-access' && x.to !== c.src.node.name)) {
          for (const f of seen.filter((x) => x.linkId === t.link.id && x.node === t.to)) {
            compared++;
            if (hex(linkData(f)) !== sent)
              v.add(`${c.tenant} ${c.cls} canary delivered to ${t.to} differs from the frame sent`, f);
          }
        }
        // Between client switches: the own-VLAN-tagged frame leaving the source site equals the one
        // arriving at every destination site.
        const lan = ts.filter((x) => x.class === 'tenant-lan');
        const out = lan[0] && seen.find((f: CapturedFrame) => f.linkId === lan[0].link.id);
        if (!out) continue;
        for (const t of lan.slice(1)) {
          for (const f of seen.filter((x) => x.linkId === t.link.id)) {
            compared++;
            if (hex(linkData(f)) !== hex(linkData(out)))
              v.add(`${c.tenant} ${c.cls} canary reached ${t.to} changed (own VLAN or payload)`, f);
          }
        }
      }
      stats.compared = compared;
      v.throwIfAny('frames changed in flight');
      if (!compared) throw new Error('no delivered canary to compare');
    },
  },
];
