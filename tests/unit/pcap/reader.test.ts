import { expect } from 'chai';
import { chmodSync } from 'node:fs';
import { encodePcap, encodePcapng, openCapture, scanCapture, type WritePacket } from '../../../src/pcap/index.js';
import { FabricError } from '../../../src/errors/fabric-error.js';
import { ethFrame, readAll, tempDir, u32le } from './helpers.js';

const packets: WritePacket[] = [1, 2, 3, 4].map((i) => ({
  data: ethFrame(i, 60 + i),
  tsNs: 1_700_000_000_000_000_000n + BigInt(i) * 123_456_789n,
}));

describe('pcap: reading', () => {
  const t = tempDir();
  after(() => t.cleanup());

  for (const precision of ['us', 'ns'] as const) {
    for (const bigEndian of [false, true]) {
      it(`reads a classic ${precision} pcap, ${bigEndian ? 'big' : 'little'}-endian, on both engines`, async () => {
        const f = t.file(`c-${precision}-${bigEndian}.pcap`, encodePcap(packets, { precision, bigEndian }));
        for (const engine of ['fast', 'pcap-parser'] as const) {
          const { frames, warnings } = await readAll(f, { engine });
          expect(warnings).to.deep.equal([]);
          expect(frames.map((x) => x.n)).to.deep.equal([1, 2, 3, 4]);
          expect(frames[1]!.data).to.deep.equal(packets[1]!.data);
          expect(frames[1]!.len).to.equal(62);
          expect(frames[0]!.tsString).to.equal(precision === 'ns' ? '1700000000.123456789' : '1700000000.123456');
          expect(frames[0]!.ts).to.be.closeTo(1700000000.123456, 1e-5);
        }
      });
    }
  }

  for (const bigEndian of [false, true]) {
    it(`reads pcapng with several named interfaces and comments (${bigEndian ? 'BE' : 'LE'})`, async () => {
      const pk = packets.map((p, i) => ({ ...p, ifIndex: i % 3, comment: i === 2 ? 'marked' : undefined }));
      const f = t.file(
        `m-${bigEndian}.pcapng`,
        encodePcapng(pk, {
          bigEndian,
          sectionComment: 'run 1',
          interfaces: [{ name: 'dc1-ag1' }, { name: 'pe1-p1', precision: 'ns' }, {}],
        }),
      );
      const cap = await openCapture(f);
      const frames = [];
      for await (const x of cap) frames.push(x);
      expect(cap.info!.format).to.equal('pcapng');
      expect(cap.info!.sectionComment).to.equal('run 1');
      expect(frames.map((x) => [x.ifIndex, x.ifName])).to.deep.equal([
        [0, 'dc1-ag1'],
        [1, 'pe1-p1'],
        [2, undefined],
        [0, 'dc1-ag1'],
      ]);
      expect(frames[2]!.comment).to.equal('marked');
      expect(frames[1]!.tsString).to.equal('1700000000.246913578');
      expect(frames[0]!.tsString).to.equal('1700000000.123456');
      expect(frames[3]!.data).to.deep.equal(packets[3]!.data);
    });
  }

  it('reads simple packet blocks (no timestamp) with the first interface snaplen', async () => {
    // SHB + IDB(snaplen 40) + SPB(len 64) built by hand.
    const base = encodePcapng([], { interfaces: [{ snaplen: 40 }] });
    const spb = new Uint8Array(16 + 64);
    const dv = new DataView(spb.buffer);
    dv.setUint32(0, 3, true);
    dv.setUint32(4, spb.length, true);
    dv.setUint32(8, 64, true);
    spb.set(ethFrame(9, 64), 12);
    dv.setUint32(spb.length - 4, spb.length, true);
    const f = t.file('spb.pcapng', new Uint8Array([...base, ...spb]));
    const { frames, warnings } = await readAll(f);
    expect(frames).to.have.length(1);
    expect(frames[0]!.caplen).to.equal(40);
    expect(frames[0]!.len).to.equal(64);
    expect(warnings.map((w) => w.code)).to.deep.equal(['snaplen-cut']);
  });

  it('scanCapture walks records zero-copy and reports counts', async () => {
    const f = t.file('scan.pcap', encodePcap(packets));
    const sizes: number[] = [];
    const r = await scanCapture(f, (rec) => {
      sizes.push(rec.caplen);
    });
    expect(sizes).to.deep.equal([61, 62, 63, 64]);
    expect(r.frames).to.equal(4);
    expect(r.info.format).to.equal('pcap');
  });

  it('handles records split across tiny read chunks', async () => {
    const f = t.file('chunks.pcapng', encodePcapng(packets, { interfaces: [{ name: 'x' }] }));
    const { frames } = await readAll(f, { chunkSize: 7 });
    expect(frames.map((x) => x.caplen)).to.deep.equal([61, 62, 63, 64]);
  });
});

