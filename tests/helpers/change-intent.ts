// A changed intent for the converge tests (unit golden and integration): labs/failover without
// hypervisors, with green's client site in dc2 dropped (a node, its switch and two links) and a
// second red client system in dc1 added.
/** The same lab with green's client site in dc2 dropped and a second red client system added. */
export function changedIntent(text: string): string {
  const at = text.indexOf('  green:');
  const green = text.slice(at).replace(/^ {6}- \{ name: c1, type: client, dc: dc2,\n.*\n/m, '');
  return (text.slice(0, at) + green).replace(
    '{ name: h1, vlan: 100, ip: 10.20.30.11/24, mac: "02:00:00:00:00:11" } ] }',
    '{ name: h1, vlan: 100, ip: 10.20.30.11/24, mac: "02:00:00:00:00:11" },\n                   { name: h2, vlan: 100, ip: 10.20.30.12/24, mac: "02:00:00:00:00:12" } ] }',
  );
}
