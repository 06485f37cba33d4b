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
    .option('--hosts <file>', 'also place the lab on these hosts: the stitched links and their VXLAN MTU')
    .action(async (operand: string | undefined, opts: { json?: boolean; topo?: string; hosts?: string }) => {
      const { computePlan, planHash } = await import('../tagging/index.js');
      const { formatPlan } = await import('../tagging/format.js');
      const { allDcPaths } = await import('../tagging/dc-routes.js');
      const model = await labModelOf(pickLab(operand, opts.topo));
      const plan = computePlan(model);
      const hash = planHash(plan);
      let hosts: { text: string; record: object } | undefined;
      if (opts.hosts) {
        const so = await import('../scaleout/index.js');
        const hostsFile = await so.loadHosts(opts.hosts);
        const placement = so.place(model, hostsFile);
        hosts = {
          text: so.formatStitched(hostsFile, placement),
          record: so.placementRecord(model, hostsFile, placement),
        };
      }
      process.stdout.write(
        opts.json
          ? JSON.stringify(
              { planHash: hash, ...plan, dcPaths: allDcPaths(plan), ...(hosts ? { hosts: hosts.record } : {}) },
              null,
              2,
            ) + '\n'
          : formatPlan(plan, hash) + (hosts ? '\n' + hosts.text : ''),
      );
    });
}
