// Examples shown at the end of each verb's --help: what a containerlab or netlab user types first.
// One entry per verb (a unit test fails when a registered verb has none).

export const EXAMPLES: ReadonlyMap<string, readonly string[]> = new Map([
  ['version', ['fabric version', 'fabric --version']],
  ['attach', ['fabric attach mtdc --clab labs/mtdc/mtdc.clab.yml   # after containerlab deploy']],
  ['detach', ['fabric detach mtdc                          # then containerlab destroy']],
  [
    'clab',
    [
      'fabric clab deploy -t labs/mtdc/mtdc.clab.yml   # what containerlab deploy -t would do',
      'fabric clab destroy mtdc',
    ],
  ],
  [
    'images',
    [
      'fabric images build                       # fabric/host:1, fabric/router:1, fabric/ovs:1 from local packages',
      'fabric images build --role router --json',
    ],
  ],
  [
    'generate',
    [
      'fabric generate mtdc                      # writes labs/mtdc/mtdc.clab.yml and mtdc.bridges.sh',
      'fabric generate failover --without-hypervisors   # the deployable fabric part of a hypervisor lab',
      'fabric generate mtdc --out /tmp/m.clab.yml',
      'fabric generate --scale 1000 --model --out /tmp/scale.json',
      'fabric generate mtdc --hosts hosts.yml --out out/   # one containerlab file per host + placement',
      'fabric generate mtdc --hosts hosts.yml --tls       # + pssl: listeners, the lab PKI (mtdc.pki/), mtdc.<host>.ovs-ssl.sh',
      'fabric generate mtdc --clabernetes                # labs/mtdc/mtdc.c9s.yml, a clabernetes Topology',
    ],
  ],
  [
    'inspect',
    [
      'fabric inspect captures/mtdc/<run>/p1--p1.pcap --decode-as 1003=pw-eth-nocw',
      'fabric inspect merged.pcapng --vlan 100 --label 1003 --stats',
      'tcpdump -i eth1 -w - | fabric inspect - --json',
    ],
  ],
  [
    'up',
    [
      'fabric up mtdc',
      'fabric up -t labs/mtdc/fabric.yml --runtime docker',
      'fabric up labs/mtdc --no-after',
      'fabric up mtdc --hosts 2           # split over 2 emulated hosts (docs/scale-out.md)',
      "fabric up mtdc --hosts hosts.yml   # split over the hosts file's hosts, their names and addresses",
    ],
  ],
  ['down', ['fabric down mtdc', 'fabric down -t labs/mtdc/fabric.yml', 'fabric down --all --prefix scale']],
  ['status', ['fabric status mtdc', 'fabric status labs/mtdc/fabric.yml --json']],
  [
    'plan',
    [
      'fabric plan mtdc',
      'fabric plan labs/mtdc/fabric.yml --json | jq .decodeHints',
      'fabric plan mtdc --hosts hosts.yml   # stitched links and their VXLAN MTU',
    ],
  ],
  ['program', ['fabric program mtdc                        # after an ovs-vswitchd restart']],
  ['flows', ['fabric flows mtdc', 'fabric flows mtdc --diff --bridge dc1-sw']],
  [
    'test',
    [
      'fabric test mtdc',
      'fabric test mtdc --suite isolation --grep canaries',
      'fabric test mtdc --reporter dot --junit reports/junit.xml',
      'fabric test mtdc --reporter json > results.json        # progress and stage times go to stderr',
      'fabric test mtdc --mutate',
    ],
  ],
  [
    'capture',
    [
      'fabric capture mtdc start --duration 10',
      'fabric capture mtdc start --detach --class long-haul',
      'fabric capture mtdc stop',
      'fabric capture mtdc list --json',
    ],
  ],
  [
    'trace',
    ['fabric trace captures/mtdc/<run> --contains Happy', 'fabric trace captures/mtdc/<run> --frame p1--p1.pcap:3'],
  ],
  [
    'failover',
    [
      'fabric up labs/failover/fabric.yml',
      'fabric failover setup failover',
      'fabric failover trigger failover --kind failure --host hvc --probe 12',
      'fabric failover status failover --json',
      'fabric failover failback failover',
      'fabric failover teardown failover',
      'fabric failover failover --trigger failure --host hvc   # the flag form, kept',
    ],
  ],
  [
    'impair',
    [
      'fabric impair mtdc dc1-ic:p2--dc2-ic:p2 --delay 20ms --jitter 2ms --loss 1% --rate 100mbit',
      'fabric impair mtdc dc1-ic:p2--dc2-ic:p2 --clear',
      'fabric impair --caps',
    ],
  ],
  [
    'graph',
    [
      'fabric graph mtdc --format mermaid',
      'fabric graph mtdc --format dot | dot -Tsvg > mtdc.svg',
      'fabric graph mtdc --format drawio --out mtdc.drawio',
    ],
  ],
  [
    'exec',
    [
      'fabric exec mtdc red-c1-h1 -- ip -br addr',
      'fabric exec failover hvc-v1 -- uname -r         # a virtual hypervisor, through its guest agent',
      'fabric exec mtdc --label role=endpoint -- ping -c1 10.20.30.10',
    ],
  ],
  ['shell', ['fabric shell mtdc red-c1-h1', 'fabric shell mtdc prov-a']],
]);

/** The help text after a verb's options: its examples, or nothing. */
export function examplesText(verb: string): string {
  const xs = EXAMPLES.get(verb);
  return xs ? `\nExamples:\n${xs.map((x) => `  $ ${x}`).join('\n')}\n` : '';
}
