// Generated intents for limit tests and the load bench: `tenants` tenants, each with `sites`
// client sites of `systems` systems, spread over two DCs joined by a dedicated line.
export interface BigIntentShape {
  tenants: number;
  sites: number;
  systems: number;
  /** Declared host_tag per site (from 1, so tag capacity is never the limit); default: none. */
  declareTags?: boolean;
  /** Pad with a description up to this many bytes. */
  padTo?: number;
}

export function bigIntent(shape: BigIntentShape): string {
  const parts: string[] = [
    'name: big\n',
    'datacenters:\n  dc1: {}\n  dc2: {}\n',
    'interconnects:\n  - { between: [dc1, dc2] }\n',
    'tenants:\n',
  ];
  let tag = 0;
  for (let t = 0; t < shape.tenants; t++) {
    parts.push(`  t${t}:\n    sites:\n`);
    for (let s = 0; s < shape.sites; s++) {
      const ht = shape.declareTags ? `, host_tag: ${(tag++ % 4094) + 1}` : '';
      parts.push(`      - { name: s${s}, type: client, dc: dc${(s % 2) + 1}${ht}, systems: [\n`);
      for (let k = 0; k < shape.systems; k++)
        parts.push(`          { name: h${k}, vlan: 100, ip: 10.${s % 256}.${k % 256}.${(k >> 8) + 10}/8 },\n`);
      parts.push('        ] }\n');
    }
  }
  let text = parts.join('');
  if (shape.padTo !== undefined && shape.padTo > text.length) {
    const room = shape.padTo - text.length - 'description: ""\n'.length;
    if (room > 0) text = `description: "${'x'.repeat(room)}"\n` + text;
  }
  return text;
}
