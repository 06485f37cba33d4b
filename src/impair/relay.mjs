#!/usr/bin/env node
// Userspace impairment relay, run INSIDE a relay process namespace with
// `ip netns exec <ns> node relay.mjs <json>` (argv only, no shell). The link's frames reach it as
// VXLAN datagrams from the kernel VXLAN devices of the relay namespace (VNI 1: a -> b, VNI 2:
// b -> a); it drops, delays, jitters, duplicates and reorders them, rewrites the VNI to the other
// side's and sends them back, where the kernel decapsulates them onto the other half of the link.
// The kernel does all framing, so the relay needs nothing but node:dgram.
//
// Config (one JSON argument): { bind, port, peer, delayUs, jitterUs, loss, duplicate, reorder,
// seed, maxQueue }. Probabilities are fractions (0..1). Every random choice comes from a seeded
// generator per direction, so a run is reproducible for a given frame sequence.
// Output: one {"event":"listening"} line once bound; on SIGUSR1 a {"event":"stats",...} line; on
// SIGTERM/SIGINT one {"event":"done",...} line with per-direction counters, then exit 0.
import dgram from 'node:dgram';

function die(msg) {
  process.stdout.write(JSON.stringify({ event: 'error', message: msg }) + '\n');
  process.exit(2);
}

let cfg;
try {
  cfg = JSON.parse(process.argv[2] ?? '');
} catch {
  die('one JSON argument expected');
}
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const num = (k, lo, hi, def = 0) => {
  const v = cfg[k] ?? def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) die(`${k} must be a number in ${lo}..${hi}`);
  return v;
};
if (!IPV4.test(cfg.bind ?? '') || !IPV4.test(cfg.peer ?? '')) die('bind and peer must be IPv4 addresses');
const port = num('port', 1, 65535);
const delayUs = num('delayUs', 0, 10_000_000);
const jitterUs = num('jitterUs', 0, 10_000_000);
const loss = num('loss', 0, 1);
const duplicate = num('duplicate', 0, 1);
const reorder = num('reorder', 0, 1);
const seed = num('seed', 0, 0xffffffff) >>> 0;
const maxQueue = num('maxQueue', 1, 1_000_000, 100_000);
/** A held (reordered) frame leaves after the next one, or after this long without a next one. */
const HOLD_MAX_US = 10_000;

/** mulberry32: small, fast, good enough for Bernoulli draws and uniform jitter. */
function rng(s) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

function direction(i) {
  return {
    rand: rng(seed ^ Math.imul(i + 1, 0x9e3779b1)),
    /** FIFO of { at, buf }: departures never go backwards, so jitter alone keeps the order. */
    queue: [],
    head: 0,
    last: 0,
    held: null,
    heldAt: 0,
    counters: { received: 0, sent: 0, dropped: 0, duplicated: 0, reordered: 0, overflow: 0 },
  };
}
const dirs = [direction(0), direction(1)];
const sock = dgram.createSocket('udp4');
let timer = null;
let timerAt = Infinity;

function push(d, at, buf) {
  if (d.queue.length - d.head >= maxQueue) {
    d.counters.overflow++;
    return;
  }
  d.queue.push({ at, buf });
  arm(at);
}

function arm(at) {
  if (at >= timerAt && timer) return;
  if (timer) clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(flush, Math.max(0, (at - nowUs()) / 1000));
}

function flush() {
  timer = null;
  timerAt = Infinity;
  const now = nowUs();
  let next = Infinity;
  for (const d of dirs) {
    if (d.held && now >= d.heldAt + HOLD_MAX_US) {
      push(d, now, d.held);
      d.held = null;
    }
    while (d.head < d.queue.length && d.queue[d.head].at <= now + 200) {
      const f = d.queue[d.head++];
      sock.send(f.buf, port, cfg.peer);
      d.counters.sent++;
    }
    if (d.head > 4096 && d.head * 2 > d.queue.length) {
      d.queue = d.queue.slice(d.head);
      d.head = 0;
    }
    if (d.head < d.queue.length) next = Math.min(next, d.queue[d.head].at);
    if (d.held) next = Math.min(next, d.heldAt + HOLD_MAX_US);
  }
  if (next < Infinity) arm(next);
}

sock.on('message', (msg) => {
  if (msg.length < 8) return;
  const vni = msg.readUIntBE(4, 3);
  if (vni !== 1 && vni !== 2) return;
  const d = dirs[vni - 1];
  d.counters.received++;
  if (d.rand() < loss) {
    d.counters.dropped++;
    return;
  }
  msg.writeUIntBE(vni === 1 ? 2 : 1, 4, 3);
  const now = nowUs();
  const j = jitterUs ? (d.rand() * 2 - 1) * jitterUs : 0;
  const at = Math.max(now + delayUs + j, d.last);
  const copies = d.rand() < duplicate ? 2 : 1;
  if (copies === 2) d.counters.duplicated++;
  if (!d.held && reorder && d.rand() < reorder) {
    // Held back and sent right after the next frame: one swap per reordered frame.
    d.held = msg;
    d.heldAt = now;
    d.counters.reordered++;
    arm(now + HOLD_MAX_US);
    return;
  }
  d.last = at;
  for (let c = 0; c < copies; c++) push(d, at, msg);
  if (d.held) {
    push(d, at, d.held);
    d.held = null;
  }
});

function done() {
  const out = { event: 'done', ab: dirs[0].counters, ba: dirs[1].counters };
  process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(0));
}
process.on('SIGUSR1', () => {
  process.stdout.write(JSON.stringify({ event: 'stats', ab: dirs[0].counters, ba: dirs[1].counters }) + '\n');
});
process.on('SIGTERM', done);
process.on('SIGINT', done);
sock.on('error', (e) => die(String(e?.message ?? e)));
sock.bind(port, cfg.bind, () => {
  process.stdout.write(JSON.stringify({ event: 'listening', pid: process.pid, port }) + '\n');
});
