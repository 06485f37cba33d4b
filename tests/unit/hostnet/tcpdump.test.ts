import { expect } from 'chai';
import {
  isListening,
  listeningDevice,
  parseTcpdumpStats,
  tcpdumpArgv,
  vxlanFilter,
} from '../../../src/hostnet/tcpdump.js';

describe('capture/tcpdump', () => {
  it("captures a stitched end in its host's namespace on the underlay, keeping only its tunnel's frames", () => {
    const a = tcpdumpArgv(
      {
        netns: 'fh-spu-h1',
        ifname: 'spu-dc1-ic_2',
        hostIf: null,
        via: { netns: 'fh-spu-h1', ifname: 'ul', vxlan: { vni: 10000, dstPort: 14789 } },
      },
      '/run/x/dc1-ic--p2.pcap',
    );
    expect(a.file).to.equal('ip');
    expect(a.args.slice(0, 6)).to.deep.equal(['netns', 'exec', 'fh-spu-h1', 'tcpdump', '-i', 'ul']);
    expect(a.args.slice(-12)).to.deep.equal([
      '-w',
      '/run/x/dc1-ic--p2.pcap',
      'udp',
      'dst',
      'port',
      '14789',
      'and',
      'udp[12:4]',
      '&',
      '0xffffff00',
      '=',
      '2560000',
    ]);
    // A node-namespace end: tcpdump runs in the host's namespace, not the node's.
    const n = tcpdumpArgv(
      {
        netns: 'clab-spu-x',
        ifname: 'eth1',
        hostIf: null,
        via: { netns: 'fh-spu-h2', ifname: 'ul', vxlan: { vni: 1, dstPort: 4789 } },
      },
      'f.pcap',
      { filter: ['not', 'arp'] },
    );
    expect(n.args.slice(2, 6)).to.deep.equal(['fh-spu-h2', 'tcpdump', '-i', 'ul']);
    expect(n.args.slice(n.args.indexOf('f.pcap') + 1)).to.deep.equal([
      '(',
      ...vxlanFilter({ vni: 1, dstPort: 4789 }),
      ')',
      'and',
      '(',
      'not',
      'arp',
      ')',
    ]);
  });

  it('refuses a VNI or UDP port out of range, and a bad underlay name', () => {
    for (const vni of [0, -1, 16777216, 1.5, NaN])
      expect(() => vxlanFilter({ vni, dstPort: 14789 }), `vni ${vni}`).to.throw(RangeError, /VNI/);
    for (const dstPort of [0, 65536, 14789.5])
      expect(() => vxlanFilter({ vni: 10, dstPort }), `port ${dstPort}`).to.throw(RangeError, /UDP port/);
    expect(vxlanFilter({ vni: 16777215, dstPort: 65535 }).at(-1)).to.equal(String(16777215 * 256));
    const t = (ifname: string) => ({
      netns: 'fh-a-h1',
      ifname: 'x',
      hostIf: null,
      via: { netns: 'fh-a-h1', ifname, vxlan: { vni: 10, dstPort: 14789 } },
    });
    expect(() => tcpdumpArgv(t('ul; rm -rf /'), 'f.pcap')).to.throw();
    expect(() => tcpdumpArgv(t('ul'), 'f.pcap')).to.not.throw();
  });

  it('builds a namespace command line: ip netns exec, -U, --immediate-mode, -s 9216 -B 8192 (see DEFAULT_SNAPLEN), -Z root, -w', () => {
    const a = tcpdumpArgv({ netns: 'clab-mtdc-c1', ifname: 'eth0', hostIf: null }, '/run/x/c1--eth0.pcap');
    expect(a).to.deep.equal({
      file: 'ip',
      args: [
        'netns',
        'exec',
        'clab-mtdc-c1',
        'tcpdump',
        '-i',
        'eth0',
        '-U',
        '-n',
        '--immediate-mode',
        '-s',
        '9216',
        '-B',
        '8192',
        '-Z',
        'root',
        '-w',
        '/run/x/c1--eth0.pcap',
      ],
    });
  });

  it('captures a root-namespace end on its hostIf, and records -Q when asked', () => {
    const a = tcpdumpArgv({ netns: null, ifname: 'p1', hostIf: 'mtdc-sw1-p1' }, 'f.pcap', {
      direction: 'in',
      snaplen: 262144,
      bufferKiB: 1024,
    });
    expect(a.file).to.equal('tcpdump');
    expect(a.args).to.deep.equal([
      '-i',
      'mtdc-sw1-p1',
      '-U',
      '-n',
      '--immediate-mode',
      '-s',
      '262144',
      '-B',
      '1024',
      '-Z',
      'root',
      '-Q',
      'in',
      '-w',
      'f.pcap',
    ]);
    expect(() => tcpdumpArgv({ netns: 'n', ifname: 'eth0', hostIf: null }, 'f', { snaplen: 10 })).to.throw(RangeError);
    expect(() => tcpdumpArgv({ netns: 'n', ifname: 'eth0', hostIf: null }, 'f', { bufferKiB: 1 })).to.throw(RangeError);
  });

  it('refuses names that could become options or paths', () => {
    expect(() => tcpdumpArgv({ netns: '-x', ifname: 'eth0', hostIf: null }, 'f')).to.throw(/namespace/);
    expect(() => tcpdumpArgv({ netns: 'ns', ifname: '--help', hostIf: null }, 'f')).to.throw(/interface/);
    expect(() => tcpdumpArgv({ netns: null, ifname: 'x', hostIf: null }, 'f')).to.throw(/interface/);
    expect(() => tcpdumpArgv({ netns: 'a/b', ifname: 'eth0', hostIf: null }, 'f')).to.throw(/namespace/);
    expect(() => tcpdumpArgv({ netns: null, ifname: 'x', hostIf: 'averyverylongname0' }, 'f')).to.throw(/interface/);
  });

  it('parses the statistics tcpdump prints on SIGINT', () => {
    const err = [
      'tcpdump: listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes',
      '1204 packets captured',
      '1210 packets received by filter',
      '6 packets dropped by kernel',
      '',
    ].join('\n');
    expect(parseTcpdumpStats(err)).to.deep.equal({
      captured: 1204,
      receivedByFilter: 1210,
      droppedByKernel: 6,
      droppedByInterface: null,
    });
    expect(parseTcpdumpStats(err + '3 packets dropped by interface\n')?.droppedByInterface).to.equal(3);
    expect(
      parseTcpdumpStats('1 packet captured\n1 packet received by filter\n0 packets dropped by kernel\n'),
    ).to.deep.include({ captured: 1, receivedByFilter: 1 });
    expect(parseTcpdumpStats('tcpdump: eth9: No such device exists\n')).to.equal(null);
  });

  it('recognises the listening line only', () => {
    expect(
      isListening('tcpdump: listening on veth1, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n'),
    ).to.equal(true);
    expect(listeningDevice('tcpdump: listening on veth1, link-type EN10MB')).to.equal('veth1');
    expect(isListening('tcpdump: veth1: That device is not up\n')).to.equal(false);
    expect(isListening('')).to.equal(false);
  });
});
