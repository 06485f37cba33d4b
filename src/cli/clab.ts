// `fabric clab deploy -t <file>` / `fabric clab destroy <lab>`: a stand-in for `containerlab
// deploy/destroy` on machines without containerlab. It deploys a containerlab topology from the
// file alone (docker containers `clab-<lab>-<node>`, the bridges script's OVS bridges, veth links,
// exec lines), so the generated file is proven the way containerlab would run it.
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { fmtMs, printStage } from './up.js';

export function register(program: Command): void {
  const clab = program
    .command('clab')
    .description(
      'deploy or destroy a containerlab topology file the way containerlab does (stand-in when containerlab is absent)',
    );
  clab
    .command('deploy')
    .description('deploy <lab>.clab.yml from the file alone: containers, bridges (via <lab>.bridges.sh), links, exec')
    .requiredOption('-t, --topo <file>', 'the containerlab topology file')
    .action(async (opts: { topo: string }) => {
      const { deployFromFile } = await import('../runtime/clabfile/index.js');
      const t0 = performance.now();
      process.stdout.write(`fabric clab deploy -t ${opts.topo}\n`);
      const rec = await deployFromFile(opts.topo, { onProgress: printStage });
      process.stdout.write(
        `lab ${rec.lab} deployed from ${opts.topo} in ${fmtMs(performance.now() - t0)}: ${rec.containers.length} containers; adopt it with fabric attach ${rec.lab} --clab ${opts.topo}\n`,
      );
    });
  clab
    .command('destroy')
    .description('remove a lab deployed with fabric clab deploy (containers, links, bridges); leaves nothing')
    .argument('[lab]', 'lab name')
    .option('-t, --topo <file>', 'the topology file (its name: is the lab)')
    .action(async (lab: string | undefined, opts: { topo?: string }) => {
      const { destroyFromFile, readClabFile } = await import('../runtime/clabfile/index.js');
      const name = lab ?? (opts.topo ? readClabFile(opts.topo).lab : undefined);
      if (!name)
        throw new FabricError('E_USAGE', 'give the lab name or -t <file>', { hint: 'fabric clab destroy mtdc' });
      const t0 = performance.now();
      const r = await destroyFromFile(name, { onProgress: printStage });
      process.stdout.write(
        `lab ${r.lab}: removed ${r.containers} containers, ${r.bridges} OVS bridges, ${r.hostIfs} host interfaces in ${fmtMs(performance.now() - t0)}\n`,
      );
    });
}
