// QEMU guests for real (root): image build/reuse, TCG boot, agent commands, a tap on an OVS
// netdev bridge, ping to a namespace, pause/cont, live migration to a second QEMU with the tap
// moved, and a guest that fails to boot. Figures go to reports/vm-figures.json.
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
import {
  QemuVm,
  migrationTargetSpec,
  runDirPid,
  stopRunDir,
  type MigrationResult,
  type VmSpec,
} from '../../src/vm/qemu.js';
import { createTap, deleteTap, ovsAddPort, ovsDelPort } from '../../src/vm/tap.js';

const tag = (process.pid % 100000).toString(36);
const BR = `vmt-br-${tag}`;
const NS = `vmt-ns-${tag}`;
const VETH_OUT = `vmtv${tag}a`;
const VETH_IN = `vmtv${tag}b`;
const VM = `vmt-${tag}`;
const TAP_A = tapName('vmt', VM, 0, 0);
const TAP_B = tapName('vmt', VM, 0, 1);
const TAP_C = tapName('vmt', VM, 0, 2);
const RUN = join('/tmp', `fabric-vmtest-${tag}`);
const GUEST_IP = '10.250.77.2';
const NS_IP = '10.250.77.1';

function nsExec(argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return tryRun('ip', ['netns', 'exec', NS, ...argv], { timeout: 60_000 });
}

