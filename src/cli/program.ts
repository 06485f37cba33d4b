// `fabric program <lab>`: push the planned flows to every bridge of a deployed lab (atomic per
// bridge, idempotent). Needed again after an ovs-vswitchd restart: secure bridges drop until then.
import type { Command } from 'commander';
import { labModelOf, labOperand, pickLab } from './lab-arg.js';
import { reachRemote, remoteOptions, type RemoteOptions } from './remote-switches.js';

export function register(program: Command): void {
  remoteOptions(
    labOperand(
      program
        .command('program')
        .description('apply the tag plan as OpenFlow to a deployed lab (one atomic bundle per bridge)'),
      'deployed lab: name, folder or file',
    ),
  ).action(async (operand: string | undefined, opts: RemoteOptions & { topo?: string }) => {
    const { programLab, computePlan, renderPrograms } = await import('../tagging/index.js');
    // A lab on other machines has no state here: its model comes from the lab file.
    const model = await labModelOf(pickLab(operand, opts.topo), { deployed: !opts.hosts && !opts.containers });
    const how = await reachRemote(model, renderPrograms(model, computePlan(model)), opts);
    process.stdout.write(`programmed ${model.name}: ${await programLab({ model })}${how}\n`);
  });
}
