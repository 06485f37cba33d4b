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
// SIGTERM/SIGINT one {"event":"done",...} line with per-direction counters and the measured timer
// lateness, then exit 0.
import dgram from 'node:dgram';
import os from 'node:os';

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
/**
 * The relay swaps a held frame with the next one, so at most every other frame can be reordered.
 * A frame can only be held while none is, so the draw is p / (1 - p): then the share of frames
 * that arrive out of order is the declared p, not p / (1 + p).
 */
const holdDraw = reorder >= 0.5 ? 1 : reorder / (1 - reorder);
/** libuv timers count whole milliseconds: a timer can only be asked for in these steps. */
const TICK_US = 1000;
/** Socket buffers asked for (the kernel caps them at net.core.rmem_max / wmem_max). */
const SOCKET_BUFFER = 4 * 1024 * 1024;

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

/** Monotonic microseconds as a double (no BigInt per frame). */
const nowUs = () => performance.now() * 1000;

/**
 * Jitter that keeps frame order without pushing frames late. Independent draws per frame would
 * need clamping to keep order (a frame may not leave before the one ahead of it), and the clamp
 * only ever adds delay: at 10,000 pps with ± 2 ms most frames wait for a predecessor's high
 * draw, and the median delay runs up to 2 ms long. Instead the jitter is a random-waypoint walk
 * in time: it moves towards a target drawn uniformly in ± jitter at JITTER_SPEED, then draws the
 * next target. Its distribution is symmetric (the median delay is the declared delay) and spans
 * ± jitter; as it changes by less than the time that passes, departures never go backwards.
 */
const JITTER_SPEED = 0.5;

/** The walk's offset at `now` (microseconds), advanced from where it was last asked. */
function jitterAt(w, now) {
  let dt = now - w.t;
  w.t = now;
  // After a long quiet spell the walk starts afresh (bounded work per frame).
  if (dt > (64 * 2 * jitterUs) / JITTER_SPEED) {
    w.x = (w.rand() * 2 - 1) * jitterUs;
    w.to = (w.rand() * 2 - 1) * jitterUs;
    return w.x;
  }
  while (dt > 0) {
    const gap = w.to - w.x;
    const need = Math.abs(gap) / JITTER_SPEED;
    if (need > dt) {
      w.x += Math.sign(gap) * JITTER_SPEED * dt;
      break;
    }
    w.x = w.to;
    dt -= need;
    w.to = (w.rand() * 2 - 1) * jitterUs;
  }
  return w.x;
}

function direction(i) {
  return {
    rand: rng(seed ^ Math.imul(i + 1, 0x9e3779b1)),
    /** Its own generator: how many targets the walk draws depends on time, not on frames. */
    walk: { rand: rng(seed ^ Math.imul(i + 3, 0x85ebca6b)), x: 0, to: 0, t: nowUs() },
    /** Deadline queue of { at, buf }: departures never go backwards, so it stays sorted. */
    queue: [],
    head: 0,
    last: 0,
    /** The held frame, its own departure time, its copies and when it leaves without a next. */
    held: null,
    counters: { received: 0, sent: 0, dropped: 0, duplicated: 0, reordered: 0, overflow: 0 },
  };
}
const dirs = [direction(0), direction(1)];
const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: SOCKET_BUFFER });
// Frames leave through a second, connected socket: a send on it skips the per-datagram address
// lookup of an unconnected one. (The receiving socket cannot be connected: the VXLAN devices
// send from a source port that varies with the inner flow.)
const tx = dgram.createSocket({ type: 'udp4', sendBufferSize: SOCKET_BUFFER });

// Departures. Every frame has a deadline on the monotonic clock; the relay sends it at the
// send opportunity nearest to that deadline. Opportunities are the arrival of any frame (often,
// at high rates) and one timer for the earliest deadline of both directions. The timer is asked
// for whole milliseconds and fires late by a roughly steady amount (the loop's millisecond clock,
// the kernel's timer slack, load): that lateness is measured on every firing and asked for less
// by as much, so the firing lands on the deadline instead of one to two milliseconds after it.
let timer = null;
/** Deadline the armed timer serves, and when it was asked to fire. */
let timerFor = Infinity;
let timerAsked = 0;
/** Mean lateness of the timer past the time it was asked for (adapted on every firing). */
let leadUs = TICK_US / 2;
/** Mean gap between arrivals: the next opportunity is at most this far away. */
let gapUs = TICK_US;
let lastArrival = 0;

/**
 * Frames this close to their deadline leave now: the next opportunity is about a tick (or an
 * arrival gap) away. Never more than half a tick early, even when the timer runs late.
 */
