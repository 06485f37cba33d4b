// `fabric plan <lab> [--json]`: every tag the fabric uses, and the decoder hints.
import type { Command } from 'commander';
import { labModelOf } from './lab-model.js';

export function register(program: Command): void {
  program
    .command('plan')
    .description('show the tag plan: host/customer tags, DC labels, LSPs, decode hints, MTU budget')
    .argument('<lab>', 'lab file, folder or deployed lab name')
    .option('--json', 'the plan as JSON (decodeHints feed fabric inspect --decode-as)')
    .action(async (arg: string, opts: { json?: boolean }) => {
      const { computePlan, planHash } = await import('../tagging/index.js');
      const { formatPlan } = await import('../tagging/format.js');
      const plan = computePlan(await labModelOf(arg));
      const hash = planHash(plan);
      process.stdout.write(
        opts.json ? JSON.stringify({ planHash: hash, ...plan }, null, 2) + '\n' : formatPlan(plan, hash),
      );
    });
}
