// QEMU guests for real (root): image build/reuse, TCG boot, agent commands, a tap on an OVS
// netdev bridge, ping to a namespace, pause/cont, live migration to a second QEMU with the tap
// moved, and a guest that fails to boot. Figures go to reports/vm-figures.json. Every test boots
// its own guests (own run directories, sockets and taps) and removes them after, pass or fail, so
// a guest that dies in one test cannot take the next one with it.
import { expect } from 'chai';
import { execa } from 'execa';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run, tryRun } from '../../src/hostnet/exec.js';
import { ensureOvs } from '../../src/hostnet/ovs-daemon.js';
import { writeCpio } from '../../src/vm/cpio.js';
import { ensureGuestImage, repoRoot, type GuestImage } from '../../src/vm/image.js';
import { tapName } from '../../src/names/index.js';
import { pingGaps, pingStats, repliesSeen } from '../helpers/ping.js';
import {
  QemuVm,
  migrationTargetSpec,
  runDirPid,
  stopRunDir,
  type MigrationResult,
  type StartOptions,
  type VmSpec,
} from '../../src/vm/qemu.js';
import { createTap, deleteTap, ovsAddPort, ovsDelPort } from '../../src/vm/tap.js';

const tag = (process.pid % 100000).toString(36);
const BR = `vmt-br-${tag}`;
const NS = `vmt-ns-${tag}`;
const VETH_OUT = `vmtv${tag}a`;
const VETH_IN = `vmtv${tag}b`;
const VM = `vmt-${tag}`;
const RUN = join('/tmp', `fabric-vmtest-${tag}`);
const GUEST_IP = '10.250.77.2';
const NS_IP = '10.250.77.1';

function nsExec(argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return tryRun('ip', ['netns', 'exec', NS, ...argv], { timeout: 60_000 });
}

/** Pings once a second until a reply (the machine is shared: a TCG guest can be slow to answer ARP). */
async function nsPingUntil(dst: string, timeoutMs = 30_000): Promise<{ ok: boolean; tries: number; last: string }> {
  const end = Date.now() + timeoutMs;
  let tries = 0;
  let last = '';
  while (Date.now() < end) {
    tries++;
    const r = await nsExec(['ping', '-c', '1', '-W', '2', dst]);
    last = r.stdout + r.stderr;
    if (pingStats(r.stdout).received > 0) return { ok: true, tries, last };
  }
  return { ok: false, tries, last };
}

/** A guest kernel's death in its console log (panic, oops, BUG, protection fault). */
const GUEST_DEATH = /Kernel panic|Oops:|BUG:|general protection fault/;

