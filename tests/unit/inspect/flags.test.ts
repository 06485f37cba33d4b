// What tshark flags, we flag: out-of-range time fields, a captured length above the original
// length, IP lengths beyond an uncut frame; control characters escaped in text output; cooked
// (SLL/SLL2) and raw-IP link types decoded; bad --contains hex refused.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { runInspect, type InspectOptions } from '../../../src/inspect/index.js';
import { compileFilter } from '../../../src/inspect/filter.js';
import { encodePcap, encodePcapng, escapeControl, DECODED_LINKTYPES } from '../../../src/pcap/index.js';
import { build, LINKTYPES_DECODED } from '../../../src/decode/index.js';
import { FabricError } from '../../../src/errors/fabric-error.js';
import { readAll, tempDir } from '../pcap/helpers.js';

async function run(files: string[], o: InspectOptions = {}): Promise<{ out: string; err: string; status: number }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let so = '';
  let se = '';
  out.on('data', (c) => (so += c));
  err.on('data', (c) => (se += c));
  const status = await runInspect(files, o, { out, err });
  return { out: so, err: se, status };
}

const FIX = 'tests/fixtures/pcap';
const hasTshark = spawnSync('tshark', ['--version']).status === 0;

describe('inspect: flags what tshark flags', () => {
  const t = tempDir();
  after(() => t.cleanup());
  const frame = build([{ name: 'eth' }, { name: 'ipv4' }, { name: 'udp' }, { name: 'raw', len: 10 }]);

  for (const [precision, unit, digits] of [
    ['us', 1_000_000, 6],
    ['ns', 1_000_000_000, 9],
  ] as const) {
    it(`a ${precision} fraction of a second out of range warns and carries into the seconds (both engines)`, async () => {
      const bytes = encodePcap([{ data: frame, ts: 1700000000 }], { precision });
      new DataView(bytes.buffer).setUint32(24 + 4, unit + 250 * (unit / 1000), true); // 1.25 s
      const f = t.file(`ts-${precision}.pcap`, bytes);
      for (const engine of ['fast', 'pcap-parser'] as const) {
        const r = await readAll(f, { engine });
        expect(r.frames[0]!.tsString).to.equal(`1700000001.${'250'.padEnd(digits, '0')}`);
        expect(r.frames[0]!.ts).to.be.closeTo(1700000001.25, 1e-5);
        expect(r.warnings.map((w) => w.code)).to.deep.equal(['bad-timestamp']);
        expect(r.warnings[0]!.message).to.contain(`frame 1: time field out of range: ${unit + 250 * (unit / 1000)}`);
      }
    });
  }

  it('a captured length above the original length warns (both engines, and pcapng)', async () => {
    const bytes = encodePcap([{ data: frame }]);
    new DataView(bytes.buffer).setUint32(24 + 12, 20, true);
    const ng = encodePcapng([{ data: frame, len: 20 }], { interfaces: [{}] });
    for (const [name, b] of [
      ['over.pcap', bytes],
      ['over.pcapng', ng],
    ] as const) {
      const r = await readAll(t.file(name, b));
      expect(r.warnings.map((w) => w.code)).to.deep.equal(['caplen-over-len']);
      expect(r.warnings[0]!.message).to.contain(
        `captured length ${frame.length} is greater than the original length 20`,
      );
    }
  });

  it('IPv4 total length and IPv6 payload length beyond an uncut frame warn; a snaplen-cut frame does not', async () => {
    const v4 = build([{ name: 'eth' }, { name: 'ipv4', len: 1500 }, { name: 'udp' }]);
    const v6 = build([{ name: 'eth' }, { name: 'ipv6', plen: 900 }, { name: 'udp' }]);
    const ok = build([{ name: 'eth' }, { name: 'ipv4' }, { name: 'udp' }], { minSize: 60 }); // padding is fine
    const f = t.file('len.pcap', encodePcap([{ data: v4 }, { data: v6 }, { data: ok }, { data: v4, len: 1514 }]));
    const r = await run([f]);
    const warns = r.err.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warns).to.have.length(2 + 1); // two overruns, plus the snaplen-cut frame's own warning
    expect(
      warns.some((w) => w.includes('frame 1: IPv4 total length 1500 exceeds the 28 bytes the frame holds')),
    ).to.equal(true);
    expect(
      warns.some((w) => w.includes('frame 2: IPv6 payload length 900 exceeds the 8 bytes the frame holds')),
    ).to.equal(true);
    expect(warns.some((w) => w.includes('frame 4: frame cut by the snap length'))).to.equal(true);
  });

  it('escapes control characters from capture strings and file names in text output', async () => {
    expect(escapeControl('a\u001b[2J\r\nb\tc\\d\u0000\u0085\u202e')).to.equal(
      'a\\e[2J\\r\\nb\\tc\\\\d\\x00\\x85\\u202e',
    );
    expect(escapeControl('dc1-sw:p2')).to.equal('dc1-sw:p2');
    const r = await run([`${FIX}/control-chars.pcapng`]);
    expect(r.out).to.not.match(/[\u0000-\u0009\u000b-\u001f]/);
    expect(r.out.split('\n').filter(Boolean)).to.have.length(1);
    expect(r.out).to.contain('@eth0\\e[2J\\r\\nforged ');
    const wlan = encodePcapng([{ data: frame }], { interfaces: [{ name: 'w\u001b]0;x\u0007', linktype: 105 }] });
    const w = await run([t.file('wlan\u001b.pcapng', wlan)]);
    expect(w.err).to.not.match(/\u001b|\u0007/);
    expect(w.err).to.contain('on w\\e]0;x\\x07 are reported as raw');
  });

  it('decodes SLL, SLL2 and raw IP link types; the pcap and decode lists of decoded link types agree', async () => {
    expect([...DECODED_LINKTYPES].sort()).to.deep.equal([...LINKTYPES_DECODED].sort());
    const r = await run([`${FIX}/sll.pcap`, `${FIX}/sll2.pcap`, `${FIX}/raw-ip.pcap`, `${FIX}/ipv6-linktype.pcap`]);
    expect(r.err).to.equal('');
    expect(r.out).to.contain('SLL Out 02:00:00:00:00:02 | IPv4 10.20.30.50 > 10.20.30.10 ICMP echo reply');
    expect(r.out).to.contain('SLL2 if 7 In 02:00:00:00:00:01 | 802.1Q 100 | IPv4');
    expect(r.out).to.contain('2 0.000120 IPv6 fd00:20:30::10 > fd00:20:30::50 ICMP6 echo request id 1 seq 1');
    // A raw-IP file whose first nibble is neither 4 nor 6 ends as raw malformed, never as a throw.
    const junk = t.file(
      'junk.pcap',
      encodePcap([{ data: new Uint8Array(24).fill(0x15) }, { data: new Uint8Array(0) }], { linktype: 101 }),
    );
    const j = await run([junk], { json: true });
    expect(j.status).to.equal(0);
    expect(JSON.parse(j.out.split('\n')[0]!).layers).to.deep.equal([{ name: 'raw', len: 24, reason: 'malformed' }]);
  });

  it('refuses --contains hex that is not hex bytes instead of searching the text', () => {
    for (const bad of ['0xZZ1', '0x1', '0x', '0XGG']) {
      expect(() => compileFilter({ contains: [bad] }), bad)
        .to.throw(FabricError, 'not valid hex bytes')
        .with.property('code', 'E_INSPECT_FILTER');
    }
    expect(compileFilter({ contains: ['0x4142'] })).to.be.a('function');
    expect(compileFilter({ contains: ['x0ZZ'] })).to.be.a('function');
  });

  if (hasTshark) {
    it('tshark agrees: the same three frames of flagged.pcap carry an expert warning, cooked and raw-IP fields match', () => {
      const tsh = (file: string, fields: string[]) =>
        spawnSync('tshark', ['-r', `${FIX}/${file}`, '-n', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], {
          encoding: 'utf8',
        })
          .stdout.replace(/\n$/, '')
          .split('\n')
          .map((l) => l.replace(/\t+$/, ''));
      const expert = tsh('flagged.pcap', ['_ws.expert.message']);
      expect(expert[0]).to.contain('Fractional second');
      expect(expert[1]).to.contain('Frame length is less than captured length');
      expect(expert[2]).to.contain('IPv4 total length exceeds packet length (46 bytes)');
      expect(tsh('sll.pcap', ['sll.pkttype', 'sll.src.eth', 'ip.src'])).to.deep.equal([
        '0\t02:00:00:00:00:01\t10.20.30.10',
        '4\t02:00:00:00:00:02\t10.20.30.50',
        '1\t02:00:00:00:00:01',
      ]);
      expect(tsh('sll2.pcap', ['sll.ifindex', 'sll.pkttype', 'vlan.id'])).to.deep.equal(['7\t0\t100', '7\t4']);
      expect(tsh('raw-ip.pcap', ['ip.src', 'ipv6.src'])).to.deep.equal(['10.20.30.10', '\tfd00:20:30::10']);
    });
  }
});
