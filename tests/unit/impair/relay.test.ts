// The relay process on loopback (no root, no namespaces): VNI swap, seeded loss and duplication
// (the same seed drops the same frames), reordering at the declared share with every frame and
// copy delivered, counters reported on SIGTERM.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { relayScript } from '../../../src/impair/index.js';

interface Done {
  event: string;
  ab: { received: number; sent: number; dropped: number; duplicated: number; reordered: number };
}

async function runRelay(cfg: Record<string, unknown>, frames: number): Promise<{ got: number[]; done: Done }> {
  const sock = dgram.createSocket('udp4');
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  const port = sock.address().port;
  const child = spawn(process.execPath, [
    relayScript(),
    JSON.stringify({ bind: '127.0.0.2', peer: '127.0.0.1', port, ...cfg }),
  ]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const until = async (ok: () => boolean, what: string): Promise<void> => {
    for (let i = 0; i < 2000 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!ok()) throw new Error(`${what}: ${out}`);
  };
  try {
    await until(() => out.includes('"listening"'), 'relay did not listen');
    const got: number[] = [];
    sock.on('message', (m: Buffer) => {
      expect(m.readUIntBE(4, 3)).to.equal(2); // VNI 1 comes back as VNI 2
      got.push(m.readUInt32BE(8));
    });
    const last = (): Done | null => {
      const l = out
        .trim()
        .split('\n')
        .filter((x) => x.includes('"stats"'))
        .pop();
      return l ? (JSON.parse(l) as Done) : null;
    };
    for (let i = 0; i < frames; i++) {
      const b = Buffer.alloc(16);
      b.writeUInt8(0x08, 0);
      b.writeUIntBE(1, 4, 3);
      b.writeUInt32BE(i, 8);
      sock.send(b, port, '127.0.0.2');
      // Small bursts, each taken in by the relay before the next: loopback socket buffers hold
      // only a few hundred datagrams, and a busy machine may starve the relay for a while.
      if (i % 20 === 19)
        await until(() => {
          child.kill('SIGUSR1');
          return (last()?.ab.received ?? 0) >= i + 1;
        }, 'relay fell behind');
    }
    // Every frame accounted for (sent with its copies, or dropped) before the counters are read:
    // a frame still held for reordering leaves only when its hold runs out.
    await until(() => {
      child.kill('SIGUSR1');
      const s = last();
      if (s === null || s.ab.received !== frames) return false;
      return s.ab.sent === frames - s.ab.dropped + s.ab.duplicated && got.length >= s.ab.sent;
    }, 'frames in flight');
    child.kill('SIGTERM');
    await once(child, 'exit');
    const done = JSON.parse(out.trim().split('\n').pop()!) as Done;
    return { got, done };
  } finally {
    sock.close();
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('impairment relay', () => {
  it('drops and duplicates by its seeded generator, reproducibly', async function () {
    this.timeout(60_000);
    const cfg = { loss: 0.1, duplicate: 0.05, seed: 12345 };
    const a = await runRelay(cfg, 1000);
    expect(a.done.ab.received).to.equal(1000);
    expect(a.done.ab.dropped).to.be.within(60, 140);
    expect(a.done.ab.duplicated).to.be.within(20, 80);
    expect(a.done.ab.sent).to.equal(1000 - a.done.ab.dropped + a.done.ab.duplicated);
    const b = await runRelay(cfg, 1000);
    expect(b.done.ab.dropped).to.equal(a.done.ab.dropped);
    expect([...new Set(b.got)].sort((x, y) => x - y)).to.deep.equal([...new Set(a.got)].sort((x, y) => x - y));
  });

  it('reorders the declared share of frames (not p / (1 + p)), holding copies too', async function () {
    this.timeout(60_000);
    const { got, done } = await runRelay({ reorder: 0.2, duplicate: 0.05, seed: 7 }, 2000);
    // A held frame blocks the next draw; the relay draws p / (1 - p) so the share stays p.
    expect(done.ab.reordered / done.ab.received).to.be.within(0.17, 0.23);
    // Nothing lost, every copy sent, held frames included.
    expect(done.ab.sent).to.equal(2000 + done.ab.duplicated);
    expect(new Set(got).size).to.equal(2000);
    let late = 0;
    let max = -1;
    for (const seq of new Set(got)) {
      if (seq < max) late++;
      max = Math.max(max, seq);
    }
    expect(late).to.be.greaterThan(0).and.at.most(done.ab.reordered);
  });
});