describe('vm: QEMU guest on an OVS bridge (root)', function () {
  this.timeout(600_000);
  let image: GuestImage;
  const figures: Record<string, unknown> = {};
  /** The running test's guests and taps, removed after it whatever its outcome. */
  let vms: QemuVm[] = [];
  let taps: string[] = [];
  let runDirs = 0;
  let tapGen = 0;

  async function newTap(): Promise<string> {
    const tap = tapName('vmt', VM, 0, tapGen++);
    await createTap(tap);
    await ovsAddPort(BR, tap);
    taps.push(tap);
    return tap;
  }

  async function dropTap(tap: string): Promise<void> {
    await ovsDelPort(BR, tap);
    await deleteTap(tap);
    taps = taps.filter((t) => t !== tap);
  }

  function newRunDir(): string {
    return join(RUN, `g${runDirs++}`);
  }

  function guestSpec(tap: string): VmSpec {
    return {
      name: VM,
      kernel: image.kernel,
      initrd: image.initrd,
      runDir: newRunDir(),
      memoryMiB: 96,
      nics: [{ tap }],
      append: [`fabric.ip=${GUEST_IP}/24`],
    };
  }

  async function startVm(spec: VmSpec, opts?: StartOptions): Promise<QemuVm> {
    const vm = await QemuVm.start(spec, opts);
    vms.push(vm);
    return vm;
  }

  /**
   * A fresh guest on its own tap, settled: its agent answers, its init script printed its ready
   * line (modules loaded, address set) and eth0 is up.
   */
  async function bootGuest(): Promise<QemuVm> {
    const vm = await startVm(guestSpec(await newTap()));
    expect(vm.consoleTail(200), 'init script done').to.match(/fabric-init: ready/);
    const link = await vm.sh(
      'for i in $(seq 1 100); do [ "$(cat /sys/class/net/eth0/operstate)" = up ] && exit 0; sleep 0.1; done; exit 1',
    );
    expect(link.exitCode, 'eth0 up').to.equal(0);
    return vm;
  }

  /**
   * Runs a test body; when it fails and one of its guests died, the failure says which and shows
   * that guest's console tail (a panicked guest ends its QEMU, so later errors only say "closed").
   */
  function guestTest(body: () => Promise<void>): () => Promise<void> {
    return async () => {
      try {
        await body();
      } catch (err) {
        const deaths = vms
          .filter((vm) => GUEST_DEATH.test(vm.consoleTail(2000)))
          .map(
            (vm) => `guest in ${vm.spec.runDir} died (QEMU alive: ${vm.alive}); console tail:\n${vm.consoleTail(30)}`,
          );
        if (deaths.length && err instanceof Error) err.message = `${deaths.join('\n')}\n--- failure: ${err.message}`;
        throw err;
      }
    };
  }

  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    await ensureOvs();
    const t0 = Date.now();
    image = await ensureGuestImage();
    figures.imageMs = Date.now() - t0;
    figures.imageBuilt = image.built;
    await run('ovs-vsctl', ['--may-exist', 'add-br', BR, '--', 'set', 'bridge', BR, 'datapath_type=netdev']);
    await run('ip', ['netns', 'add', NS]);
    await run('ip', ['link', 'add', VETH_OUT, 'type', 'veth', 'peer', 'name', VETH_IN, 'netns', NS]);
    await run('ip', ['netns', 'exec', NS, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
    await run('ip', ['link', 'set', VETH_OUT, 'up']);
    await run('ethtool', ['-K', VETH_OUT, 'tx', 'off']);
    await run('ip', ['netns', 'exec', NS, 'ethtool', '-K', VETH_IN, 'tx', 'off']);
    await run('ip', ['-n', NS, 'addr', 'add', `${NS_IP}/24`, 'dev', VETH_IN]);
    await run('ip', ['-n', NS, 'link', 'set', VETH_IN, 'up']);
    await run('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    await ovsAddPort(BR, VETH_OUT);
    mkdirSync(RUN, { recursive: true });
  });

  afterEach(async function () {
    for (const vm of vms) await vm.stop().catch(() => {});
    for (let i = 0; i < runDirs; i++) await stopRunDir(join(RUN, `g${i}`)).catch(() => {});
    await stopRunDir(join(RUN, 'bad')).catch(() => {});
    for (const t of taps) {
      await ovsDelPort(BR, t).catch(() => {});
      await deleteTap(t).catch(() => {});
    }
    vms = [];
    taps = [];
  });

  after(async function () {
    await tryRun('ovs-vsctl', ['--if-exists', 'del-br', BR]);
    await tryRun('ip', ['link', 'del', VETH_OUT]);
    await tryRun('ip', ['netns', 'del', NS]);
    rmSync(RUN, { recursive: true, force: true });
    if (Object.keys(figures).length) {
      mkdirSync(join(repoRoot(), 'reports'), { recursive: true });
      writeFileSync(join(repoRoot(), 'reports', 'vm-figures.json'), JSON.stringify(figures, null, 2) + '\n');
      console.log('      vm figures:', JSON.stringify(figures));
    }
  });

  it('reuses the cached image on a second call (same hash, not rebuilt)', async () => {
    const again = await ensureGuestImage();
    expect(again.hash).to.equal(image.hash);
    expect(again.built).to.equal(false);
    expect(again.modules).to.include.members([
      'virtio_net',
      '8021q',
      'bridge',
      'vxlan',
      'mpls_router',
      'virtio_console',
    ]);
  });

  it(
    'boots under TCG and runs commands over the control channel',
    guestTest(async () => {
      const vm = await bootGuest();
      figures.bootToAgentMs = vm.bootMs;
      figures.guestUptimeAtReadyS = Number((await vm.run(['cut', '-d', ' ', '-f1', '/proc/uptime'])).stdout);
      figures.loadAvg1 = Number((await import('node:os')).loadavg()[0]!.toFixed(1));
      expect(vm.alive).to.equal(true);
      const u = await vm.run(['uname', '-r']);
      expect(u.exitCode).to.equal(0);
      expect(u.stdout.trim()).to.equal(image.release);
      const mods = await vm.run(['cat', '/proc/modules']);
      for (const m of ['virtio_net', '8021q', 'bridge', 'vxlan', 'mpls_router', 'virtio_console'])
        expect(mods.stdout).to.match(new RegExp(`^${m} `, 'm'));
      const ipv = await vm.run(['ip', '-V']);
      expect(ipv.stdout).to.match(/iproute2-/);
      const bad = await vm.run(['sh', '-c', 'echo oops >&2; exit 7']);
      expect(bad).to.include({ exitCode: 7, stderr: 'oops\n' });
      const quoted = await vm.run(['printf', '%s|', 'a b', "it's", '$(reboot)', '*']);
      expect(quoted.stdout).to.equal("a b|it's|$(reboot)|*|");
      // The kernel features the nested hypervisor needs: a VLAN-filtering bridge, a dot1q device, VXLAN on 4789.
      const feat = await vm.sh(
        [
          'ip link add br0 type bridge vlan_filtering 1',
          'ip link add link eth0 name eth0.100 type vlan id 100',
          'ip link add vx42 type vxlan id 42 dstport 4789 local 10.250.77.2 nolearning',
          'ip link set vx42 master br0 && bridge vlan add dev vx42 vid 10 pvid untagged',
          'bridge -d vlan show dev vx42',
          'ip netns add cust1 && ip netns exec cust1 ip link show lo',
          'ip link del br0; ip link del eth0.100; ip link del vx42; ip netns del cust1',
        ].join(' && '),
      );
      expect(feat.exitCode, feat.stderr).to.equal(0);
      expect(feat.stdout).to.match(/10 PVID Egress Untagged/);
    }),
  );

  it(
    'reaches a namespace through its tap on the OVS netdev bridge',
    guestTest(async () => {
      const vm = await bootGuest();
      const fromNs = await nsPingUntil(GUEST_IP);
      expect(fromNs.ok, fromNs.last).to.equal(true);
      const fromGuest = await vm.run(['ping', '-c', '3', '-W', '5', NS_IP]);
      expect(fromGuest.exitCode, fromGuest.stdout + fromGuest.stderr).to.equal(0);
      const arp = await nsExec(['ip', 'neigh', 'show', GUEST_IP]);
      expect(arp.stdout.toLowerCase()).to.include(
        (vm.spec.nics![0]!.mac ?? (await import('../../src/names/index.js')).macFor(VM, 0)).toLowerCase(),
      );
    }),
  );

  it(
    'pause stops the guest answering and cont resumes it',
    guestTest(async () => {
      const vm = await bootGuest();
      expect((await nsPingUntil(GUEST_IP)).ok, 'answers before the pause').to.equal(true);
      await vm.pause();
      expect(await vm.status()).to.equal('paused');
      const during = await nsExec(['ping', '-c', '2', '-i', '0.2', '-W', '1', GUEST_IP]);
      expect(pingStats(during.stdout).received).to.equal(0);
      await vm.cont();
      expect(await vm.status()).to.equal('running');
      const after = await nsPingUntil(GUEST_IP);
      expect(after.ok, after.last).to.equal(true);
    }),
  );

  it(
    'live-migrates to a second QEMU process; the tap moves and the guest keeps answering, its memory intact',
    guestTest(async () => {
      const src = await bootGuest();
      const tapA = src.spec.nics![0]!.tap;
      const up0 = Number((await src.run(['cut', '-d', ' ', '-f1', '/proc/uptime'])).stdout);
      expect((await nsPingUntil(GUEST_IP)).ok, 'path warm before the probe').to.equal(true);
      const target = await startVm(migrationTargetSpec(src.spec, newRunDir(), [await newTap()]));
      expect(await target.status()).to.equal('inmigrate');
      // A steady probe (100 pps) across the switchover, to count what the migration costs.
      const probe = execa('ip', ['netns', 'exec', NS, 'ping', '-i', '0.01', '-w', '8', '-W', '1', GUEST_IP], {
        reject: false,
      });
      await repliesSeen(probe, 20, 5000);
      // Guest memory written while the copy runs: each file holds its own number. A store the copy
      // misses leaves a file stale on the target (or, in kernel memory, kills the guest).
      await src.sh(
        'rm -rf /tmp/w && mkdir /tmp/w && ( n=0; while [ ! -e /tmp/w/stop ] && [ $n -lt 1000 ]; do echo $n >/tmp/w/f$n; n=$((n+1)); done; touch /tmp/w/end ) </dev/null >/dev/null 2>&1 &',
      );
      const started = await src.sh('for i in $(seq 1 100); do [ -e /tmp/w/f20 ] && exit 0; sleep 0.05; done; exit 1');
      expect(started.exitCode, 'writer running before the migration').to.equal(0);
      const res: MigrationResult = await src.migrateTo(target);
      await dropTap(tapA);
      const probeOut = await probe;
      const stats = pingStats(String(probeOut.stdout));
      Object.assign(figures, {
        migration: res,
        probe100pps: { ...stats, ...pingGaps(String(probeOut.stdout), stats.sent) },
      });
      expect(src.alive).to.equal(false);
      expect(runDirPid(src.spec.runDir)).to.equal(undefined);
      expect(await target.status()).to.equal('running');
      expect(res.downtimeMs).to.be.greaterThan(0);
      // TCG: the guest is stopped for the copy (QEMU 7.2 pre-copy loses guest stores).
      expect(res.stopAndCopy).to.equal(true);
      const up1 = Number((await target.run(['cut', '-d', ' ', '-f1', '/proc/uptime'])).stdout);
      expect(up1, 'same guest, not rebooted').to.be.greaterThan(up0);
      const written = await target.sh(
        'touch /tmp/w/stop; for i in $(seq 1 200); do [ -e /tmp/w/end ] && break; sleep 0.05; done; cd /tmp/w && ls | grep -c "^f"; awk \'FNR == 1 && FILENAME != "f" $0 { print FILENAME ": " $0 }\' f* | head -5',
        { timeoutMs: 60_000 },
      );
      const [count, ...stale] = written.stdout.trim().split('\n');
      figures.filesWrittenAcrossMigration = Number(count);
      expect(Number(count), 'files the guest wrote').to.be.greaterThan(20);
      expect(stale, 'files whose content the migration lost').to.deep.equal([]);
      const ping = await nsPingUntil(GUEST_IP);
      expect(ping.ok, ping.last).to.equal(true);
      const fromGuest = await target.run(['ping', '-c', '3', '-W', '5', NS_IP]);
      expect(fromGuest.exitCode).to.equal(0);
      expect(stats.received).to.be.greaterThan(0);
    }),
  );

  it(
    'migrates a paused guest (inactive pool evacuation): it arrives paused and resumes on cont',
    guestTest(async () => {
      const src = await bootGuest();
      const tapA = src.spec.nics![0]!.tap;
      await src.pause();
      const target = await startVm(migrationTargetSpec(src.spec, newRunDir(), [await newTap()]));
      const res = await src.migrateTo(target);
      await dropTap(tapA);
      figures.pausedMigration = res;
      expect(src.alive).to.equal(false);
      expect(res.stopAndCopy, 'already paused: nothing to stop').to.equal(false);
      expect(await target.status()).to.equal('paused');
      const during = await nsExec(['ping', '-c', '2', '-i', '0.2', '-W', '1', GUEST_IP]);
      expect(pingStats(during.stdout).received).to.equal(0);
      await target.cont();
      await target.waitAgent(30_000);
      const ping = await nsPingUntil(GUEST_IP);
      expect(ping.ok, ping.last).to.equal(true);
      expect((await target.run(['hostname'])).stdout.trim()).to.equal(VM);
    }),
  );

  it('reports a guest that fails to boot (initramfs without /init) with E_VM_BOOT and leaves nothing running', async () => {
    // The kernel panics ("No working init found"), panic=-1 reboots, -no-reboot ends QEMU.
    const badInitrd = join(RUN, 'noinit.initrd');
    writeFileSync(
      badInitrd,
      gzipSync(writeCpio([{ type: 'file', path: '/hello', data: Buffer.from('no init here\n') }])),
    );
    let err: unknown;
    try {
      await QemuVm.start(
        { name: `${VM}-bad`, kernel: image.kernel, initrd: badInitrd, runDir: join(RUN, 'bad'), memoryMiB: 96 },
        { bootTimeoutMs: 90_000 },
      );
    } catch (e) {
      err = e;
    }
    expect(err).to.have.property('code', 'E_VM_BOOT');
    expect(String((err as { hint?: string }).hint)).to.match(/Kernel panic|init/i);
    expect(runDirPid(join(RUN, 'bad'))).to.equal(undefined);
  });
});
