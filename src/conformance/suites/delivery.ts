// delivery: every canary reaches every system the plan says it must, byte for byte, with the
// client's own VLAN tag as the client's switch sent it.
import type { CapturedFrame } from '../frames.js';
import type { CheckDef } from '../judge.js';
import { Violations } from '../judge.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export const delivery: CheckDef[] = [
  {
    suite: 'delivery',
    id: 'delivery/every-destination',
    title: 'each canary is delivered to every planned destination system',
    judge({ ctx, probe, run, stats }) {
      const v = new Violations();
      let deliveries = 0;
      for (const c of probe.canaries) {
        const seen = run.byCanary.get(c.key) ?? [];
        for (const t of ctx.exp
          .traversals(c.flow)
          .filter((x) => x.class === 'client-access' && x.to !== c.src.node.name)) {
          deliveries++;
          if (!seen.some((f) => f.linkId === t.link.id && f.node === t.to))
            v.add(`${c.tenant} ${c.cls} canary from ${c.src.node.name} not delivered to ${t.to}`);
        }
      }
      stats.deliveries = deliveries;
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
            if (hex(f.data) !== sent)
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
            if (hex(f.data) !== hex(out.data))
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
