// The fast walker and the pcap-parser path must yield identical frames and warnings on the same
// bytes: random captures (fast-check), edge cases, from files and from a stream.
import { expect } from 'chai';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import {
  encodePcap,
  openCapture,
  type CaptureFrame,
  type CaptureWarning,
  type WritePacket,
} from '../../../src/pcap/index.js';
import { readAll, tempDir } from './helpers.js';

const packetArb = fc.record({
  data: fc.uint8Array({ minLength: 0, maxLength: 300 }),
  sec: fc.integer({ min: 0, max: 0xffffffff }),
  frac: fc.integer({ min: 0, max: 999_999_999 }),
  extra: fc.integer({ min: 0, max: 40 }),
});
const fileArb = fc.record({
  packets: fc.array(packetArb, { maxLength: 40 }),
  precision: fc.constantFrom('us' as const, 'ns' as const),
  bigEndian: fc.boolean(),
  snaplen: fc.constantFrom(200, 262144),
  linktype: fc.constantFrom(1, 1, 113),
  cut: fc.nat(), // truncate the file at some point
  doCut: fc.boolean(),
});

function strip(r: { frames: CaptureFrame[]; warnings: CaptureWarning[] }) {
  return { frames: r.frames.map((f) => ({ ...f, data: Array.from(f.data) })), warnings: r.warnings };
}

describe('pcap: differential, fast walker vs pcap-parser', () => {
  const t = tempDir();
  after(() => t.cleanup());

  it('identical output on 150 random classic captures (files, both engines, tiny and big chunks)', async () => {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fileArb, async (spec) => {
        const pk: WritePacket[] = spec.packets.map((p) => ({
          data: p.data,
          tsNs: BigInt(p.sec) * 1_000_000_000n + BigInt(spec.precision === 'ns' ? p.frac : p.frac - (p.frac % 1000)),
          len: p.data.length + p.extra,
        }));
        let bytes = encodePcap(pk, {
          precision: spec.precision,
          bigEndian: spec.bigEndian,
          linktype: spec.linktype,
          snaplen: 262144,
        });
        // Set the header snaplen after encoding, so records longer than it are "corrupt".
        new DataView(bytes.buffer).setUint32(16, spec.snaplen, !spec.bigEndian);
        if (spec.doCut && bytes.length > 24) bytes = bytes.subarray(0, 24 + (spec.cut % (bytes.length - 24)));
        const f = t.file(`r${i++}.pcap`, bytes);
        const a = strip(await readAll(f, { engine: 'fast' }));
        const b = strip(await readAll(f, { engine: 'pcap-parser' }));
        const c = strip(await readAll(f, { engine: 'fast', chunkSize: 13 }));
        expect(b).to.deep.equal(a);
        expect(c).to.deep.equal(a);
      }),
      { numRuns: 150 },
    );
  });

  it('identical output when the capture arrives as a stream in odd-sized pieces', async () => {
    const pk = Array.from({ length: 500 }, (_, k) => ({
      data: new Uint8Array(60 + (k % 50)).fill(k & 0xff),
      ts: 1000 + k / 1000,
    }));
    const bytes = encodePcap(pk, { precision: 'ns' });
    const pieces = (step: number) =>
      Readable.from(
        (function* () {
          for (let o = 0; o < bytes.length; o += step) yield Buffer.from(bytes.subarray(o, o + step));
        })(),
      );
    const fromStream = async (engine: 'fast' | 'pcap-parser', step: number) => {
      const cap = await openCapture(pieces(step), { engine });
      expect(cap.engine).to.equal(engine);
      const frames: CaptureFrame[] = [];
      for await (const fr of cap) frames.push(fr);
      return strip({ frames, warnings: cap.warnings });
    };
    const ref = strip(await readAll(t.file('s.pcap', bytes), { engine: 'fast' }));
    expect(ref.frames).to.have.length(500);
    for (const step of [1, 7, 4096]) {
      expect(await fromStream('pcap-parser', step)).to.deep.equal(ref);
      expect(await fromStream('fast', step)).to.deep.equal(ref);
    }
  });
});