/** Replies by icmp_seq: the lost range is the gap(s) between answered sequence numbers. */
function pingGaps(
  text: string,
  sent: number,
): { firstLost: number | null; lastLost: number | null; lost: number; longestGap: number } {
  const got = new Set([...text.matchAll(/icmp_seq=(\d+)/g)].map((m) => Number(m[1])));
  const lostSeqs: number[] = [];
  for (let i = 1; i <= sent; i++) if (!got.has(i)) lostSeqs.push(i);
  let longest = 0;
  let run = 0;
  for (let i = 1; i <= sent; i++) {
    run = got.has(i) ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  return {
    firstLost: lostSeqs[0] ?? null,
    lastLost: lostSeqs.at(-1) ?? null,
    lost: lostSeqs.length,
    longestGap: longest,
  };
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

function pingStats(text: string): { sent: number; received: number } {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(text);
  return m ? { sent: Number(m[1]), received: Number(m[2]) } : { sent: 0, received: 0 };
}

describe('vm: QEMU guest on an OVS bridge (root)', function () {
  this.timeout(600_000);
  let image: GuestImage;
  let spec: VmSpec;
  const vms: QemuVm[] = [];
  const figures: Record<string, unknown> = {};

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
    await createTap(TAP_A);
    await ovsAddPort(BR, TAP_A);
    mkdirSync(RUN, { recursive: true });
    spec = {
      name: VM,
      kernel: image.kernel,
      initrd: image.initrd,
      runDir: join(RUN, 'a'),
      memoryMiB: 96,
      nics: [{ tap: TAP_A }],
      append: [`fabric.ip=${GUEST_IP}/24`],
    };
  });

  after(async function () {
    for (const vm of vms) await vm.stop().catch(() => {});
    for (const d of ['a', 'b', 'c', 'bad']) await stopRunDir(join(RUN, d)).catch(() => {});
    await tryRun('ovs-vsctl', ['--if-exists', 'del-br', BR]);
    for (const t of [TAP_A, TAP_B, TAP_C]) await deleteTap(t);
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

  it('boots under TCG and runs commands over the control channel', async () => {
    const vm = await QemuVm.start(spec);
    vms.push(vm);
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
  });

  it('reaches a namespace through its tap on the OVS netdev bridge', async () => {
    const vm = vms[0]!;
    const fromNs = await nsPingUntil(GUEST_IP);
    expect(fromNs.ok, fromNs.last).to.equal(true);
    const fromGuest = await vm.run(['ping', '-c', '3', '-W', '5', NS_IP]);
    expect(fromGuest.exitCode, fromGuest.stdout + fromGuest.stderr).to.equal(0);
    const arp = await nsExec(['ip', 'neigh', 'show', GUEST_IP]);
    expect(arp.stdout.toLowerCase()).to.include(
      (vm.spec.nics![0]!.mac ?? (await import('../../src/names/index.js')).macFor(VM, 0)).toLowerCase(),
    );
  });

  it('pause stops the guest answering and cont resumes it', async () => {
    const vm = vms[0]!;
    await vm.pause();
    expect(await vm.status()).to.equal('paused');
    const during = await nsExec(['ping', '-c', '2', '-i', '0.2', '-W', '1', GUEST_IP]);
    expect(pingStats(during.stdout).received).to.equal(0);
    await vm.cont();
    expect(await vm.status()).to.equal('running');
    const after = await nsPingUntil(GUEST_IP);
    expect(after.ok, after.last).to.equal(true);
  });

  it('live-migrates to a second QEMU process; the tap moves and the guest keeps answering', async () => {
    const src = vms[0]!;
    const up0 = Number((await src.run(['cut', '-d', ' ', '-f1', '/proc/uptime'])).stdout);
    expect((await nsPingUntil(GUEST_IP)).ok, 'path warm before the probe').to.equal(true);
    await createTap(TAP_B);
    await ovsAddPort(BR, TAP_B);
    const target = await QemuVm.start(migrationTargetSpec(spec, join(RUN, 'b'), [TAP_B]));
    vms.push(target);
    expect(await target.status()).to.equal('inmigrate');
    // A steady probe (100 pps) across the switchover, to count what the migration costs.
    const probe = execa('ip', ['netns', 'exec', NS, 'ping', '-i', '0.01', '-w', '8', '-W', '1', GUEST_IP], {
      reject: false,
    });
    await new Promise((r) => setTimeout(r, 1000));
    const res: MigrationResult = await src.migrateTo(target);
    await ovsDelPort(BR, TAP_A);
    await deleteTap(TAP_A);
    const probeOut = await probe;
    const stats = pingStats(String(probeOut.stdout));
    Object.assign(figures, {
      migration: res,
      probe100pps: { ...stats, ...pingGaps(String(probeOut.stdout), stats.sent) },
    });
    expect(src.alive).to.equal(false);
    expect(runDirPid(join(RUN, 'a'))).to.equal(undefined);
    expect(await target.status()).to.equal('running');
    expect(res.downtimeMs).to.be.greaterThan(0);
    const up1 = Number((await target.run(['cut', '-d', ' ', '-f1', '/proc/uptime'])).stdout);
    expect(up1, 'same guest, not rebooted').to.be.greaterThan(up0);
    const ping = await nsPingUntil(GUEST_IP);
    expect(ping.ok, ping.last).to.equal(true);
    const fromGuest = await target.run(['ping', '-c', '3', '-W', '5', NS_IP]);
    expect(fromGuest.exitCode).to.equal(0);
    expect(stats.received).to.be.greaterThan(0);
  });

  it('migrates a paused guest (inactive pool evacuation): it arrives paused and resumes on cont', async () => {
    const src = vms[1]!;
    await src.pause();
    await createTap(TAP_C);
    await ovsAddPort(BR, TAP_C);
    const target = await QemuVm.start(migrationTargetSpec(src.spec, join(RUN, 'c'), [TAP_C]));
    vms.push(target);
    const res = await src.migrateTo(target);
    await ovsDelPort(BR, TAP_B);
    await deleteTap(TAP_B);
    figures.pausedMigration = res;
    expect(src.alive).to.equal(false);
    expect(await target.status()).to.equal('paused');
    const during = await nsExec(['ping', '-c', '2', '-i', '0.2', '-W', '1', GUEST_IP]);
    expect(pingStats(during.stdout).received).to.equal(0);
    await target.cont();
    await target.waitAgent(30_000);
    const ping = await nsPingUntil(GUEST_IP);
    expect(ping.ok, ping.last).to.equal(true);
    expect((await target.run(['hostname'])).stdout.trim()).to.equal(VM);
  });

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
