import { expect } from 'chai';
import { execa } from 'execa';
import { udpProbeScript, udpRecvArgv } from '../../../src/traffic/udp.js';
import { doneLines, udpSendManyArgv } from '../../../src/traffic/udp-many.js';

describe('traffic/udp-many (several flows per probe process)', () => {
  it('builds one receiver for several ports and one sender for several flows, bounded', () => {
    const r = udpRecvArgv({ netns: 'n', bind: '10.20.30.2', port: [40100, 40107] }, '/x/s.mjs', 'node');
    expect(r.args.slice(6, 10)).to.deep.equal(['--bind', '10.20.30.2', '--port', '40100,40107']);
    const s = udpSendManyArgv(
      {
        netns: 'n',
        to: [
          { dst: '10.20.30.2', port: 40100 },
          { dst: '10.20.30.3', port: 40101 },
        ],
        count: 10,
        pps: 200,
      },
      '/x/s.mjs',
      'node',
    );
    expect(s.args.slice(5, 8)).to.deep.equal(['send', '--to', '10.20.30.2:40100,10.20.30.3:40101']);
    expect(() => udpSendManyArgv({ netns: 'n', to: [], count: 1 }, 's', 'n')).to.throw(/flows/);
    expect(() => udpSendManyArgv({ netns: 'n', to: [{ dst: '10.0.0.1;x', port: 1 }], count: 1 }, 's', 'n')).to.throw();
    expect(() => udpRecvArgv({ netns: 'n', bind: '10.0.0.1', port: [1, 70000] }, 's', 'n')).to.throw(/port/);
  });

  it('reads every report line; an error line is an error', () => {
    const out = '{"event":"listening"}\n{"event":"done","port":1}\nnoise\n{"event":"done","port":2}\n';
    expect(doneLines(out, 'c').map((j) => j.port)).to.deep.equal([1, 2]);
    expect(() => doneLines('{"event":"error","message":"bad"}\n', 'c')).to.throw(/bad/);
  });

  it('keeps every flow apart over loopback: own port, own sequence numbers, a foreign marker counted', async function () {
    this.timeout(20_000);
    const script = udpProbeScript();
    const base = 20000 + Math.floor(Math.random() * 20000);
    const ports = [base, base + 1, base + 2];
    const rx = execa(process.execPath, [
      script,
      'recv',
      '--bind',
      '127.0.0.1',
      '--port',
      ports.join(','),
      '--marker',
      'Dopey',
      '--expect',
      '50',
      '--timeout-ms',
      '2500',
    ]);
    await new Promise<void>((res) =>
      rx.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('listening')) res();
      }),
    );
    const send = (marker: string, to: string) =>
      execa(process.execPath, [script, 'send', '--to', to, '--marker', marker, '--count', '50', '--pps', '2000']);
    const [tx] = await Promise.all([
      send('Dopey', `127.0.0.1:${ports[0]},127.0.0.1:${ports[1]}`),
      // The third port hears only another tenant's marker: its own flow never arrives.
      send('Happy', `127.0.0.1:${ports[2]}`),
    ]);
    const sent = doneLines(tx.stdout, 'send');
    expect(sent.map((j) => [j.port, j.sent, j.errors])).to.deep.equal([
      [ports[0], 50, 0],
      [ports[1], 50, 0],
    ]);
    const got = new Map(doneLines((await rx).stdout, 'recv').map((j) => [j.port, j]));
    for (const p of ports.slice(0, 2)) {
      expect(got.get(p)).to.include({ why: 'expected', unique: 50, duplicates: 0, foreign: 0 });
      expect(got.get(p)!.seqs).to.deep.equal([[0, 49]]);
    }
    expect(got.get(ports[2])).to.include({ why: 'timeout', unique: 0, foreign: 50 });
  });
});
