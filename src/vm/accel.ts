// TCG or KVM. TCG is the default: /dev/kvm exists on our machines but ordinary guests hang on it
// (docs/design-facts.md, QEMU). `auto` boots a probe guest under KVM once and uses KVM only if its agent answers;
// the verdict is cached per host kernel, QEMU version and image.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { release } from 'node:os';
import { tryRun } from '../hostnet/exec.js';
import { QemuVm, type Accel } from './qemu.js';
import { defaultCacheDir, type GuestImage } from './image.js';

export type AccelPreference = Accel | 'auto';

/** FABRIC_VM_ACCEL=tcg|kvm|auto, default tcg. */
export function accelPreference(env: NodeJS.ProcessEnv = process.env): AccelPreference {
  const v = env.FABRIC_VM_ACCEL ?? 'tcg';
  if (v === 'tcg' || v === 'kvm' || v === 'auto') return v;
  throw new Error(`FABRIC_VM_ACCEL must be tcg, kvm or auto, got ${JSON.stringify(v)}`);
}

function kvmUsable(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export interface AccelProbe {
  accel: Accel;
  reason: string;
  bootMs?: number;
}

/** Boots a probe guest under KVM (no NICs, 96 MiB) and reports whether its agent answered in time. */
export async function probeKvm(
  image: GuestImage,
  timeoutMs = 20_000,
  cacheDir = defaultCacheDir(),
): Promise<AccelProbe> {
  if (!kvmUsable()) return { accel: 'tcg', reason: '/dev/kvm missing or not accessible' };
  const qemu = await tryRun('qemu-system-x86_64', ['--version']);
  const key = `${release()}|${qemu.stdout.split('\n')[0]}|${image.hash}`;
  const file = join(cacheDir, 'accel-probe.json');
  if (existsSync(file)) {
    const prev = JSON.parse(readFileSync(file, 'utf8')) as AccelProbe & { key: string };
    if (prev.key === key) return { accel: prev.accel, reason: `${prev.reason} (cached)`, bootMs: prev.bootMs };
  }
  const runDir = join('/tmp', `fabric-kvm-probe-${process.pid}`);
  let res: AccelProbe;
  let vm: QemuVm | undefined;
  try {
    vm = await QemuVm.start(
      { name: 'kvm-probe', kernel: image.kernel, initrd: image.initrd, runDir, accel: 'kvm', memoryMiB: 96 },
      { bootTimeoutMs: timeoutMs },
    );
    res = { accel: 'kvm', reason: 'KVM probe guest answered', bootMs: vm.bootMs };
  } catch (err) {
    res = { accel: 'tcg', reason: `KVM probe guest failed: ${String((err as Error).message).split('\n')[0]}` };
  } finally {
    await vm?.stop().catch(() => {});
    rmSync(runDir, { recursive: true, force: true });
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ ...res, key }, null, 2) + '\n');
  return res;
}

/** Resolves a preference to an accelerator; `auto` probes KVM (cached) and falls back to TCG. */
export async function resolveAccel(pref: AccelPreference, image: GuestImage): Promise<AccelProbe> {
  if (pref === 'tcg') return { accel: 'tcg', reason: 'TCG requested (default)' };
  if (pref === 'kvm') return { accel: 'kvm', reason: 'KVM requested' };
  return probeKvm(image);
}
