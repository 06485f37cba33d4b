// Guest kernel modules: which ones, and in which order to insmod them. The order is resolved at
// image build time from `modinfo -F depends` on the unpacked Debian kernel, never written by hand.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import { run } from '../hostnet/exec.js';

/** Modules every guest gets (docs/design-facts.md, QEMU): NIC, control channel, tagging, overlays, MPLS, veth. */
export const DEFAULT_GUEST_MODULES: readonly string[] = [
  'virtio_pci',
  'virtio_net',
  'virtio_console',
  'veth',
  '8021q',
  'bridge',
  'vxlan',
  'mpls_router',
  'mpls_iptunnel',
];

/** Heavier extras a caller can ask for (openvswitch pulls in conntrack and NAT). */
export const OPTIONAL_GUEST_MODULES: readonly string[] = ['openvswitch', 'tun'];

/** Module names use '_' and '-' interchangeably (the kernel normalises to '_'). */
export function normaliseModuleName(name: string): string {
  return name.replace(/-/g, '_');
}

/**
 * Orders `wanted` plus all their dependencies so that every module comes after the modules it
 * depends on (depth-first post-order, deterministic for a given input order). Throws on a cycle
 * or an unknown module.
 */
export function resolveLoadOrder(
  wanted: readonly string[],
  dependsOf: (name: string) => readonly string[] | undefined,
): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (raw: string, path: string[]): void => {
    const name = normaliseModuleName(raw);
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') {
      throw new FabricError('E_VM_MODULE_CYCLE', `kernel module dependency cycle: ${[...path, name].join(' -> ')}`);
    }
    const deps = dependsOf(name);
    if (deps === undefined) {
      throw new FabricError('E_VM_MODULE_MISSING', `kernel module ${name} not found in the guest kernel package`, {
        hint: path.length
          ? `needed by ${path.join(' -> ')}`
          : 'check the module list (is it built in, or spelled differently?)',
      });
    }
    state.set(name, 'visiting');
    for (const d of deps) visit(d, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const w of wanted) visit(w, []);
  return order;
}

/** Maps module name → .ko path for every module under an unpacked /lib/modules/<release>. */
export function indexModules(modulesDir: string): Map<string, string> {
  const index = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith('.ko')) index.set(normaliseModuleName(ent.name.slice(0, -3)), p);
      else if (/\.ko\.(xz|zst|gz)$/.test(ent.name)) {
        // busybox insmod cannot decompress; fail loudly instead of shipping a module that won't load.
        index.set(normaliseModuleName(ent.name.replace(/\.ko\..*$/, '')), p);
      }
    }
  };
  walk(modulesDir);
  return index;
}

/** Resolves the load order with `modinfo -F depends` on each .ko (one call per module in the closure). */
export async function resolveFromKernelTree(
  modulesDir: string,
  wanted: readonly string[],
): Promise<{ order: string[]; files: Map<string, string> }> {
  const index = indexModules(modulesDir);
  const deps = new Map<string, string[]>();
  // Walk the closure breadth-first, asking modinfo for each module once.
  const queue = wanted.map(normaliseModuleName);
  while (queue.length) {
    const name = queue.shift()!;
    if (deps.has(name)) continue;
    const file = index.get(name);
    if (!file) continue; // reported by resolveLoadOrder with the path that needs it
    if (!file.endsWith('.ko')) {
      throw new FabricError(
        'E_VM_MODULE_COMPRESSED',
        `kernel module ${file} is compressed; the initramfs loads modules with busybox insmod`,
        {
          hint: 'decompress modules at build time (not implemented: Debian 12 ships them uncompressed)',
        },
      );
    }
    const res = await run('modinfo', ['-F', 'depends', file]);
    const list = res.stdout
      .trim()
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(normaliseModuleName);
    deps.set(name, list);
    queue.push(...list);
  }
  const order = resolveLoadOrder(wanted, (n) => deps.get(n));
  const files = new Map(order.map((n) => [n, index.get(n)!] as const));
  return { order, files };
}
