#!/usr/bin/env node
// UDP probe with sequence numbers and a payload marker, run INSIDE an endpoint namespace with
// `ip netns exec <ns> node udp-probe.mjs ...` (argv only, no shell). Everything is bounded in count
// and time. Output: JSON lines on stdout.
//
//   recv --bind IP --port P[,P...] [--marker M] [--expect N] [--timeout-ms T] [--idle-ms I]
//        prints {"event":"listening",...} once every port is bound, then {"event":"done",...} per
//        port with the sequence numbers that arrived (as ranges), duplicates and datagrams with a
//        foreign marker (with several ports, each report names its port).
//   send (--dst IP --port P | --to IP:P[,IP:P...]) [--bind IP] [--sport P] [--marker M] --count N
//        [--pps R] [--size S] [--timeout-ms T]
//        prints {"event":"done","sent":N,"errors":E,...} per flow (with several, naming dst and port).
// Several flows in one process: one namespace's probes start one Node each, not one per pair.
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

/** `--port P` or `--port P1,P2,...`: each port its own flow. */
function ports(o) {
  const raw = o.port;
  if (raw === undefined) die('--port is required');
  const list = raw.split(',');
  if (list.length > 256) die('--port lists at most 256 ports');
  const out = list.map((p) => int({ port: p }, 'port', undefined, 1, 65535));
  if (new Set(out).size !== out.length) die('--port lists a port twice');
  return out;
}

/** One receiving socket: its own sequence numbers, expect, idle and timeout. */
function receiver(bind, port, marker, lim, onDone) {
  const prefix = `FABRIC-UDP|${marker}|`;
  const seen = new Uint8Array(LIMITS.count + 1);
  let received = 0,
    duplicates = 0,
    foreign = 0,
    unique = 0,
    first = null,
    last = null,
    idleTimer = null,
    finished = false;
  const foreignMarkers = new Set();
  const sock = dgram.createSocket('udp4');
  const finish = (why) => {
    if (finished) return;
    finished = true;
    clearTimeout(idleTimer);
    const seqs = [];
    for (let i = 0; i < seen.length; i++) if (seen[i]) seqs.push(i);
    sock.close();
    onDone({
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
    });
  };
  sock.on('message', (msg) => {
    if (finished) return;
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
    if (lim.expect && unique >= lim.expect) finish('expected');
    if (lim.idleMs) {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => finish('idle'), lim.idleMs);
    }
  });
  sock.on('error', (err) => die(String(err.message)));
  return { sock, finish };
}

function recv(o) {
  const bind = ip(o, 'bind', true);
  const list = ports(o);
  const marker = o.marker ?? 'probe';
  if (!MARKER.test(marker)) die('--marker must match [A-Za-z0-9_.-]{1,32}');
  const lim = {
    expect: int(o, 'expect', 0, 0, LIMITS.count),
    idleMs: int(o, 'idle-ms', 0, 0, LIMITS.timeoutMs),
  };
  const timeoutMs = int(o, 'timeout-ms', 10_000, 1, LIMITS.timeoutMs);
  // One port: the report as it always was; several: one report per port, each naming its port.
  let open = list.length;
  const rx = list.map((port) =>
    receiver(bind, port, marker, lim, (report) => {
      process.stdout.write(JSON.stringify(list.length > 1 ? { ...report, port } : report) + '\n');
      if (--open === 0) process.exit(0);
    }),
  );
  let bound = 0;
  rx.forEach((r, i) =>
    r.sock.bind(list[i], bind, () => {
      if (++bound < rx.length) return;
      const where = list.length > 1 ? { ports: list } : { port: list[0] };
      process.stdout.write(JSON.stringify({ event: 'listening', bind, ...where, marker }) + '\n');
    }),
  );
  const finishAll = (why) => rx.forEach((r) => r.finish(why));
  setTimeout(() => finishAll('timeout'), timeoutMs);
  process.on('SIGINT', () => finishAll('signal'));
  process.on('SIGTERM', () => finishAll('signal'));
}

/** `--dst IP --port P`, or `--to IP:P,IP:P,...` for several flows from one socket. */
function flows(o) {
  if (o.to === undefined) return [{ dst: ip(o, 'dst', true), port: int(o, 'port', undefined, 1, 65535) }];
  if (o.dst !== undefined || o.port !== undefined) die('--to excludes --dst and --port');
  const list = o.to.split(',');
  if (list.length > 256) die('--to lists at most 256 flows');
  return list.map((f) => {
    const [d, p] = f.split(':');
    return { dst: ip({ dst: d }, 'dst', true), port: int({ port: p }, 'port', undefined, 1, 65535) };
  });
}

function send(o) {
  const targets = flows(o);
  const bind = ip(o, 'bind', false);
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
  // Every flow runs `count` datagrams at `pps` of its own, all from the one socket.
  const st = targets.map((t) => ({ ...t, sent: 0, errors: 0, acked: 0, inflight: 0, done: false }));
  let open = st.length,
    inflight = 0;
  const t0 = Date.now();
  const payload = (seq) => {
    const b = Buffer.alloc(size, '.');
    b.write(`FABRIC-UDP|${marker}|${seq}|`, 0, 'latin1');
    return b;
  };
  const finish = (f, why) => {
    if (f.done) return;
    f.done = true;
    const report = { event: 'done', why, marker, sent: f.sent, errors: f.errors, acked: f.acked };
    const where = st.length > 1 ? { dst: f.dst, port: f.port } : {};
    process.stdout.write(JSON.stringify({ ...report, elapsedMs: Date.now() - t0, ...where }) + '\n');
    if (--open === 0) {
      sock.close();
      process.exit(0);
    }
  };
  const tick = () => {
    if (open === 0) return;
    const due = Math.min(count, Math.floor(((Date.now() - t0) * pps) / 1000) + 1);
    let burst = 0;
    for (const f of st) {
      while (!f.done && f.sent < due && inflight < 256 && burst < 1000) {
        const seq = f.sent++;
        inflight++;
        f.inflight++;
        burst++;
        sock.send(payload(seq), f.port, f.dst, (err) => {
          inflight--;
          f.inflight--;
          if (err) f.errors++;
          else f.acked++;
          if (f.sent >= count && f.inflight === 0) finish(f, 'count');
        });
      }
    }
    if (st.some((f) => f.sent < count)) setTimeout(tick, 1);
  };
  sock.on('error', (err) => {
    for (const f of st) if (!f.done) f.errors++;
    process.stderr.write(String(err.message) + '\n');
  });
  const finishAll = (why) => st.forEach((f) => finish(f, why));
  setTimeout(() => finishAll('timeout'), timeoutMs);
  process.on('SIGINT', () => finishAll('signal'));
  process.on('SIGTERM', () => finishAll('signal'));
  if (bind || sport) sock.bind(sport, bind, tick);
  else tick();
}

const { mode, o } = parseArgs(process.argv.slice(2));
if (mode === 'recv') recv(o);
else send(o);
