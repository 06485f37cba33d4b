// `fabric status <lab> [--json]`: the status contract (schemaVersion 1, docs/runtime.md): every
// node's namespace/bridge and every link endpoint's capture point.
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { formatStatus, getRuntime, readState } from '../runtime/index.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('show a deployed lab: nodes, namespaces, bridges and where to capture each link')
    .argument('<lab>', 'lab name')
    .option('--json', 'machine-readable output (schemaVersion 1, schemas/status.schema.json)')
    .action(async (lab: string, opts: { json?: boolean }) => {
      const state = readState(lab);
      if (!state)
        throw new FabricError('E_LAB_NOT_FOUND', `lab ${lab} is not deployed (no state file)`, {
          hint: `fabric up labs/${lab}/fabric.yml`,
        });
      const doc = await getRuntime(state.runtime).status(lab);
      process.stdout.write(
        opts.json
          ? JSON.stringify(doc, null, 2) + '\n'
          : formatStatus(doc) + (state.phase !== 'deployed' ? `\nwarning: lab phase is ${state.phase}\n` : ''),
      );
    });
}
