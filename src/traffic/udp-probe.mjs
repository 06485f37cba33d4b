#!/usr/bin/env node
// UDP probe with sequence numbers and a payload marker, run INSIDE an endpoint namespace with
// `ip netns exec <ns> node udp-probe.mjs ...` (argv only, no shell). Everything is bounded in count
// and time. Output: JSON lines on stdout.
//
//   recv --bind IP --port P [--marker M] [--expect N] [--timeout-ms T] [--idle-ms I]
//        prints {"event":"listening",...} once bound, then {"event":"done",...} with the sequence
//        numbers that arrived (as ranges), duplicates and datagrams with a foreign marker.
//   send --dst IP --port P [--bind IP] [--sport P] [--marker M] --count N [--pps R] [--size S] [--timeout-ms T]
//        prints {"event":"done","sent":N,"errors":E,...}
//
// Payload: "FABRIC-UDP|<marker>|<seq>|" in ASCII, padded with '.' to --size bytes.
import dgram from 'node:dgram';

const LIMITS = { count: 1_000_000, pps: 100_000, timeoutMs: 600_000, size: [32, 8972] };
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const MARKER = /^[A-Za-z0-9_.-]{1,32}$/;

function die(msg) {
  process.stdout.write(JSON.stringify({ event: 'error', message: msg }) + '\n');
  process.exit(2);
}

function parseArgs(argv) {
  const mode = argv[0];
  if (mode !== 'send' && mode !== 'recv') die(`first argument must be send or recv, got ${JSON.stringify(mode)}`);
  const o = {};
  for (let i = 1; i < argv.length; i += 2) {
    const k = argv[i];
    const v = argv[i + 1];
    if (!k?.startsWith('--') || v === undefined) die(`bad argument ${JSON.stringify(k)}`);
    o[k.slice(2)] = v;
  }
  return { mode, o };
}

function int(o, name, def, min, max) {
  const raw = o[name];
  if (raw === undefined) {
    if (def === undefined) die(`--${name} is required`);
    return def;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) die(`--${name} must be an integer in ${min}..${max}`);
  return n;
}

function ip(o, name, required) {
  const v = o[name];
  if (v === undefined) {
    if (required) die(`--${name} is required`);
    return undefined;
  }
  if (!IPV4.test(v)) die(`--${name} must be an IPv4 address`);
  return v;
}

/** Sorted unique numbers to [[from, to], ...]. */
function ranges(nums) {
  const out = [];
  for (const n of nums) {
    const last = out[out.length - 1];
    if (last && n === last[1] + 1) last[1] = n;
    else out.push([n, n]);
  }
  return out;
}

