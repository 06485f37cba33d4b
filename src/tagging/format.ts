// Human-readable `fabric plan`: the tag map of seed 001 FIG. 6-8 as tables, the LSPs hop by
// hop, the decode hints and the MTU budget.
import { allDcPaths } from './dc-routes.js';
import { shellWord, tsharkDecodeArgs } from './tshark.js';
import type { TagPlan } from './types.js';

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => c.padEnd(w[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatPlan(plan: TagPlan, hash: string): string {
  const out: string[] = [`tag plan for lab ${plan.lab} (plan ${hash})`, ''];
  out.push('Tag1 host tags (802.1ad S-VID) and Tag2 customer tags (802.1Q C-VID), per site and own VLAN:');
  const rows: (string | number)[][] = [];
  for (const s of plan.sites) {
    for (const v of s.vlans) {
      const d = plan.domains.find((x) => x.tenant === s.tenant && x.ownVlan === v);
      rows.push([s.tenant, s.site, s.type, s.dc, v, s.hostTag, d?.customerTag ?? '-']);
    }
  }
  out.push(table(['tenant', 'site', 'type', 'dc', 'own-vlan', 'tag1', 'tag2'], rows), '');
  out.push('Tag3 DC/VPLS pseudowire labels and gateways:');
  out.push(
    table(
      ['dc', 'tag3', 'gateways'],
      plan.dcs.map((d) => [d.name, d.dcTag, d.gateways.map((g) => `${g.remoteDc} via ${g.node}`).join(', ') || '-']),
    ),
    '',
  );
  const pairs = allDcPaths(plan);
  if (pairs.length) {
    // One path per DC pair; a DC in the middle is a transit DC stitching two pseudowire segments.
    out.push('DC paths (pseudowire segments; a DC in the middle stitches them, Tag3 swapped per segment):');
    out.push(
      table(
        ['dcs', 'path', 'transit'],
        pairs.map((p) => [
          `${p.from}-${p.to}`,
          p.path ? p.path.join(' > ') : 'none',
          p.path && p.path.length > 2 ? p.path.slice(1, -1).join(', ') : '-',
        ]),
      ),
      '',
    );
  }
  if (plan.lsps.length) {
    out.push('Tag4 long-haul LSPs (label/ttl per hop; swapped at P routers, popped by the egress PE):');
    out.push(
      table(
        ['from', 'to', 'hops'],
        plan.lsps.map((l) => [
          l.from,
          l.to,
          l.hops.map((h) => `${h.from.node}>${h.to.node} ${h.label}/${h.ttl}`).join('  '),
        ]),
      ),
      '',
    );
  }
  if (plan.provider)
    out.push(
      `provider segment: VXLAN vni ${plan.provider.vni} udp ${plan.provider.dstport} between ${plan.provider.local} and ${plan.provider.remote}`,
      '',
    );
  out.push('decode hints (fabric inspect --decode-as):');
  out.push(
    '  ' +
      (Object.entries(plan.decodeHints)
        .map(([l, k]) => `${l}=${k}`)
        .join(' ') || '-'),
  );
  const tshark = tsharkDecodeArgs(plan);
  out.push('tshark decode-as arguments (tshark -r FILE ...):', `  ${tshark.map(shellWord).join(' ') || '-'}`, '');
  out.push(`MTU budget (client IP MTU ${plan.tenantMtu}):`);
  out.push(
    table(
      ['class', 'mtu', 'headers after the outer Ethernet'],
      plan.mtu.map((m) => [m.class, m.mtu, m.headers.map((h) => `${h.name} ${h.bytes}`).join(' + ') || '-']),
    ),
  );
  return out.join('\n') + '\n';
}