describe('pcap: bad input (clear message naming file and frame)', () => {
  const t = tempDir();
  after(() => t.cleanup());
  const good = encodePcap(packets, { snaplen: 1000 });

  async function openErr(path: string): Promise<FabricError> {
    try {
      const { frames } = await readAll(path);
      throw new Error(`expected an error, read ${frames.length} frames`);
    } catch (e) {
      expect(e).to.be.instanceOf(FabricError);
      return e as FabricError;
    }
  }

  it('unreadable file: missing, directory, no permission', async () => {
    const e1 = await openErr(t.file('nope.pcap'));
    expect(e1.code).to.equal('E_CAPTURE_UNREADABLE');
    expect(e1.format()).to.contain('nope.pcap').and.contain('no such file');
    const e2 = await openErr(t.dir);
    expect(e2.code).to.equal('E_CAPTURE_UNREADABLE');
    expect(e2.format()).to.contain('is a directory');
    if (process.getuid?.() !== 0) {
      const p = t.file('noperm.pcap', good);
      chmodSync(p, 0);
      expect((await openErr(p)).code).to.equal('E_CAPTURE_UNREADABLE');
    }
  });

  it('wrong magic', async () => {
    const e = await openErr(t.file('text.pcap', new TextEncoder().encode('hello world, not a capture file at all')));
    expect(e.code).to.equal('E_CAPTURE_FORMAT');
    expect(e.format()).to.contain('text.pcap').and.contain('magic 0x68656c6c');
  });

  it('empty file and file ending inside the header', async () => {
    expect((await openErr(t.file('empty.pcap', new Uint8Array(0)))).message).to.equal('empty file');
    const e = await openErr(t.file('short.pcap', good.subarray(0, 10)));
    expect(e.code).to.equal('E_CAPTURE_TRUNCATED');
    expect(e.format()).to.contain('short.pcap').and.contain('file header');
    const ng = encodePcapng(packets, { interfaces: [{}] });
    expect((await openErr(t.file('short.pcapng', ng.subarray(0, 20)))).code).to.equal('E_CAPTURE_TRUNCATED');
  });

  for (const engine of ['fast', 'pcap-parser'] as const) {
    it(`truncated file: last record cut in its body and in its header (${engine})`, async () => {
      const a = await readAll(t.file('trunc-body.pcap', good.subarray(0, good.length - 5)), { engine });
      expect(a.frames).to.have.length(3);
      expect(a.warnings).to.have.length(1);
      expect(a.warnings[0]!.code).to.equal('truncated-file');
      expect(a.warnings[0]!.frame).to.equal(4);
      expect(a.warnings[0]!.message).to.contain('trunc-body.pcap: frame 4:').and.contain('59 of 64 captured bytes');
      const b = await readAll(t.file('trunc-head.pcap', good.subarray(0, 24 + 3 * 16 + 61 + 62 + 63 + 5)), { engine });
      expect(b.frames).to.have.length(3);
      expect(b.warnings[0]!.message).to.contain('frame 4').and.contain('record header incomplete (5 of 16 bytes)');
    });

    it(`corrupt caplen above the snap length and above 262144 stops cleanly (${engine})`, async () => {
      // record 2 header starts at 24 + 16 + 61; its caplen field is 8 bytes in.
      const off = 24 + 16 + 61 + 8;
      for (const [bad, text] of [
        [2000, 'snap length 1000'],
        [0x7fffffff, 'maximum of 262144'],
      ] as const) {
        const f = t.file(`corrupt-${bad}.pcap`, u32le(good, off, bad));
        const r = await readAll(f, { engine });
        expect(r.frames.map((x) => x.n)).to.deep.equal([1]);
        expect(r.warnings).to.have.length(1);
        expect(r.warnings[0]!.code).to.equal('corrupt-record');
        expect(r.warnings[0]!.message).to.contain(`corrupt-${bad}.pcap: frame 2:`).and.contain(text);
      }
    });
  }

  it('frame cut by the snap length, zero-length frame: warned, decoding continues', async () => {
    const pk: WritePacket[] = [
      { data: ethFrame(1, 60) },
      { data: ethFrame(2, 40), len: 1514 },
      { data: new Uint8Array(0), len: 0 },
      { data: ethFrame(4, 60) },
    ];
    for (const engine of ['fast', 'pcap-parser'] as const) {
      const r = await readAll(t.file('cut.pcap', encodePcap(pk)), { engine });
      expect(r.frames.map((x) => [x.n, x.caplen, x.len])).to.deep.equal([
        [1, 60, 60],
        [2, 40, 1514],
        [3, 0, 0],
        [4, 60, 60],
      ]);
      expect(r.warnings.map((w) => [w.code, w.frame])).to.deep.equal([
        ['snaplen-cut', 2],
        ['zero-length', 3],
      ]);
      expect(r.warnings[0]!.message).to.contain('cut.pcap: frame 2: frame cut by the snap length (40 of 1514');
    }
  });

  it('unknown linktype: frames are yielded, one warning naming the linktype and first frame', async () => {
    const r = await readAll(t.file('wlan.pcap', encodePcap(packets, { linktype: 105 })));
    expect(r.frames).to.have.length(4);
    expect(r.frames[0]!.linktype).to.equal(105);
    expect(r.warnings).to.have.length(1);
    expect(r.warnings[0]!.message).to.contain('wlan.pcap: frame 1: linktype 105 (IEEE802_11) is not decoded');
  });

  it('many snaplen-cut frames: warnings are capped and summarised', async () => {
    const pk = Array.from({ length: 30 }, (_, i) => ({ data: ethFrame(i, 40), len: 100 }));
    const r = await readAll(t.file('many.pcap', encodePcap(pk)));
    expect(r.frames).to.have.length(30);
    expect(r.warnings).to.have.length(11);
    expect(r.warnings[10]!.message).to.contain('30 frames with snaplen-cut in total');
  });

  it('pcapng: packet on an undeclared interface and an oversized caplen are skipped, later frames read', async () => {
    const ng = encodePcapng(packets, { interfaces: [{ name: 'a' }] });
    // SHB length at 4, IDB follows; EPB #1 begins after them. Patch EPB #1's interface id to 7.
    const dv = new DataView(ng.buffer, ng.byteOffset);
    const shb = dv.getUint32(4, true);
    const idb = dv.getUint32(shb + 4, true);
    const epb1 = shb + idb;
    let bad = u32le(ng, epb1 + 8, 7);
    const epb2 = epb1 + dv.getUint32(epb1 + 4, true);
    bad = u32le(bad, epb2 + 20, 5000); // caplen beyond its block
    const r = await readAll(t.file('bad.pcapng', bad));
    expect(r.frames.map((x) => x.n)).to.deep.equal([3, 4]);
    expect(r.warnings.map((w) => [w.code, w.frame])).to.deep.equal([
      ['unknown-interface', 1],
      ['corrupt-record', 2],
    ]);
  });

  it('pcapng: a corrupt block length stops with a warning', async () => {
    const ng = encodePcapng(packets, { interfaces: [{}] });
    const dv = new DataView(ng.buffer, ng.byteOffset);
    const shb = dv.getUint32(4, true);
    const idb = dv.getUint32(shb + 4, true);
    const epb1 = shb + idb;
    const epb2 = epb1 + dv.getUint32(epb1 + 4, true);
    const r = await readAll(t.file('badlen.pcapng', u32le(ng, epb2 + 4, 13)));
    expect(r.frames.map((x) => x.n)).to.deep.equal([1]);
    expect(r.warnings[0]!.code).to.equal('corrupt-record');
    expect(r.warnings[0]!.message).to.contain('badlen.pcapng: frame 2: corrupt pcapng block');
  });

  it('pcapng truncated in the middle of a block', async () => {
    const ng = encodePcapng(packets, { interfaces: [{}] });
    const r = await readAll(t.file('trunc.pcapng', ng.subarray(0, ng.length - 10)));
    expect(r.frames).to.have.length(3);
    expect(r.warnings[0]!.code).to.equal('truncated-file');
    expect(r.warnings[0]!.message).to.contain('frame 4');
  });

  it('pcap-parser engine refuses pcapng with a clear error', async () => {
    const f = t.file('x.pcapng', encodePcapng(packets, { interfaces: [{}] }));
    try {
      await openCapture(f, { engine: 'pcap-parser' });
      expect.fail('should throw');
    } catch (e) {
      expect((e as FabricError).code).to.equal('E_CAPTURE_ENGINE');
    }
  });
});
