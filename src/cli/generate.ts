// `fabric generate <fabric.yml>`: intent → labs/<lab>/<lab>.clab.yml (containerlab topology).
// `fabric generate --scale N`: an N-node network-only lab for the runtime bench.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { generateClab, loadLab, scaleLab } from '../topology/index.js';
import { labFileOf, labOperand } from './lab-arg.js';

interface GenerateOptions {
  scale?: string;
  out?: string;
  model?: boolean;
  topo?: string;
}

export function register(program: Command): void {
  labOperand(
    program
      .command('generate')
      .description('write the containerlab topology of a lab (labs/<lab>/<lab>.clab.yml), or an N-node scale lab'),
    'lab file, folder or lab name, e.g. labs/mtdc/fabric.yml',
  )
    .option('--scale <n>', 'generate a network-only lab of n nodes instead (printed unless --out)')
    .option('--out <file>', 'write here instead of the default')
    .option('--model', 'write the resolved LabModel as JSON instead of the containerlab topology')
    .action(async (operand: string | undefined, opts: GenerateOptions) => {
      if (operand && opts.topo) throw new FabricError('E_USAGE', `two labs given: ${operand} and --topo ${opts.topo}`);
      const labArg = operand ?? opts.topo;
      if (opts.scale !== undefined) {
        if (labArg) throw new FabricError('E_USAGE', 'give either a lab file or --scale, not both');
        const n = Number(opts.scale);
        const model = scaleLab(n);
        const text = opts.model ? JSON.stringify(model, null, 2) + '\n' : generateClab(model, `--scale ${n}`);
        if (opts.out) await write(opts.out, text);
        else process.stdout.write(text);
        return;
      }
      if (!labArg)
        throw new FabricError('E_USAGE', 'missing lab file', { hint: 'fabric generate labs/mtdc/fabric.yml' });
      const labFile = labFileOf(labArg);
      const model = await loadLab(labFile);
      const text = opts.model
        ? JSON.stringify({ ...model, source: basename(labFile) }, null, 2) + '\n'
        : generateClab(model, basename(labFile));
      const out = opts.out ?? join(dirname(labFile), `${model.name}.${opts.model ? 'model.json' : 'clab.yml'}`);
      await write(out, text);
      process.stderr.write(`wrote ${out} (${model.nodes.length} nodes, ${model.links.length} links)\n`);
    });
}

async function write(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
