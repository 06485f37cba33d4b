import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { parseDecodeAs } from '../../../src/decode/decode-as.js';
import { shellWord, tsharkDecodeArgs, tsharkDecodeItems, tsharkFrameCommand } from '../../../src/tagging/tshark.js';

describe('tagging/tshark: the plan as tshark -d arguments', () => {
  it('joins consecutive labels of one kind into ranges, and names tshark dissectors', () => {
    const items = tsharkDecodeItems({
      decodeHints: {
        '1003': 'pw-eth-nocw',
        '1001': 'pw-eth-nocw',
        '1002': 'pw-eth-nocw',
        '1005': 'pw-eth-cw',
        '7': 'ipv4',
      },
    });
    expect(items).to.deep.equal(['mpls.label==7,ip', 'mpls.label==1001-1003,pwethnocw', 'mpls.label==1005,pwethcw']);
  });

  it('adds the provider VXLAN port only when it is not 4789', () => {
    const prov = (dstport: number) => ({ vni: 1, dstport, local: '198.51.100.1', remote: '198.51.100.2' });
    expect(tsharkDecodeItems({ decodeHints: {}, provider: prov(4789) })).to.deep.equal([]);
    expect(tsharkDecodeArgs({ decodeHints: { '1001': 'pw-eth-nocw' }, provider: prov(8472) })).to.deep.equal([
      '-d',
      'mpls.label==1001,pwethnocw',
      '-d',
      'udp.port==8472,vxlan',
    ]);
  });

  it("produces items fabric's own --decode-as reads back to the same labels", () => {
    const hints = { '1001': 'pw-eth-nocw', '1002': 'pw-eth-nocw', '2000': 'pw-eth-cw' } as const;
    const d = parseDecodeAs(tsharkDecodeItems({ decodeHints: hints }));
    expect(d.ranges).to.deep.equal([{ from: 1001, to: 1002, kind: 'pw-eth-nocw' }]);
    expect(d.labels).to.deep.equal({ 2000: 'pw-eth-cw' });
  });

  it('writes a ready command, quoting only what a shell would split', () => {
    expect(tsharkFrameCommand('captures/mtdc/r1/dc1-sw--p2.pcap', 12, ['mpls.label==1001-1003,pwethnocw'])).to.equal(
      'tshark -r captures/mtdc/r1/dc1-sw--p2.pcap -Y frame.number==12 -V -d mpls.label==1001-1003,pwethnocw',
    );
    expect(shellWord("a b'c")).to.equal(`'a b'\\''c'`);
    expect(shellWord('x;rm')).to.equal(`'x;rm'`);
  });

  it('is accepted by the installed tshark when there is one', function () {
    const probe = spawnSync('tshark', ['-v'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) this.skip();
    const r = spawnSync(
      'tshark',
      [
        '-r',
        'tests/fixtures/pcap/arp.pcap',
        '-c',
        '1',
        ...tsharkDecodeArgs({
          decodeHints: { '1001': 'pw-eth-nocw', '1002': 'pw-eth-nocw' },
          provider: { vni: 1, dstport: 8472, local: '', remote: '' },
        }),
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).to.equal(0);
  });
});
