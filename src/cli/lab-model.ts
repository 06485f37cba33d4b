// A lab argument → its LabModel: the deployed state when the lab is up (what the switches run),
// otherwise the lab file resolved afresh.
import { FabricError } from '../errors/fabric-error.js';
import { readState } from '../runtime/index.js';
import type { LabModel } from '../topology/model.js';
import { labFileOf } from './lab-arg.js';

export async function labModelOf(arg: string, opts: { deployed?: boolean } = {}): Promise<LabModel> {
  const file = labFileOf(arg);
  const name = file ? undefined : arg;
  if (name || opts.deployed) {
    const { loadLab } = await import('../topology/index.js');
    const lab = name ?? (await loadLab(file as string)).name;
    const state = readState(lab);
    if (state) return state.model;
    if (opts.deployed)
      throw new FabricError('E_LAB_NOT_FOUND', `lab ${lab} is not deployed (no state file)`, {
        hint: `fabric up labs/${lab}/fabric.yml`,
      });
  }
  if (!file)
    throw new FabricError('E_LAB_NOT_FOUND', `no lab file or deployed lab named ${arg}`, {
      hint: 'give labs/<lab>/fabric.yml or the name of a deployed lab',
    });
  const { loadLab } = await import('../topology/index.js');
  return loadLab(file);
}
