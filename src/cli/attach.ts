// `fabric attach <lab> --clab <file>` adopts a lab containerlab deployed from a fabric-generated
// topology (checked against the intent first); `fabric detach <lab>` gives it back, removing only
// what fabric added (its OpenFlow program, access VLANs, captures, namespace links, state file).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { generateClab, loadLab } from '../topology/index.js';
import { fabricPart } from '../topology/clab-hypervisors.js';
import { labFileOf, labNameOf, pickLab } from './lab-arg.js';
import { fmtMs, printStage } from './up.js';

export function register(program: Command): void {
  program
    .command('attach')
    .description(
      'adopt a lab containerlab deployed from a fabric generate file: check it, discover it, write the state',
    )
    .argument('[lab]', 'the intent: lab name, lab folder or lab file')
    .option('-t, --topo <lab>', 'the intent (instead of the operand)')
    .requiredOption('--clab <file>', 'the containerlab topology the lab was deployed from')
    .action(async (operand: string | undefined, opts: { topo?: string; clab: string }) => {
      const labFile = labFileOf(pickLab(operand, opts.topo));
      // What fabric generate writes for containerlab: a hypervisor lab's fabric part only (it
      // refuses the whole of such a lab), so that is what containerlab deployed and what is adopted.
      const model = fabricPart(await loadLab(labFile)).model;
      let clabText: string;
      try {
        clabText = readFileSync(opts.clab, 'utf8');
      } catch (err) {
        throw new FabricError('E_CLAB_FILE', `cannot read ${opts.clab}`, { cause: err });
      }
      const { attachLab } = await import('../runtime/clabfile/index.js');
      const t0 = performance.now();
      process.stdout.write(`fabric attach ${model.name} --clab ${opts.clab}\n`);
      const state = await attachLab(model, {
        clabFile: opts.clab,
        clabText,
        expectedText: generateClab(model, basename(labFile)),
        intentLabel: labFile,
        onProgress: printStage,
      });
      const t = performance.now();
      const { programLab } = await import('../tagging/index.js');
      const detail = await programLab(state);
      printStage({ stage: 'tags', ms: performance.now() - t, detail });
      process.stdout.write(
        `lab ${model.name} attached in ${fmtMs(performance.now() - t0)} (runtime attached): fabric test ${model.name}; fabric detach ${model.name} gives it back\n`,
      );
    });
  program
    .command('detach')
    .description('remove what fabric added to an attached lab (flows, VLANs, captures, state); the nodes stay')
    .argument('[lab]', 'lab name')
    .option('-t, --topo <lab>', 'the lab (instead of the operand)')
    .action(async (operand: string | undefined, opts: { topo?: string }) => {
      await detach(await labNameOf(pickLab(operand, opts.topo)));
    });
}

/**
 * Detach: running captures stopped (their evidence stays), then the runtime's detach. Never the
 * lifecycle's guest teardown, which ends every process in the lab's namespaces: here those are
 * containerlab's containers.
 */
export async function detach(lab: string): Promise<void> {
  const { detachLab } = await import('../runtime/clabfile/index.js');
  const { activeRuns, stopRun } = await import('../capture/index.js');
  const runs = await activeRuns(lab).catch(() => []);
  for (const r of runs) await stopRun(r.dir, { graceMs: 2000 }).catch(() => undefined);
  const r = await detachLab(lab, printStage);
  process.stdout.write(
    `lab ${lab} detached: ${runs.length} capture runs stopped, ${r.removed.netns.length} namespace links removed; containers and bridges are containerlab's (containerlab destroy)\n`,
  );
}
