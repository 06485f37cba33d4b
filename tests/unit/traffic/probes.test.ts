import { expect } from 'chai';
import { execa } from 'execa';
import { arpingArgv, parseArping, parsePing, pingArgv } from '../../../src/traffic/ping.js';
import { udpLoss, udpProbeScript, udpRecvArgv, udpSendArgv } from '../../../src/traffic/udp.js';
import { inNetns, atTarget } from '../../../src/traffic/ns.js';
import { parseTcpreplay, tcpreplayArgv } from '../../../src/traffic/inject.js';

describe('traffic/probes (command lines and parsing)', () => {
  it('runs ping inside the namespace, bounded by count, interval and deadline', () => {
    expect(pingArgv({ netns: 'clab-mtdc-c1', target: '10.20.30.2', count: 5, intervalS: 0.05 })).to.deep.equal({
      file: 'ip',
      args: ['netns', 'exec', 'clab-mtdc-c1', 'ping', '-n', '-q', '-c', '5', '-i', '0.05', '-w', '3', '10.20.30.2'],
    });
    expect(
      pingArgv({ netns: 'n', target: '10.0.0.1', ifname: 'eth0', size: 1472, deadlineS: 9 }).args.slice(3),
    ).to.deep.equal(['ping', '-n', '-q', '-c', '3', '-i', '0.2', '-w', '9', '-I', 'eth0', '-s', '1472', '10.0.0.1']);
    expect(() => pingArgv({ netns: 'n', target: '10.0.0.1', count: 0 })).to.throw(/count/);
    expect(() => pingArgv({ netns: 'n', target: '10.0.0.1', count: 100000 })).to.throw(/outside/);
    expect(() => pingArgv({ netns: 'n', target: '10.0.0.1', deadlineS: 3600 })).to.throw(/deadline/);
    expect(() => pingArgv({ netns: 'n', target: '-f' })).to.throw(/IPv4/);
    expect(() => pingArgv({ netns: 'n', target: 'example.com' })).to.throw(/IPv4/);
  });

  it('never runs a real-stack probe in the root namespace and checks namespace names', () => {
    expect(() => inNetns(null as unknown as string, ['ping'])).to.throw(/inside a namespace/);
    expect(() => inNetns('', ['ping'])).to.throw(/inside a namespace/);
    expect(() => inNetns('--all', ['ping'])).to.throw(/namespace/);
    expect(() => inNetns('../x', ['ping'])).to.throw(/namespace/);
    expect(atTarget({ netns: null, ifname: 'p', hostIf: 'x' }, ['tcpreplay', 'a'])).to.deep.equal({
      file: 'tcpreplay',
      args: ['a'],
    });
  });

  it('parses ping summaries', () => {
    const out =
      '--- 10.20.30.2 ping statistics ---\n5 packets transmitted, 4 received, 20% packet loss, time 240ms\nrtt min/avg/max/mdev = 0.040/0.061/0.137/0.037 ms\n';
    expect(parsePing(out)).to.deep.equal({ transmitted: 5, received: 4, lossPct: 20, rttAvgMs: 0.061 });
    expect(parsePing('3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2ms\n')).to.deep.include({
      received: 0,
      lossPct: 100,
      rttAvgMs: null,
    });
  });

  it('builds and parses arping', () => {
    expect(arpingArgv({ netns: 'n', ifname: 'eth0', target: '10.20.30.2', count: 2 }).args).to.deep.equal([
      'netns',
      'exec',
      'n',
      'arping',
      '-c',
      '2',
      '-w',
      '4',
      '-I',
      'eth0',
      '10.20.30.2',
    ]);
    const out =
      'ARPING 10.9.9.2 from 10.9.9.1 eth0\nUnicast reply from 10.9.9.2 [BE:2E:15:22:DE:91]  0.548ms\nUnicast reply from 10.9.9.2 [BE:2E:15:22:DE:91]  0.534ms\nSent 2 probes (1 broadcast(s))\nReceived 2 response(s)\n';
    expect(parseArping(out)).to.deep.equal({ sent: 2, received: 2, responders: ['be:2e:15:22:de:91'] });
    expect(() => arpingArgv({ netns: 'n', ifname: 'eth0;x', target: '10.0.0.1' })).to.throw(/interface/);
  });

  it('builds the UDP probe command lines with bounded count, rate and time', () => {
    const s = udpSendArgv(
      { netns: 'n', dst: '10.20.30.2', port: 5000, marker: 'Grumpy', count: 1000, pps: 1000 },
      '/x/udp-probe.mjs',
      '/usr/bin/node',
    );
    expect(s.args).to.deep.equal([
      'netns',
      'exec',
      'n',
      '/usr/bin/node',
      '/x/udp-probe.mjs',
      'send',
      '--dst',
      '10.20.30.2',
      '--port',
      '5000',
      '--marker',
      'Grumpy',
      '--count',
      '1000',
      '--pps',
      '1000',
      '--size',
      '64',
      '--timeout-ms',
      '6000',
    ]);
    const r = udpRecvArgv(
      { netns: 'n', bind: '10.20.30.2', port: 5000, marker: 'Grumpy', expect: 1000 },
      '/x/s.mjs',
      'node',
    );
    expect(r.args.slice(5)).to.deep.equal([
      'recv',
      '--bind',
      '10.20.30.2',
      '--port',
      '5000',
      '--marker',
      'Grumpy',
      '--expect',
      '1000',
      '--timeout-ms',
      '10000',
      '--idle-ms',
      '0',
    ]);
    expect(() => udpSendArgv({ netns: 'n', dst: '10.0.0.1', port: 5000, count: 2_000_000 }, 's', 'n')).to.throw(
      /count/,
    );
    expect(() => udpSendArgv({ netns: 'n', dst: '10.0.0.1', port: 5000, count: 1, pps: 1e7 }, 's', 'n')).to.throw(
      /pps/,
    );
    expect(() => udpSendArgv({ netns: 'n', dst: '10.0.0.1', port: 5000, count: 1, marker: 'a b' }, 's', 'n')).to.throw(
      /marker/,
    );
    expect(udpProbeScript()).to.match(/udp-probe\.mjs$/);
  });

  it('computes loss from the receiver ranges', () => {
    expect(udpLoss({ seqs: [[0, 999]] }, 1000)).to.deep.equal({ arrived: 1000, lost: 0, missing: [] });
    expect(
      udpLoss(
        {
          seqs: [
            [0, 9],
            [12, 97],
          ],
        },
        100,
      ),
    ).to.deep.equal({
      arrived: 96,
      lost: 4,
      missing: [
        [10, 11],
        [98, 99],
      ],
    });
    expect(udpLoss({ seqs: [] }, 3)).to.deep.equal({ arrived: 0, lost: 3, missing: [[0, 2]] });
    expect(udpLoss({ seqs: [[5, 20]] }, 10)).to.deep.equal({ arrived: 5, lost: 5, missing: [[0, 4]] });
  });

  it('builds and parses tcpreplay', () => {
    expect(tcpreplayArgv({ netns: 'n', ifname: 'eth0' }, '/tmp/f.pcap', { pps: 500 })).to.deep.equal({
      file: 'ip',
      args: ['netns', 'exec', 'n', 'tcpreplay', '-q', '-i', 'eth0', '--pps', '500', '/tmp/f.pcap'],
    });
    expect(tcpreplayArgv({ netns: null, ifname: 'p1', hostIf: 'mtdc-sw1-p1' }, 'f').args).to.deep.equal([
      '-q',
      '-i',
      'mtdc-sw1-p1',
      '--pps',
      '1000',
      'f',
    ]);
    expect(() => tcpreplayArgv({ netns: null, ifname: 'p1', hostIf: '-x' }, 'f')).to.throw(/interface/);
    const out =
      'Actual: 2 packets (148 bytes) sent in 0.001018 seconds\nStatistics for network device: cpta\n\tSuccessful packets:        2\n\tFailed packets:            1\n';
    expect(parseTcpreplay(out)).to.deep.equal({ sent: 2, failed: 1 });
  });

  it('udp-probe.mjs delivers every sequence number over loopback and reports them as ranges', async function () {
    this.timeout(20_000);
    const script = udpProbeScript();
    const port = 20000 + Math.floor(Math.random() * 20000);
    const rx = execa(process.execPath, [
      script,
      'recv',
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--marker',
      'Sneezy',
      '--expect',
      '300',
      '--timeout-ms',
      '8000',
    ]);
    await new Promise<void>((res) =>
      rx.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('listening')) res();
      }),
    );
    const tx = await execa(process.execPath, [
      script,
      'send',
      '--dst',
      '127.0.0.1',
      '--port',
      String(port),
      '--marker',
      'Sneezy',
      '--count',
      '300',
      '--pps',
      '3000',
    ]);
    const sent = JSON.parse(tx.stdout.trim().split('\n').pop()!);
    expect(sent).to.include({ event: 'done', sent: 300, errors: 0 });
    const got = JSON.parse((await rx).stdout.trim().split('\n').pop()!);
    expect(got).to.include({ why: 'expected', unique: 300, duplicates: 0, foreign: 0 });
    expect(got.seqs).to.deep.equal([[0, 299]]);
  });

  it('udp-probe.mjs rejects unbounded or malformed arguments', async () => {
    const r = await execa(
      process.execPath,
      [udpProbeScript(), 'send', '--dst', '127.0.0.1', '--port', '9', '--count', '99999999'],
      { reject: false },
    );
    expect(r.exitCode).to.equal(2);
    expect(r.stdout).to.match(/--count must be an integer/);
    const r2 = await execa(
      process.execPath,
      [udpProbeScript(), 'send', '--dst', 'host.example', '--port', '9', '--count', '1'],
      { reject: false },
    );
    expect(r2.stdout).to.match(/IPv4/);
  });
});
