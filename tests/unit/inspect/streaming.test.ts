// Large files stream: inspect must not keep frames around. A child process with a 32 MB heap
// limit inspects a 200,000-frame capture (about 25 MB of frames, several times more as objects):
// it finishes only if memory stays flat.
import { expect } from 'chai';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from '../../../src/decode/index.js';
import { createPcapWriter } from '../../../src/pcap/index.js';
import { tempDir } from '../pcap/helpers.js';

describe('inspect: streaming large files', function () {
  this.timeout(180000);
  const t = tempDir();
  after(() => t.cleanup());

  it('inspects 200k frames (text, JSON, stats) within a 32 MB heap', async () => {
    const frames = [
      build(
        [
          { name: 'eth' },
          { name: 'vlan', tpid: 0x88a8, vid: 100 },
          { name: 'vlan', vid: 200 },
          { name: 'mpls', label: 1001 },
          { name: 'pw', cw: true },
          { name: 'eth' },
          { name: 'vlan', vid: 100 },
          { name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.50' },
          { name: 'icmp', type: 8, id: 1, seq: 1 },
        ],
        { minSize: 60 },
      ),
      build(
        [
          { name: 'eth' },
          { name: 'ipv4', src: '192.0.2.1', dst: '192.0.2.2' },
          { name: 'udp', sport: 50000, dport: 4789 },
          { name: 'vxlan', vni: 5000 },
          { name: 'eth' },
          { name: 'ipv4', src: '10.20.30.10', dst: '10.20.30.50' },
          { name: 'udp', sport: 1, dport: 2 },
        ],
        { minSize: 60 },
      ),
    ];
    const file = t.file('big.pcap');
    const w = createPcapWriter(file);
    for (let i = 0; i < 200_000; i++) if (!w.write({ data: frames[i % 2]!, ts: i / 1e4 })) await w.drain();
    await w.close();

    const inspectTs = fileURLToPath(new URL('../../../src/inspect/index.ts', import.meta.url));
    const runner = t.file('runner.mts');
    writeFileSync(
      runner,
      `
      import { runInspect } from ${JSON.stringify(inspectTs)};
      import { Writable } from 'node:stream';
      let lines = 0;
      const out = new Writable({ write(c, _e, cb) { for (const b of c) if (b === 10) lines++; cb(); } });
      const mode = process.argv[2];
      const status = await runInspect([process.argv[3]], { json: mode === 'json', stats: mode === 'stats', vlan: mode === 'filter' ? [100] : undefined }, { out, err: process.stderr });
      console.log(JSON.stringify({ status, lines, heapMB: process.memoryUsage().heapUsed / 1e6 }));
    `,
    );
    for (const [mode, lines] of [
      ['text', 200_000],
      ['json', 200_000],
      ['stats', 3],
      ['filter', 100_000],
    ] as const) {
      const r = await execa(process.execPath, ['--max-old-space-size=32', '--import', 'tsx', runner, mode, file], {
        reject: false,
      });
      expect(r.exitCode, `${mode}: ${r.stderr.slice(-500)}`).to.equal(0);
      const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
      expect(res.status).to.equal(0);
      expect(res.lines, mode).to.equal(lines);
    }
  });
});
