// The JSON Lines contract: every line `fabric inspect --json` prints validates against
// schemas/inspect-frame.schema.json (strict: no extra property on any layer), on random stacks,
// truncated and random bytes included.
import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { build, Dissector, REASON } from '../../../src/decode/index.js';
import { encodePcap, encodePcapng } from '../../../src/pcap/index.js';
import { frameJson, runInspect, type InspectLayer } from '../../../src/inspect/index.js';
import { stackArb } from './stacks.js';
import { tempDir } from '../pcap/helpers.js';

const addFormats = addFormatsModule as unknown as (a: Ajv2020) => Ajv2020;
const schema = JSON.parse(readFileSync(new URL('../../../schemas/inspect-frame.schema.json', import.meta.url), 'utf8'));
const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
const validate = ajv.compile(schema);

function check(line: string): void {
  const obj = JSON.parse(line);
  if (!validate(obj)) expect.fail(`${line}\n${ajv.errorsText(validate.errors)}`);
}

export async function inspectJson(
  files: string[],
  extra: Record<string, unknown> = {},
): Promise<{ lines: string[]; err: string; status: number }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c) => {
    o += c;
  });
  err.on('data', (c) => {
    e += c;
  });
  const status = await runInspect(files, { json: true, ...extra }, { out, err });
  return { lines: o.split('\n').filter(Boolean), err: e, status };
}

describe('inspect: JSON contract (schema)', () => {
  const t = tempDir();
  after(() => t.cleanup());
  const d = new Dissector();

  it('the schema knows every raw reason the decoder can produce', () => {
    const enumed: string[] = schema.$defs.raw.properties.reason.enum;
    for (const r of REASON) if (r) expect(enumed).to.include(r);
  });

  it('the schema is strict: an extra field or a wrong type fails', () => {
    const good = {
      n: 1,
      ts: 1.5,
      len: 60,
      layers: [{ name: 'eth', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 2048 }],
    };
    expect(validate(good)).to.equal(true);
    expect(validate({ ...good, extra: 1 })).to.equal(false);
    expect(validate({ ...good, layers: [{ ...good.layers[0], vid: 3 }] })).to.equal(false);
    expect(validate({ ...good, layers: [{ ...good.layers[0], type: '0x0800' }] })).to.equal(false);
    expect(validate({ ...good, layers: [{ ...good.layers[0], src: '02:00:00:00:00:0A' }] })).to.equal(false);
    expect(validate({ ...good, layers: [{ name: 'raw', len: 3, reason: 'nope' }] })).to.equal(false);
    expect(validate({ ...good, layers: [{ name: 'raw', len: 3, data: [1] }] })).to.equal(false);
  });

  it('3000 random stacks (whole, truncated, mutated) print schema-valid lines', () => {
    fc.assert(
      fc.property(stackArb, fc.nat(), fc.integer({ min: 0, max: 3 }), fc.nat(), (s, cut, mode, flip) => {
        let frame = build(s.layers);
        if (mode === 1) frame = frame.subarray(0, cut % (frame.length + 1));
        if (mode === 2) {
          frame = frame.slice();
          frame[flip % frame.length] ^= 0xff;
        }
        d.walk(frame);
        const layers = d.layers() as InspectLayer[];
        const caplen = frame.length;
        check(frameJson({ n: 1, tsString: '1700000000.000001', len: caplen + (mode === 1 ? 7 : 0), caplen, layers }));
      }),
      { numRuns: 3000 },
    );
  });

  it('random bytes print schema-valid lines', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        d.walk(b);
        check(
          frameJson({
            n: 7,
            tsString: '0.000000001',
            len: b.length,
            caplen: b.length,
            layers: d.layers() as InspectLayer[],
          }),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('end to end: runInspect --json over pcap and pcapng files of random stacks', async () => {
    const stacks = fc.sample(stackArb, 300);
    const frames = stacks.map((s, i) => ({
      data: build(s.layers),
      tsNs: 1_700_000_000_000_000_000n + BigInt(i) * 1001n,
      ifIndex: i % 2,
    }));
    const a = t.file('r.pcap', encodePcap(frames, { precision: 'ns' }));
    const b = t.file('r.pcapng', encodePcapng(frames, { interfaces: [{ name: 'p1' }, {}] }));
    const wlan = t.file('wlan.pcap', encodePcap(frames.slice(0, 3), { linktype: 105 }));
    const r = await inspectJson([a, b, wlan]);
    expect(r.status).to.equal(0);
    expect(r.lines).to.have.length(603);
    for (const l of r.lines) check(l);
    const first = JSON.parse(r.lines[0]!);
    expect(first.file).to.equal(a);
    expect(r.lines[0]).to.match(/"ts":1700000000\.000000000,/);
    expect(JSON.parse(r.lines[301]!).if).to.equal(1);
    expect(JSON.parse(r.lines[300]!).if).to.equal('p1');
    expect(JSON.parse(r.lines[600]!).layers).to.deep.equal([
      { name: 'raw', len: frames[0]!.data.length, reason: 'unknown-linktype' },
    ]);
    expect(r.err).to.contain('wlan.pcap: frame 1: linktype 105');
  });
});
