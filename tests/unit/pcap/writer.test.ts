// Written files must open cleanly in tshark (the reference reader) and read back identically here.
import { expect } from 'chai';
import { execa } from 'execa';
import { PassThrough } from 'node:stream';
import {
  createPcapWriter,
  createPcapngWriter,
  encodePcap,
  encodePcapng,
  type WritePacket,
} from '../../../src/pcap/index.js';
import { ethFrame, readAll, tempDir } from './helpers.js';

async function tshark(file: string, fields: string[]): Promise<string[][]> {
  const r = await execa('tshark', ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { reject: false });
  expect(r.exitCode, r.stderr).to.equal(0);
  expect(r.stderr).to.not.match(/appears to be damaged|cut short|isn't a capture file/i);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
}

const pk: WritePacket[] = [1, 2, 3].map((i) => ({
  data: ethFrame(i, 60 + i),
  tsNs: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_001n,
}));

describe('pcap: writing (checked with tshark)', () => {
  const t = tempDir();
  after(() => t.cleanup());

  for (const precision of ['us', 'ns'] as const) {
    it(`classic pcap, ${precision}`, async () => {
      const f = t.file(`w-${precision}.pcap`, encodePcap(pk, { precision }));
      const rows = await tshark(f, ['frame.number', 'frame.time_epoch', 'frame.len', 'eth.src']);
      expect(rows.map((r) => r[0])).to.deep.equal(['1', '2', '3']);
      expect(rows[0]![1]).to.equal(precision === 'ns' ? '1700000000.001000001' : '1700000000.001000000');
      expect(rows[2]![2]).to.equal('63');
      expect(rows[0]![3]).to.equal('02:00:00:00:00:01');
    });
  }

  it('pcapng with interface names, packet comments and a section comment', async () => {
    const f = t.file(
      'w.pcapng',
      encodePcapng(
        pk.map((p, i) => ({ ...p, ifIndex: i % 2, comment: `pkt ${i + 1}` })),
        {
          interfaces: [{ name: 'dc1-agg1' }, { name: 'pe1-p1', precision: 'ns' }],
          sectionComment: 'fabric run 42',
        },
      ),
    );
    const rows = await tshark(f, ['frame.number', 'frame.interface_name', 'frame.comment', 'frame.time_epoch']);
    expect(rows.map((r) => r.slice(0, 3))).to.deep.equal([
      ['1', 'dc1-agg1', 'pkt 1'],
      ['2', 'pe1-p1', 'pkt 2'],
      ['3', 'dc1-agg1', 'pkt 3'],
    ]);
    expect(rows[1]![3]).to.equal('1700000000.002000002');
    const info = await execa('capinfos', [f]);
    expect(info.stdout).to.contain('fabric run 42');
    const back = await readAll(f);
    expect(back.frames.map((x) => x.comment)).to.deep.equal(['pkt 1', 'pkt 2', 'pkt 3']);
  });

  it('streaming writers flush in pieces and close files that tshark reads', async () => {
    const f1 = t.file('stream.pcap');
    const w = createPcapWriter(f1, { precision: 'ns' });
    for (let i = 0; i < 20000; i++) {
      if (!w.write({ data: ethFrame(i, 100), ts: i / 1000 })) await w.drain();
    }
    await w.close();
    expect((await tshark(f1, ['frame.number'])).length).to.equal(20000);

    const f2 = t.file('stream.pcapng');
    const w2 = createPcapngWriter(f2, { interfaces: [{ name: 'a' }, { name: 'b' }] });
    for (let i = 0; i < 5000; i++) w2.write({ data: ethFrame(i, 80), ts: i, ifIndex: i % 2 });
    await w2.close();
    const rows = await tshark(f2, ['frame.interface_name']);
    expect(rows).to.have.length(5000);
    expect(rows[4999]![0]).to.equal('b');
  });

  it('writes to any Writable (e.g. a pipe) without owning it', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const w = createPcapWriter(out);
    w.write({ data: ethFrame(1) });
    await w.close();
    expect(out.writableEnded).to.equal(false);
    expect(Buffer.concat(chunks).length).to.equal(24 + 16 + 64);
  });
});
