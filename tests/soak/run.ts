// `make soak` (root, outside `make test`): FABRIC_SOAK_CYCLES (default 50) cycles of up → test →
// down on a private copy of the reference lab, then FABRIC_SOAK_FAILOVERS (default 20) failover
// and fail-back cycles of hv3 (blue's fully virtualized k3, moved from dc3 to ha3 in dc1) on
// another private copy of the reference lab. FABRIC_SOAK_CYCLES=0 runs the failover loop alone. Per cycle it prints the times and the
// resident memory of the long-lived processes (ovs-vswitchd, ovsdb-server, the lab's QEMU, dockerd
// when it runs). It ends with the leftovers and cross-tenant frames it found, and exits non-zero
// unless both are 0 and every cycle passed. FABRIC_SOAK_MAX_S bounds the whole run (default 7200).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConformanceReport } from '../../src/report/result.js';
import type { Timeline } from '../../src/failover/timeline.js';
import { ROOT } from '../integration/lab-copy.js';
import { fabric, leftovers } from '../integration/kill-helpers.js';

const CYCLES = Number(process.env.FABRIC_SOAK_CYCLES ?? 50);
const FAILOVERS = Number(process.env.FABRIC_SOAK_FAILOVERS ?? 20);
const MAX_MS = Number(process.env.FABRIC_SOAK_MAX_S ?? 7200) * 1000;
const work = mkdtempSync(join(tmpdir(), 'fabric-soak-'));
process.env.FABRIC_STATE_DIR = join(work, 'state');
process.env.FABRIC_CAPTURE_DIR = join(work, 'captures');
const t0 = Date.now();
let failures = 0;
let crossTenant = 0;

function copyLab(src: string, from: string, to: string): string {
  const file = join(work, `${to}.yml`);
  writeFileSync(file, readFileSync(join(ROOT, src), 'utf8').replace(new RegExp(`^name: ${from}$`, 'm'), `name: ${to}`));
  return file;
}

function rssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function pidFrom(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}

/** Resident memory of the long-lived processes, e.g. `ovs-vswitchd 41.2 MiB, qemu×3 301.0 MiB`. */
function memory(): string {
  const parts: string[] = [];
  const mib = (k: number) => `${(k / 1024).toFixed(1)} MiB`;
  for (const [name, file] of [
    ['ovs-vswitchd', '/var/run/openvswitch/ovs-vswitchd.pid'],
    ['ovsdb-server', '/var/run/openvswitch/ovsdb-server.pid'],
    ['dockerd', '/var/run/docker.pid'],
  ] as const) {
    const pid = existsSync(file) ? pidFrom(file) : null;
    const k = pid ? rssKiB(pid) : null;
    if (k !== null) parts.push(`${name} ${mib(k)}`);
  }
  const qemu: number[] = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.includes('qemu-system') && argv.some((a) => a.includes(work))) qemu.push(rssKiB(Number(p)) ?? 0);
    } catch {
      /* gone */
    }
  }
  if (qemu.length) parts.push(`qemu×${qemu.length} ${mib(qemu.reduce((a, b) => a + b, 0))}`);
  return parts.join(', ');
}

async function step(what: string, args: string[]): Promise<{ ok: boolean; ms: number; stdout: string }> {
  const t = Date.now();
  const r = await fabric(args, 900_000);
  if (r.exitCode !== 0) {
    failures++;
    process.stdout.write(`  ${what} FAILED (${r.exitCode}):\n${r.stderr.split('\n').slice(-8).join('\n')}\n`);
  }
  return { ok: r.exitCode === 0, ms: Date.now() - t, stdout: r.stdout };
}

function isolationFailures(stdout: string): number {
  const m = /evidence: (\S+)\/ \(/.exec(stdout);
  if (!m) return 0;
  const rep = JSON.parse(readFileSync(join(m[1]!, 'report.json'), 'utf8')) as ConformanceReport;
  return rep.checks.filter((c) => c.suite === 'isolation' && c.state === 'failed').length;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const overTime = () => Date.now() - t0 > MAX_MS;

async function labCycles(): Promise<void> {
  const file = copyLab('labs/mtdc/fabric.yml', 'mtdc', 'soakr');
  for (let i = 1; i <= CYCLES && !overTime(); i++) {
    const u = await step('up', ['up', file]);
    const t = u.ok ? await step('test', ['test', 'soakr']) : { ok: false, ms: 0, stdout: '' };
    const x = isolationFailures(t.stdout);
    crossTenant += x;
    const mem = memory();
    const d = await step('down', ['down', 'soakr']);
    process.stdout.write(
      `lab ${i}/${CYCLES}: up ${secs(u.ms)}, test ${secs(t.ms)}, down ${secs(d.ms)}; isolation failures ${x}; ${mem}\n`,
    );
  }
}

async function failoverCycles(): Promise<void> {
  if (!FAILOVERS) return;
  const file = copyLab('labs/mtdc/fabric.yml', 'mtdc', 'soakf');
  const ok =
    (await step('up', ['up', file, '--no-guests'])).ok && (await step('setup', ['failover', 'setup', 'soakf'])).ok;
  for (let i = 1; ok && i <= FAILOVERS && !overTime(); i++) {
    const args = ['--probe', '4', '--json'];
    const f = await step('failover', ['failover', 'trigger', 'soakf', '--kind', 'failure', '--host', 'hv3', ...args]);
    const b = await step('failback', ['failover', 'failback', 'soakf', ...args]);
    let x = 0;
    for (const s of [f, b].filter((r) => r.ok)) x += (JSON.parse(s.stdout) as Timeline).crossTenantFrames ?? 0;
    crossTenant += x;
    process.stdout.write(
      `failover ${i}/${FAILOVERS}: failover ${secs(f.ms)}, failback ${secs(b.ms)}; cross-tenant frames ${x}; ${memory()}\n`,
    );
  }
  await step('down', ['down', 'soakf']);
}

try {
  await labCycles();
  await failoverCycles();
} finally {
  const left = [...(await leftovers('soakr', work)), ...(await leftovers('soakf', work))];
  for (const l of left) process.stdout.write(`leftover: ${l}\n`);
  process.stdout.write(
    `soak: ${secs(Date.now() - t0)}; ${failures} failed steps, ${left.length} leftovers, ${crossTenant} cross-tenant frames/isolation failures${overTime() ? ' (stopped at FABRIC_SOAK_MAX_S)' : ''}\n`,
  );
  rmSync(work, { recursive: true, force: true });
  process.exitCode = failures || left.length || crossTenant ? 1 : 0;
}
