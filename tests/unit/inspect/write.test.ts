// `fabric inspect -w FILE` (pcap or pcapng, by extension or -F), `-c N`, and the tshark decode-as
// forms (label ranges, udp.port==N,vxlan) end to end.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { runInspect, type InspectOptions } from '../../../src/inspect/index.js';
import { encodePcap, type CaptureFrame } from '../../../src/pcap/index.js';
import { readAll, tempDir } from '../pcap/helpers.js';

const FIX = 'tests/fixtures/pcap';
const hasTshark = spawnSync('tshark', ['--version']).status === 0;

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

const essence = (f: CaptureFrame) => ({
  ts: f.tsString.padEnd(20, '0'),
  len: f.len,
  linktype: f.linktype,
  data: Buffer.from(f.data).toString('hex'),
});

describe('inspect: -w, -c and tshark decode-as forms', () => {
  const t = tempDir();
  after(() => t.cleanup());

  it('-w x.pcap writes exactly the matched frames (bytes, lengths, timestamps), readable back', async () => {
    const src = `${FIX}/dot1q.pcap`;
    const all = (await readAll(src)).frames;
    const out = t.file('vlan.pcap');
    const r = await run([src], { write: out, vlan: [100] });
    expect(r.status).to.equal(0);
    expect(r.out).to.equal('');
    const text = await run([src], { vlan: [100] });
    const wantN = text.out
      .split('\n')
      .filter(Boolean)
      .map((l) => Number(l.split(' ')[0]));
    const back = await readAll(out);
    expect(back.warnings).to.deep.equal([]);
    expect(back.frames.map(essence)).to.deep.equal(all.filter((f) => wantN.includes(f.n)).map(essence));
  });

  it('-w x.pcapng keeps interface names and comments from several files; -F overrides the extension', async () => {
    const out = t.file('merged.pcapng');
    const r = await run([`${FIX}/multi.pcapng`, `${FIX}/plain.pcap`, `${FIX}/sll.pcap`], { write: out });
    expect(r.status).to.equal(0);
    const back = await readAll(out);
    expect(back.frames).to.have.length(3 + (await readAll(`${FIX}/plain.pcap`)).frames.length + 3);
    expect(back.frames[0]!.ifName).to.equal('dc1-agg1');
    expect(back.frames[0]!.comment).to.equal('tenant red ingress');
    expect(back.frames[1]!.ifName).to.equal('pe1-p1');
    expect(back.frames.at(-1)!.linktype).to.equal(113);
    const forced = t.file('forced.cap');
    expect((await run([`${FIX}/plain.pcap`], { write: forced, writeFormat: 'pcapng' })).status).to.equal(0);
    expect((await readAll(forced)).frames[0]!.ifIndex).to.equal(0);
    const bad = await run([`${FIX}/plain.pcap`], { write: forced, writeFormat: 'erf' });
    expect(bad.status).to.equal(1);
    expect(bad.err).to.contain('expected pcap or pcapng');
  });

  it('-w refuses a classic pcap of two link types and a path it cannot write', async () => {
    const mixed = await run([`${FIX}/plain.pcap`, `${FIX}/sll.pcap`], { write: t.file('mixed.pcap') });
    expect(mixed.status).to.equal(1);
    expect(mixed.err).to.contain('E_CAPTURE_WRITE').and.to.contain('write pcapng');
    const nowhere = await run([`${FIX}/plain.pcap`], { write: `${t.dir}/missing/dir/x.pcap` });
    expect(nowhere.status).to.equal(1);
    expect(nowhere.err).to.contain('E_CAPTURE_WRITE');
  });

  it('-c N stops after N matched frames, over all files', async () => {
    const r = await run([`${FIX}/plain.pcap`, `${FIX}/dot1q.pcap`], { count: 3 });
    expect(r.out.split('\n').filter((l) => /^\d/.test(l))).to.have.length(3);
    const v = await run([`${FIX}/plain.pcap`, `${FIX}/dot1q.pcap`], { count: 1, vlan: [100] });
    expect(v.out).to.contain('==> tests/fixtures/pcap/dot1q.pcap <==');
    expect(v.out.split('\n').filter((l) => /^\d/.test(l))).to.have.length(1);
    const s = await run([`${FIX}/plain.pcap`, `${FIX}/dot1q.pcap`], { count: 2, stats: true, json: true });
    expect(JSON.parse(s.out).frames).to.equal(2);
    expect((await run([`${FIX}/plain.pcap`], { count: 0 })).out).to.equal('');
    const w = t.file('two.pcap');
    await run([`${FIX}/dot1q.pcap`], { count: 2, write: w });
    expect((await readAll(w)).frames).to.have.length(2);
  });

  it('decodes VXLAN on another UDP port with udp.port==N,vxlan, and label ranges in tshark form', async () => {
    const plainRun = await run([`${FIX}/sll2.pcap`]);
    expect(plainRun.out).to.not.contain('VXLAN');
    const r = await run([`${FIX}/sll2.pcap`], { decodeAs: ['udp.port==8472,vxlan'] });
    expect(r.out).to.contain('UDP 40000 > 8472 | VXLAN 5001 | 6e:00:00:00:00:0a > 46:00:00:00:00:0b | IPv4');
    const cw = await run([`${FIX}/eompls-cw.pcap`], { decodeAs: ['mpls.label==1000-1010,pwethcw'] });
    const nocw = await run([`${FIX}/eompls-cw.pcap`], { decodeAs: ['mpls.label==1000-1010,pwethnocw'] });
    expect(cw.out).to.contain('PW cw');
    expect(nocw.out).to.not.contain('PW cw');
  });

  if (hasTshark) {
    it('tshark reads what -w wrote, pcap and pcapng, with the same frames', async () => {
      const frames = (await readAll(`${FIX}/vxlan.pcap`)).frames;
      const big = t.file(
        'big.pcap',
        encodePcap(frames.map((f) => ({ data: f.data, tsNs: 1_700_000_000_123_456_789n }))),
      );
      for (const name of ['t.pcap', 't.pcapng']) {
        const out = t.file(name);
        await run([big, `${FIX}/multi.pcapng`], {
          write: out,
          writeFormat: name.endsWith('ng') ? 'pcapng' : undefined,
          vni: [5000],
        });
        const r = spawnSync('tshark', ['-r', out, '-T', 'fields', '-e', 'vxlan.vni', '-e', 'frame.time_epoch'], {
          encoding: 'utf8',
        });
        expect(r.status, r.stderr).to.equal(0);
        const lines = r.stdout.trim().split('\n');
        expect(lines).to.have.length((await readAll(out)).frames.length);
        expect(lines[0]).to.match(/^5000\t1700000000\.123456/);
      }
    });
  }
});
