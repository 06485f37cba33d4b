// `fabric exec <lab> <node> -- <cmd...>` and `fabric exec <lab> --label k=v -- <cmd...>`: a command
// on one node (the terminal's stdio) or on every node with the labels (lines prefixed by node);
// the exit status passes through. `fabric shell <lab> <node>`: an interactive shell on a node.
// Thin: the work is src/node-exec/.
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import type { LabState } from '../runtime/types.js';
import { labNameOf } from './lab-arg.js';

const collect = (v: string, acc: string[] = []): string[] => [...acc, v];

/** The deployed lab's state, or E_LAB_NOT_FOUND. */
async function deployedLab(arg: string): Promise<LabState> {
  const lab = await labNameOf(arg);
  const { readState } = await import('../runtime/index.js');
  const state = readState(lab);
  if (!state)
    throw new FabricError('E_LAB_NOT_FOUND', `lab ${lab} is not deployed (no state file)`, {
      hint: `fabric up ${arg}`,
    });
  return state;
}

export function register(program: Command): void {
  program
    .command('exec')
    .description(
      'run a command on a node of a deployed lab (namespace, container or virtual hypervisor); its exit status passes through',
    )
    .argument('<lab>', 'deployed lab: name, folder or file')
    .argument('[node-and-command...]', '<node> -- <command...>, or with --label only -- <command...>')
    .option(
      '--label <key=value>',
      'run on every node with this label (repeatable: all of them); role=endpoint means fabric.role',
      collect,
    )
    .option('--timeout <seconds>', 'virtual hypervisors: how long the guest agent may take', '60')
    .action(async (labArg: string, words: string[], o: { label?: string[]; timeout: string }) => {
      const x = await import('../node-exec/index.js');
      const state = await deployedLab(labArg);
      const agentTimeoutMs = Number(o.timeout) * 1000;
      if (o.label?.length) {
        const nodes = x.nodesWithLabels(state, x.parseLabels(o.label));
        const targets = nodes.map((n) => x.execTarget(state, n, words, { stdin: false, tty: false }));
        process.exitCode = await x.runMany(state.lab, targets, { agentTimeoutMs });
        return;
      }
      const [node, ...cmd] = words;
      if (!node)
        throw new FabricError('E_USAGE', 'exec needs a node (or --label) and a command', {
          hint: `fabric exec ${labArg} <node> -- <command...>`,
        });
      const target = x.execTarget(state, x.nodeOf(state, node), cmd, x.terminal());
      process.exitCode = await x.runOne(state.lab, target, { agentTimeoutMs });
    });

  program
    .command('shell')
    .description(
      'open an interactive shell on a node (netns: your $SHELL inside the namespace; containers: docker exec -it)',
    )
    .argument('<lab>', 'deployed lab: name, folder or file')
    .argument('<node>', 'the node')
    .action(async (labArg: string, node: string) => {
      const x = await import('../node-exec/index.js');
      const state = await deployedLab(labArg);
      process.exitCode = await x.runOne(state.lab, x.shellTarget(state, x.nodeOf(state, node)));
    });
}
