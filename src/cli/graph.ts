// `fabric graph <lab> --format dot|mermaid|drawio|svg [--out FILE]`: the lab drawn from its resolved
// model, deployed or not (a deployed lab's runtime and phase are noted). Thin: src/graph/.
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { labModelOf, labOperand, pickLab } from './lab-arg.js';

const FORMATS = ['dot', 'mermaid', 'drawio', 'svg'];

export function register(program: Command): void {
  labOperand(
    program
      .command('graph')
      .description('draw a lab (deployed or not) as Graphviz dot, Mermaid, draw.io or SVG, as containerlab graph does'),
    'lab file, folder or lab name',
  )
    .option('--format <format>', FORMATS.join(' | '), 'mermaid')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (operand: string | undefined, o: { format: string; out?: string; topo?: string }) => {
      const { RENDERERS, graphView } = await import('../graph/index.js');
      const r = RENDERERS.get(o.format);
      if (!r)
        throw new FabricError('E_USAGE', `unknown graph format ${JSON.stringify(o.format)}`, {
          hint: `--format ${FORMATS.join(', ')}`,
        });
      const model = await labModelOf(pickLab(operand, o.topo));
      const { readState } = await import('../runtime/index.js');
      const state = readState(model.name);
      const text = r.render(graphView(model, state ? { runtime: state.runtime, phase: state.phase } : null));
      if (!o.out) {
        process.stdout.write(text);
        return;
      }
      const { writeFile } = await import('node:fs/promises');
      await writeFile(o.out, text);
      process.stdout.write(`wrote ${o.out} (${model.nodes.length} nodes, ${model.links.length} links, ${o.format})\n`);
    });
}
