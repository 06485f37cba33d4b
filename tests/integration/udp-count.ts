// UDP datagrams from one namespace to another, counted by a Node receiver in the target's
// namespace. The receiver is bound before the sender starts and stops at n datagrams or after a
// bounded wait, so a slow (loaded, 2-core) machine changes the duration, never the count.
import { spawn, type ChildProcess } from 'node:child_process';
import { run } from '../../src/hostnet/exec.js';

const READY_MS = 15_000;
const RECV_MS = 5_000;

export async function udpCount(fromNs: string, toNs: string, toIp: string, n = 20): Promise<number> {
  // The receiver ends once: at the n-th datagram (clearing its timer) or when the window closes.
  const recv = `const s=require('dgram').createSocket('udp4');let c=0,t;const end=()=>{clearTimeout(t);console.log('count '+c);s.close()};s.on('message',()=>{if(++c===${n})end()});s.bind(5555,'${toIp}',()=>{console.log('ready');t=setTimeout(end,${RECV_MS})});`;
  const rx: ChildProcess = spawn('ip', ['netns', 'exec', toNs, process.execPath, '-e', recv], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  rx.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  rx.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<void>((res) => rx.on('close', () => res()));
  const t0 = Date.now();
  while (!out.includes('ready') && rx.exitCode === null && Date.now() - t0 < READY_MS)
    await new Promise((r) => setTimeout(r, 20));
  if (!out.includes('ready')) {
    rx.kill();
    throw new Error(`UDP receiver in ${toNs} did not bind ${toIp}:5555: ${err.trim() || 'no answer'}`);
  }
  const send = `const s=require('dgram').createSocket('udp4');let i=0;const t=setInterval(()=>{s.send(Buffer.alloc(200,7),5555,'${toIp}');if(++i>=${n}){clearInterval(t);setTimeout(()=>s.close(),100)}},10);`;
  await run('ip', ['netns', 'exec', fromNs, process.execPath, '-e', send], { timeout: 20_000 });
  await done;
  const m = /count (\d+)/.exec(out);
  return m ? Number(m[1]) : -1;
}
