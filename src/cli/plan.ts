// `fabric plan <lab> [--json]`: every tag the fabric uses, and the decoder hints.
import type { Command } from 'commander';
import { labModelOf, labOperand, pickLab } from './lab-arg.js';

export function register(program: Command): void {
  labOperand(
    program
      .command('plan')
      .description('show the tag plan: host/customer tags, DC labels, DC paths, LSPs, decode hints, MTU budget'),
    'lab file, folder or lab name',
  )
    .option('--json', 'the plan as JSON (decodeHints feed fabric inspect --decode-as)')
    .action(async (operand: string | undefined, opts: { json?: boolean; topo?: string }) => {
      const { computePlan, planHash } = await import('../tagging/index.js');
      const { formatPlan } = await import('../tagging/format.js');
      const { allDcPaths } = await import('../tagging/dc-routes.js');
      const plan = computePlan(await labModelOf(pickLab(operand, opts.topo)));
      const hash = planHash(plan);
      process.stdout.write(
        opts.json
          ? JSON.stringify({ planHash: hash, ...plan, dcPaths: allDcPaths(plan) }, null, 2) + '\n'
          : formatPlan(plan, hash),
      );
    });
}
