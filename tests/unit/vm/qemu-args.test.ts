// QEMU command line, names, MACs and migration target specs (no QEMU needed).
import { expect } from 'chai';
import {
  buildQemuArgs,
  kernelCmdline,
  migrationTargetSpec,
  precopyWhileRunning,
  type VmSpec,
} from '../../../src/vm/qemu.js';
import { macFor, tapName, checkIfName, checkVmName } from '../../../src/names/index.js';
import { accelPreference } from '../../../src/vm/accel.js';

const spec: VmSpec = {
  name: 'vh1',
  kernel: '/c/vmlinuz',
  initrd: '/c/initrd.gz',
  runDir: '/run/fabric/vm/vh1',
  nics: [{ tap: 'fvt123456' }],
};

function optAfter(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

describe('vm/qemu args', () => {
  it('builds a TCG, small, headless, daemonized command line with QMP and agent sockets', () => {
    const a = buildQemuArgs(spec);
    // The translation cache is capped: QEMU's 1 GiB default grows a long-running guest past the
    // overhead the memory check budgets.
    expect(optAfter(a, '-accel')).to.deep.equal(['tcg,tb-size=64']);
    expect(optAfter(a, '-m')).to.deep.equal(['96']);
    expect(a).to.include.members(['-nodefaults', '-display', 'none', '-daemonize', '-no-reboot']);
    expect(optAfter(a, '-pidfile')).to.deep.equal(['/run/fabric/vm/vh1/qemu.pid']);
    expect(optAfter(a, '-qmp')).to.deep.equal(['unix:/run/fabric/vm/vh1/qmp.sock,server=on,wait=off']);
    // Only the console is a UART; the agent is a named virtio-serial port (survives migration).
    expect(optAfter(a, '-serial')).to.deep.equal(['chardev:con0']);
    expect(optAfter(a, '-chardev')[1]).to.equal(
      'socket,id=agent0,path=/run/fabric/vm/vh1/agent.sock,server=on,wait=off',
    );
    expect(optAfter(a, '-netdev')).to.deep.equal(['tap,id=net0,ifname=fvt123456,script=no,downscript=no']);
    expect(optAfter(a, '-device').slice(0, 2)).to.deep.equal([
      'virtio-serial-pci,id=vser0,romfile=',
      'virtserialport,bus=vser0.0,nr=1,chardev=agent0,name=fabric.agent',
    ]);
    expect(optAfter(a, '-device')[2]).to.equal(
      `virtio-net-pci,netdev=net0,mac=${macFor('vh1', 0)},csum=off,guest_csum=off,romfile=`,
    );
    expect(a).to.not.include('-S');
    expect(a).to.not.include('-incoming');
  });

  it('adds -S and -incoming when asked, and rejects odd URIs and option-breaking paths', () => {
    const a = buildQemuArgs({
      ...spec,
      startPaused: true,
      incoming: 'unix:/run/x/migrate.sock',
      accel: 'kvm',
      memoryMiB: 80,
    });
    expect(a).to.include('-S');
    expect(optAfter(a, '-incoming')).to.deep.equal(['unix:/run/x/migrate.sock']);
    expect(optAfter(a, '-accel')).to.deep.equal(['kvm']);
    expect(() => buildQemuArgs({ ...spec, incoming: 'tcp:0.0.0.0:4444' }))
      .to.throw()
      .with.property('code', 'E_VM_SPEC');
    expect(() => buildQemuArgs({ ...spec, kernel: '/a,b/vmlinuz' })).to.throw(/must not contain/);
    expect(() => buildQemuArgs({ ...spec, memoryMiB: 16 })).to.throw(/out of/);
    expect(() => buildQemuArgs({ ...spec, nics: [{ tap: 'much-too-long-tapname' }] }))
      .to.throw()
      .with.property('code', 'E_VM_IFNAME');
    expect(() => buildQemuArgs({ ...spec, name: 'Bad Name' }))
      .to.throw()
      .with.property('code', 'E_VM_NAME');
  });

  it('kernel command line carries the hostname and extra words, rejects spaces', () => {
    expect(kernelCmdline({ name: 'vh1', append: ['fabric.ip=10.0.0.2/24'] })).to.equal(
      'console=ttyS0 quiet panic=-1 fabric.hostname=vh1 fabric.ip=10.0.0.2/24',
    );
    expect(() => kernelCmdline({ name: 'vh1', append: ['a b'] }))
      .to.throw()
      .with.property('code', 'E_VM_SPEC');
  });

  it('migration target keeps identity and MACs, changes run dir and taps', () => {
    const t = migrationTargetSpec(spec, '/run/fabric/vm/vh1.b', ['fvt123456b']);
    expect(t.name).to.equal('vh1');
    expect(t.nics).to.deep.equal([{ tap: 'fvt123456b', mac: macFor('vh1', 0) }]);
    expect(t.incoming).to.equal('unix:/run/fabric/vm/vh1.b/migrate.sock');
    expect(buildQemuArgs(t)).to.include('-incoming');
    expect(() => migrationTargetSpec(spec, spec.runDir, ['x'])).to.throw(/own run directory/);
    expect(() => migrationTargetSpec(spec, '/other', [])).to.throw(/needs 1 taps/);
  });

  it('a running TCG guest is stopped for its migration copy; only KVM pre-copies while it runs', () => {
    // QEMU 7.2's TCG loses guest stores made during pre-copy (the dirty bitmap sync leaves the
    // TLB's fast write entries in place), which corrupted migrated guests.
    expect(precopyWhileRunning(spec)).to.equal(false);
    expect(precopyWhileRunning({ accel: 'tcg' })).to.equal(false);
    expect(precopyWhileRunning({ accel: 'kvm' })).to.equal(true);
  });
});

describe('vm/names', () => {
  it('tap names fit IFNAMSIZ, are deterministic and differ per NIC and generation', () => {
    const names = new Set<string>();
    for (const vm of ['a', 'vh1', 'customer-hypervisor-0123456789ab']) {
      for (let i = 0; i < 3; i++)
        for (let g = 0; g < 3; g++) {
          const n = tapName('fv', vm, i, g);
          expect(n.length).to.be.at.most(15);
          expect(tapName('fv', vm, i, g)).to.equal(n);
          names.add(n);
        }
    }
    expect(names.size).to.equal(27);
    expect(() => tapName('toolong', 'a', 0)).to.throw();
  });

  it('MACs are locally administered unicast and stable', () => {
    const m = macFor('vh1', 0);
    expect(m).to.match(/^02:fa(:[0-9a-f]{2}){4}$/);
    expect(macFor('vh1', 0)).to.equal(m);
    expect(macFor('vh1', 1)).to.not.equal(m);
  });

  it('validates names that reach commands', () => {
    expect(checkIfName('tap0', 'E_VM_IFNAME')).to.equal('tap0');
    for (const bad of ['', 'a'.repeat(16), 'a b', 'a/b', '..', 'x;rm'])
      expect(() => checkIfName(bad, 'E_VM_IFNAME'), bad).to.throw();
    expect(() => checkVmName('-x')).to.throw();
  });

  it('FABRIC_VM_ACCEL defaults to tcg and rejects other values', () => {
    expect(accelPreference({})).to.equal('tcg');
    expect(accelPreference({ FABRIC_VM_ACCEL: 'auto' })).to.equal('auto');
    expect(() => accelPreference({ FABRIC_VM_ACCEL: 'hvf' })).to.throw(/tcg, kvm or auto/);
  });
});