const windowUs = () => Math.min(TICK_US, gapUs) / 2;

function push(d, at, buf) {
  if (d.queue.length - d.head >= maxQueue) {
    d.counters.overflow++;
    return;
  }
  d.queue.push({ at, buf });
}

function release(d) {
  const h = d.held;
  d.held = null;
  const at = Math.max(h.at, d.last);
  d.last = at;
  for (let c = 0; c < h.copies; c++) push(d, at, h.buf);
}

/** Sends every frame due by now + win; returns the earliest deadline left. */
function drain(now, win) {
  let next = Infinity;
  for (const d of dirs) {
    if (d.held && now >= d.held.until) release(d);
    while (d.head < d.queue.length && d.queue[d.head].at <= now + win) {
      tx.send(d.queue[d.head++].buf);
      d.counters.sent++;
    }
    if (d.head > 4096 && d.head * 2 > d.queue.length) {
      d.queue = d.queue.slice(d.head);
      d.head = 0;
    }
    if (d.head < d.queue.length) next = Math.min(next, d.queue[d.head].at);
    if (d.held) next = Math.min(next, d.held.until);
  }
  return next;
}

function arm(at, now) {
  if (at === Infinity || (timer && at >= timerFor)) return;
  if (timer) clearTimeout(timer);
  const ms = Math.max(1, Math.round((at - now - leadUs) / TICK_US));
  timerFor = at;
  timerAsked = now + ms * TICK_US;
  timer = setTimeout(onTimer, ms);
}

function onTimer() {
  const now = nowUs();
  leadUs += ((Math.min(Math.max(now - timerAsked, 0), 4 * TICK_US) - leadUs) / 8) | 0;
  timer = null;
  timerFor = Infinity;
  arm(drain(now, windowUs()), now);
}

sock.on('message', (msg) => {
  if (msg.length < 8) return;
  const vni = msg.readUIntBE(4, 3);
  if (vni !== 1 && vni !== 2) return;
  const now = nowUs();
  if (lastArrival) gapUs += (Math.min(now - lastArrival, 10 * TICK_US) - gapUs) / 16;
  lastArrival = now;
  accept(dirs[vni - 1], vni, msg, now);
  arm(drain(now, windowUs()), now);
});

function accept(d, vni, msg, now) {
  d.counters.received++;
  if (d.rand() < loss) {
    d.counters.dropped++;
    return;
  }
  msg.writeUIntBE(vni === 1 ? 2 : 1, 4, 3);
  const j = jitterUs ? jitterAt(d.walk, now) : 0;
  // The walk keeps the order by itself; the max only guards the clock's rounding.
  const at = Math.max(now + delayUs + j, d.last);
  const copies = d.rand() < duplicate ? 2 : 1;
  if (copies === 2) d.counters.duplicated++;
  if (!d.held && holdDraw && d.rand() < holdDraw) {
    // Held back and sent right after the next frame: one swap per reordered frame.
    d.held = { buf: msg, at, copies, until: now + HOLD_MAX_US };
    d.counters.reordered++;
    return;
  }
  d.last = at;
  for (let c = 0; c < copies; c++) push(d, at, msg);
  if (d.held) release(d);
}

/** Counters per direction, and the timer lateness the relay corrects for. */
const report = (event) =>
  JSON.stringify({ event, ab: dirs[0].counters, ba: dirs[1].counters, timerLateUs: leadUs | 0 }) + '\n';
function done() {
  process.stdout.write(report('done'), () => process.exit(0));
}
process.on('SIGUSR1', () => process.stdout.write(report('stats')));
process.on('SIGTERM', done);
process.on('SIGINT', done);
sock.on('error', (e) => die(String(e?.message ?? e)));
tx.on('error', (e) => die(String(e?.message ?? e)));
// A frame's delay is only as exact as the relay is prompt: on a machine busy with other work, a
// higher scheduling weight keeps its timers and reads on time (it uses CPU only for the frames
// it carries). Without the privilege it runs at the normal weight and says so.
let nice = 0;
try {
  os.setPriority(-10);
  nice = -10;
} catch {
  nice = os.getPriority();
}
// The sending socket is connected before the receiving one binds: no frame is taken in before
// it can leave.
tx.bind(0, cfg.bind, () =>
  tx.connect(port, cfg.peer, () =>
    sock.bind(port, cfg.bind, () => {
      process.stdout.write(JSON.stringify({ event: 'listening', pid: process.pid, port, nice }) + '\n');
    }),
  ),
);
