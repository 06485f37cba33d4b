// `fabric flows <lab> [--diff]`: the planned flows per bridge, or programmed-versus-planned drift.
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { labModelOf, labOperand, pickLab } from './lab-arg.js';
import { reachRemote, remoteOptions, type RemoteOptions } from './remote-switches.js';

export function register(program: Command): void {
  remoteOptions(
    labOperand(
      program
        .command('flows')
        .description('show planned flows per bridge; --diff compares them with what the switches run'),
      'lab file, folder or lab name',
    ),
  )
    .option('--diff', 'compare with the live switches; exit 1 when they drift')
    .option('--bridge <node>', 'only this node')
    .action(
      async (operand: string | undefined, opts: RemoteOptions & { diff?: boolean; bridge?: string; topo?: string }) => {
        const { computePlan, renderPrograms, diffPrograms, bundleText } = await import('../tagging/index.js');
        if ((opts.hosts || opts.containers) && !opts.diff)
          throw new FabricError('E_USAGE', '--hosts and --containers reach the switches: give --diff');
        const model = await labModelOf(pickLab(operand, opts.topo), {
          deployed: !!opts.diff && !opts.hosts && !opts.containers,
        });
        const programs = renderPrograms(model, computePlan(model)).filter(
          (p) => !opts.bridge || p.node === opts.bridge,
        );
        await reachRemote(model, programs, opts);
        if (!opts.diff) {
          for (const p of programs)
            process.stdout.write(
              `# ${p.node} (bridge ${p.bridge}, ${p.role})\n${p.meters.map((m) => `meter add ${m}\n`).join('')}${bundleText(p)}\n`,
            );
          return;
        }
        let drift = 0;
        for (const d of await diffPrograms(programs)) {
          const n = d.missing.length + d.unexpected.length;
          drift += n;
          process.stdout.write(
            `${d.node.padEnd(14)} ${n ? `DRIFT ${d.missing.length} missing, ${d.unexpected.length} unexpected` : 'ok'}\n`,
          );
          for (const f of d.missing) process.stdout.write(`  + ${f}\n`);
          for (const f of d.unexpected) process.stdout.write(`  - ${f}\n`);
        }
        if (drift) process.exitCode = 1;
      },
    );
}
