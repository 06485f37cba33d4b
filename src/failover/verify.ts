// The checks after a move: what the model says is what runs.
import { FabricError } from '../errors/fabric-error.js';
import { hostNet } from '../hostnet/index.js';
import { computePlan, diffPrograms, renderPrograms } from '../tagging/index.js';
import type { LabModel } from '../topology/model.js';
import { runDirPid } from '../vm/index.js';
import { carrierOf } from './carrier.js';
import { layoutOf, siteSystems } from './layout.js';
import type { FailoverState } from './store.js';

/** Checks after a move: the guest's customer VMs, flows = plan, every guest process where the model says. */
export async function verify(
  lab: string,
  model: LabModel,
  fs: FailoverState,
  site: string,
  activeVm: string,
): Promise<string[]> {
  const out: string[] = [];
  const systems = siteSystems(model, site);
  const active = layoutOf(model).vms.find((v) => v.name === activeVm);
  if (!active) throw new FabricError('E_FAILOVER_VERIFY', `no virtual hypervisor ${activeVm} in the model`);
  const seen = await (await carrierOf(lab, fs, active)).inspect(systems);
  for (const s of systems) {
    const g = seen.find((x) => x.name === s.name);
    if (!g || g.mac !== s.mac || g.ip !== s.ip || g.master !== `br${s.vlan}`) {
      throw new FabricError(
        'E_FAILOVER_VERIFY',
        `customer VM ${s.name} in ${activeVm}: expected ${s.ip} ${s.mac} on br${s.vlan}, found ${JSON.stringify(g ?? null)}`,
      );
    }
    out.push(`${s.name} in ${activeVm}: ${s.ip} ${s.mac} on br${s.vlan}`);
  }
  const diffs = await diffPrograms(renderPrograms(model, computePlan(model)));
  const bad = diffs.filter((d) => d.missing.length || d.unexpected.length);
  if (bad.length)
    throw new FabricError('E_FAILOVER_VERIFY', `flows differ from the plan on ${bad.map((d) => d.node).join(', ')}`);
  out.push(`flows equal the plan on ${diffs.length} bridges`);
  out.push(...(await verifyPlacement(model, fs)));
  return out;
}

/** Every guest process and tap where the model places it. */
async function verifyPlacement(model: LabModel, fs: FailoverState): Promise<string[]> {
  const out: string[] = [];
  for (const v of layoutOf(model).vms) {
    const rec = fs.guests[v.name];
    const pid = v.kind === 'host' ? 0 : rec && runDirPid(rec.spec.runDir);
    if (pid === undefined)
      throw new FabricError('E_FAILOVER_VERIFY', `QEMU of ${v.name} (on ${v.host}) is not running`);
    const on = await hostNet().ovs.portBridge(v.tap);
    const bridge = layoutOf(model).hypervisors.find((h) => h.name === v.host)?.bridge;
    if (on !== bridge)
      throw new FabricError(
        'E_FAILOVER_VERIFY',
        `tap ${v.tap} of ${v.name} is on ${on ?? 'no bridge'}, expected ${bridge} (${v.host})`,
      );
    out.push(
      v.kind === 'host'
        ? `${v.name} is the host stack of ${v.host} (port ${v.tap} on ${bridge})`
        : `${v.name} runs on ${v.host} (pid ${pid}, tap ${v.tap} on ${bridge})`,
    );
  }
  return out;
}
