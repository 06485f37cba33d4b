// `fabric program <lab>`: push the planned flows to every bridge of a deployed lab (atomic per
// bridge, idempotent). Needed again after an ovs-vswitchd restart: secure bridges drop until then.
import type { Command } from 'commander';
import { labModelOf } from './lab-model.js';

export function register(program: Command): void {
  program
    .command('program')
    .description('apply the tag plan as OpenFlow to a deployed lab (one atomic bundle per bridge)')
    .argument('<lab>', 'deployed lab name')
    .action(async (arg: string) => {
      const { programLab } = await import('../tagging/index.js');
      const model = await labModelOf(arg, { deployed: true });
      process.stdout.write(`programmed ${model.name}: ${await programLab({ model })}\n`);
    });
}