function recv(o) {
  const bind = ip(o, 'bind', true);
  const port = int(o, 'port', undefined, 1, 65535);
  const marker = o.marker ?? 'probe';
  if (!MARKER.test(marker)) die('--marker must match [A-Za-z0-9_.-]{1,32}');
  const expect = int(o, 'expect', 0, 0, LIMITS.count);
  const timeoutMs = int(o, 'timeout-ms', 10_000, 1, LIMITS.timeoutMs);
  const idleMs = int(o, 'idle-ms', 0, 0, LIMITS.timeoutMs);
  const prefix = `FABRIC-UDP|${marker}|`;
  const seen = new Uint8Array(LIMITS.count + 1);
  let received = 0,
    duplicates = 0,
    foreign = 0,
    unique = 0,
    first = null,
    last = null,
    idleTimer = null;
  const foreignMarkers = new Set();
  const sock = dgram.createSocket('udp4');
  let finished = false;
  const finish = (why) => {
    if (finished) return;
    finished = true;
    const seqs = [];
    for (let i = 0; i < seen.length; i++) if (seen[i]) seqs.push(i);
    process.stdout.write(
      JSON.stringify({
        event: 'done',
        why,
        marker,
        received,
        unique,
        duplicates,
        foreign,
        foreignMarkers: [...foreignMarkers].slice(0, 8),
        seqs: ranges(seqs),
        firstAt: first,
        lastAt: last,
      }) + '\n',
    );
    sock.close();
    process.exit(0);
  };
  sock.on('message', (msg) => {
    received++;
    const now = Date.now();
    first ??= now;
    last = now;
    const text = msg.subarray(0, 64).toString('latin1');
    if (!text.startsWith(prefix)) {
      foreign++;
      const m = /^FABRIC-UDP\|([^|]*)\|/.exec(text);
      if (m) foreignMarkers.add(m[1]);
    } else {
      const seq = Number(text.slice(prefix.length, text.indexOf('|', prefix.length)));
      if (Number.isInteger(seq) && seq >= 0 && seq <= LIMITS.count) {
        if (seen[seq]) duplicates++;
        else {
          seen[seq] = 1;
          unique++;
        }
      } else foreign++;
    }
    if (expect && unique >= expect) finish('expected');
    if (idleMs) {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => finish('idle'), idleMs);
    }
  });
  sock.on('error', (err) => die(String(err.message)));
  sock.bind(port, bind, () => {
    process.stdout.write(JSON.stringify({ event: 'listening', bind, port, marker }) + '\n');
  });
  setTimeout(() => finish('timeout'), timeoutMs);
  process.on('SIGINT', () => finish('signal'));
  process.on('SIGTERM', () => finish('signal'));
}

function send(o) {
  const dst = ip(o, 'dst', true);
  const bind = ip(o, 'bind', false);
  const port = int(o, 'port', undefined, 1, 65535);
  const sport = int(o, 'sport', 0, 0, 65535);
  const count = int(o, 'count', undefined, 1, LIMITS.count);
  const pps = int(o, 'pps', 1000, 1, LIMITS.pps);
  const size = int(o, 'size', 64, LIMITS.size[0], LIMITS.size[1]);
  const timeoutMs = int(
    o,
    'timeout-ms',
    Math.min(LIMITS.timeoutMs, Math.ceil((count / pps) * 1000) + 5000),
    1,
    LIMITS.timeoutMs,
  );
  const marker = o.marker ?? 'probe';
  if (!MARKER.test(marker)) die('--marker must match [A-Za-z0-9_.-]{1,32}');
  const sock = dgram.createSocket('udp4');
  let sent = 0,
    errors = 0,
    acked = 0,
    inflight = 0,
    done = false;
  const t0 = Date.now();
  const payload = (seq) => {
    const b = Buffer.alloc(size, '.');
    b.write(`FABRIC-UDP|${marker}|${seq}|`, 0, 'latin1');
    return b;
  };
  const finish = (why) => {
    if (done) return;
    done = true;
    process.stdout.write(
      JSON.stringify({ event: 'done', why, marker, sent, errors, acked, elapsedMs: Date.now() - t0 }) + '\n',
    );
    sock.close();
    process.exit(0);
  };
  const tick = () => {
    if (done) return;
    const due = Math.min(count, Math.floor(((Date.now() - t0) * pps) / 1000) + 1);
    let burst = 0;
    while (sent < due && inflight < 256 && burst < 1000) {
      const seq = sent++;
      inflight++;
      burst++;
      sock.send(payload(seq), port, dst, (err) => {
        inflight--;
        if (err) errors++;
        else acked++;
        if (sent >= count && inflight === 0) finish('count');
      });
    }
    if (sent < count) setTimeout(tick, 1);
  };
  sock.on('error', (err) => {
    errors++;
    if (!done) process.stderr.write(String(err.message) + '\n');
  });
  setTimeout(() => finish('timeout'), timeoutMs);
  process.on('SIGINT', () => finish('signal'));
  process.on('SIGTERM', () => finish('signal'));
  if (bind || sport) sock.bind(sport, bind, tick);
  else tick();
}

const { mode, o } = parseArgs(process.argv.slice(2));
if (mode === 'recv') recv(o);
else send(o);
