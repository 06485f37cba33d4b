// `fabric status <lab> [--json]`: the status contract (schemaVersion 1, docs/runtime.md): every
// node's namespace/bridge and every link endpoint's capture point.
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { formatStatus, getRuntime, readState } from '../runtime/index.js';
import type { LabState, StatusDoc } from '../runtime/types.js';
import { labNameOf, labOperand, pickLab } from './lab-arg.js';

/** The deployed lab's state, or E_LAB_NOT_FOUND. */
function deployedState(lab: string): LabState {
  const state = readState(lab);
  if (!state)
    throw new FabricError('E_LAB_NOT_FOUND', `lab ${lab} is not deployed (no state file)`, {
      hint: `fabric up labs/${lab}/fabric.yml`,
    });
  return state;
}

/** The status document of a deployed lab, from its runtime: what `status --json` prints. */
export async function statusOf(lab: string): Promise<StatusDoc> {
  return getRuntime(deployedState(lab).runtime).status(lab);
}

export function register(program: Command): void {
  labOperand(
    program
      .command('status')
      .description('show a deployed lab: nodes, namespaces, bridges and where to capture each link'),
    'deployed lab: name, folder or file',
  )
    .option('--json', 'machine-readable output (schemaVersion 1, schemas/status.schema.json)')
    .action(async (operand: string | undefined, opts: { json?: boolean; topo?: string }) => {
      const lab = await labNameOf(pickLab(operand, opts.topo));
      const state = deployedState(lab);
      const doc = await statusOf(lab);
      process.stdout.write(
        opts.json
          ? JSON.stringify(doc, null, 2) + '\n'
          : formatStatus(doc) + (state.phase !== 'deployed' ? `\nwarning: lab phase is ${state.phase}\n` : ''),
      );
    });
}
