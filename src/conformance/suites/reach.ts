// reach: every pair of one tenant's systems in the same own VLAN and subnet answers each other in
// both directions, by ping, arping and UDP with sequence numbers. The pairs come from the intent
// (conformance/reach.ts), not from the tag plan: a plan that leaves out a datacenter, and a probe
// that follows it, turn these red instead of asking less.
import { intentPairs, probeable, type IntentPair } from '../reach.js';
import type { CheckDef, Judgement } from '../judge.js';
import { Violations } from '../judge.js';

/** The pairs to judge (both ends have a stack the probe acts from), and how many were set aside. */
function pairs(j: Judgement): IntentPair[] {
  const all = intentPairs(j.ctx.model);
  const ok = all.filter((p) => probeable(j.ctx.model, p.from) && probeable(j.ctx.model, p.to));
  j.stats.pairs = ok.length;
  j.stats.notProbeable = all.length - ok.length;
  if (!ok.length) throw new Error('the intent declares no pair of systems in one tenant, own VLAN and subnet');
  return ok;
}

const label = (p: IntentPair) => `${p.tenant}: ${p.from.node} (${p.from.ip}) → ${p.to.node} (${p.to.ip})`;

interface Rec {
  from: string;
  to: string;
}

function judgePairs<R extends Rec>(
  j: Judgement,
  records: readonly R[],
  what: string,
  fails: (r: R, p: IntentPair) => string | undefined,
): void {
  const v = new Violations();
  for (const p of pairs(j)) {
    const rs = records.filter((r) => r.from === p.from.node && r.to === p.to.node);
    if (!rs.length) {
      v.add(`${label(p)}: no ${what} was run (the probe skipped a pair the intent declares)`);
      continue;
    }
    for (const r of rs) {
      const why = fails(r, p);
      if (why) v.add(`${label(p)}: ${why}`);
    }
  }
  v.throwIfAny(`${what} between systems the intent joins`);
}

export const reach: CheckDef[] = [
  {
    suite: 'reach',
    id: 'reach/ping-both-ways',
    title: 'every pair of systems in one tenant, own VLAN and subnet (from the intent) answers ping, both ways',
    judge(j) {
      judgePairs(j, j.probe.pings, 'ping', (r) =>
        r.result.received < 1 ? `unanswered (${r.result.transmitted} sent, 0 received)` : undefined,
      );
    },
  },
  {
    suite: 'reach',
    id: 'reach/arping-both-ways',
    title: "every such pair answers arping, both ways, with the peer's own MAC",
    judge(j) {
      judgePairs(j, j.probe.arpings ?? [], 'arping', (r, p) => {
        if (r.result.received < 1) return 'arping unanswered';
        const want = p.to.mac ?? r.mac;
        const other = r.result.responders.filter((m) => m.toLowerCase() !== want);
        return other.length ? `answered by ${other.join(', ')}, expected ${want}` : undefined;
      });
    },
  },
  {
    suite: 'reach',
    id: 'reach/udp-both-ways',
    title: 'every such pair carries UDP with sequence numbers complete, both ways',
    judge(j) {
      judgePairs(j, j.probe.udp, 'UDP probe', (r) => {
        if (r.report.unique < r.sent || r.sent < 1) return `${r.report.unique} of ${r.sent} datagrams arrived`;
        return r.report.foreign ? `${r.report.foreign} datagram(s) of other tenants arrived` : undefined;
      });
    },
  },
];
