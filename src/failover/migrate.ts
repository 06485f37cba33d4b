// Live migration of one virtual hypervisor to another hypervisor: a fresh tap on the target's
// bridge, an incoming QEMU there, QEMU migration, then the source's tap and run directory go.
import { mkdirSync, rmSync } from 'node:fs';
import { bridgeNetns } from '../hostnet/index.js';
import { labAlias } from '../names/index.js';
import type { LabModel } from '../topology/model.js';
import { createTap, deleteTap, migrationTargetSpec, ovsAddPort, ovsDelPort, QemuVm } from '../vm/index.js';
import { dropHandle, handle, keepHandle } from './handles.js';
import { layoutOf, moveVm, nextPort } from './layout.js';
import { runDirOf, type FailoverState } from './store.js';
import type { Timeline } from './timeline.js';
import { vtepTrunk } from './vtep.js';

export type Migration = Timeline['migrations'][number];

export async function migrate(
  lab: string,
  fs: FailoverState,
  model: LabModel,
  vmName: string,
  to: string,
): Promise<Migration> {
  const rec = fs.guests[vmName]!;
  const layout = layoutOf(model);
  const v = layout.vms.find((x) => x.name === vmName)!;
  const from = layout.hypervisors.find((h) => h.name === v.host)!;
  const dst = layout.hypervisors.find((h) => h.name === to)!;
  const port = nextPort(model, to);
  const mtu = model.nodes.find((n) => n.name === from.name)?.interfaces.find((f) => f.name === v.tap)?.mtu;
  const src = await handle(rec.spec, false);
  // The target runs where the destination bridge's ovs-vswitchd does (another emulated host's
  // namespace on a split lab: the migration stream is a unix socket, which crosses namespaces).
  const netns = bridgeNetns(dst.bridge);
  const at = netns ? { netns } : {};
  await deleteTap(port.ifname, at);
  // Marked with the lab: the model names this tap only once the migration is committed.
  await createTap(port.ifname, { mtu, alias: labAlias(lab), ...at });
  await ovsAddPort(dst.bridge, port.ifname);
  await vtepTrunk(port.ifname);
  const gen = rec.gen + 1;
  const tgtSpec = {
    ...migrationTargetSpec(rec.spec, runDirOf(lab, vmName, gen), [port.ifname]),
    netns: netns ?? undefined,
  };
  rmSync(tgtSpec.runDir, { recursive: true, force: true });
  mkdirSync(tgtSpec.runDir, { recursive: true });
  let target: QemuVm | undefined;
  try {
    target = await QemuVm.start(tgtSpec);
    const r = await src.migrateTo(target);
    dropHandle(rec.spec.runDir);
    keepHandle(target);
    await ovsDelPort(from.bridge, v.tap);
    await deleteTap(v.tap, rec.spec.netns ? { netns: rec.spec.netns } : {});
    rmSync(rec.spec.runDir, { recursive: true, force: true });
    // The incoming QEMU has no -incoming on a later restart: keep the source's spec shape.
    fs.guests[vmName] = { name: vmName, spec: { ...tgtSpec, incoming: undefined }, gen };
    moveVm(model, vmName, to, port);
    return { vm: vmName, from: from.name, to, downtimeMs: r.downtimeMs, totalTimeMs: r.totalTimeMs, wallMs: r.wallMs };
  } catch (err) {
    await target?.stop().catch(() => {});
    await ovsDelPort(dst.bridge, port.ifname).catch(() => {});
    await deleteTap(port.ifname, at).catch(() => {});
    throw err;
  }
}
