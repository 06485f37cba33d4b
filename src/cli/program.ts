// `fabric program <lab>`: push the planned flows to every bridge of a deployed lab (atomic per
// bridge, idempotent). Needed again after an ovs-vswitchd restart: secure bridges drop until then.
import type { Command } from 'commander';
import { labModelOf, labOperand, pickLab } from './lab-arg.js';

export function register(program: Command): void {
  labOperand(
    program
      .command('program')
      .description('apply the tag plan as OpenFlow to a deployed lab (one atomic bundle per bridge)'),
    'deployed lab: name, folder or file',
  ).action(async (operand: string | undefined, opts: { topo?: string }) => {
    const { programLab } = await import('../tagging/index.js');
    const model = await labModelOf(pickLab(operand, opts.topo), { deployed: true });
    process.stdout.write(`programmed ${model.name}: ${await programLab({ model })}\n`);
  });
}
