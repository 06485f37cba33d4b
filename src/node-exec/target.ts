// Where a command for a lab node runs, decided from the deployed lab's state before anything
// starts: a linux node of the netns runtime (its namespace, through the host adapter's
// `ip netns exec` argv), a container of the docker or containerlab runtime (`docker exec`), or a
// virtual hypervisor (its guest agent). Every name that reaches an argv is validated here.
import { FabricError } from '../errors/fabric-error.js';
import type { Argv } from '../hostnet/index.js';
import { hostNet } from '../hostnet/index.js';
import { checkLabName, checkNodeName, netnsName } from '../names/index.js';
import type { LabState } from '../runtime/types.js';
import type { NodeModel } from '../topology/model.js';

export type ExecTarget =
  { node: string; via: 'netns' | 'docker'; argv: Argv } | { node: string; via: 'agent'; vm: string; words: string[] };

/** `key=value` selectors of --label; a key without a dot means the `fabric.` label (role=endpoint). */
export function parseLabels(specs: readonly string[]): [string, string][] {
  return specs.map((s) => {
    const m = /^([A-Za-z0-9_.-]+)=(.*)$/.exec(s);
    if (!m)
      throw new FabricError('E_USAGE', `--label ${JSON.stringify(s)} is not key=value`, {
        hint: 'e.g. --label role=endpoint',
      });
    return [m[1]!.includes('.') ? m[1]! : `fabric.${m[1]}`, m[2]!];
  });
}

/** The nodes that carry every label, in model order. */
export function nodesWithLabels(state: LabState, labels: [string, string][]): NodeModel[] {
  const hit = state.model.nodes.filter((n) =>
    labels.every(([k, v]) => Object.hasOwn(n.labels, k) && n.labels[k] === v),
  );
  if (!hit.length)
    throw new FabricError(
      'E_EXEC_NO_MATCH',
      `no node of lab ${state.lab} has ${labels.map(([k, v]) => `${k}=${v}`).join(' and ')}`,
    );
  return hit;
}

/** The node of that name, validated. */
export function nodeOf(state: LabState, name: string): NodeModel {
  checkNodeName(name);
  const n = state.model.nodes.find((x) => x.name === name);
  if (!n)
    throw new FabricError('E_UNKNOWN_NODE', `lab ${state.lab} has no node ${name}`, {
      hint: `fabric status ${state.lab} lists the nodes`,
    });
  return n;
}

/** docker exec flags: -i keeps stdin open (a pipe or a terminal), -t gives a terminal. */
export interface Tty {
  stdin: boolean;
  tty: boolean;
}

/** How argv runs on the node (nothing is started here). */
export function execTarget(state: LabState, node: NodeModel, words: readonly string[], tty: Tty): ExecTarget {
  const lab = checkLabName(state.lab);
  if (!words.length)
    throw new FabricError('E_USAGE', 'exec needs a command after --', {
      hint: `fabric exec ${lab} ${node.name} -- ip addr`,
    });
  if (node.kind === 'generic_vm') return { node: node.name, via: 'agent', vm: node.name, words: [...words] };
  if (node.kind !== 'linux')
    throw new FabricError(
      'E_EXEC_NOT_RUNNABLE',
      `node ${node.name} is a ${node.kind} in the root namespace; it runs no commands of its own`,
    );
  if (state.runtime === 'netns')
    return { node: node.name, via: 'netns', argv: hostNet().ip.argvIn(netnsName(lab, node.name), words) };
  const flags = [...(tty.stdin ? ['-i'] : []), ...(tty.tty ? ['-t'] : [])];
  return {
    node: node.name,
    via: 'docker',
    argv: { file: 'docker', args: ['exec', ...flags, netnsName(lab, node.name), ...words] },
  };
}

/** The user's login shell when it is a plain absolute path, else /bin/sh (every image has one). */
export function shellOf(env: NodeJS.ProcessEnv = process.env, via: 'netns' | 'docker'): string {
  const s = env.SHELL;
  return via === 'netns' && s && /^\/[A-Za-z0-9_./-]+$/.test(s) && !s.includes('..') ? s : '/bin/sh';
}

/** Whether this process talks to a terminal (docker exec -t with a pipe on stdin never ends). */
export function terminal(): Tty {
  return { stdin: true, tty: Boolean(process.stdin.isTTY && process.stdout.isTTY) };
}

/** argv of an interactive shell on the node: -t only on a terminal, so a piped script runs too. */
export function shellTarget(
  state: LabState,
  node: NodeModel,
  env: NodeJS.ProcessEnv = process.env,
  tty: Tty = terminal(),
): ExecTarget {
  if (node.kind === 'generic_vm')
    throw new FabricError(
      'E_EXEC_NO_SHELL',
      `${node.name} is a virtual hypervisor: its guest agent takes one command at a time`,
      {
        hint: `fabric exec ${state.lab} ${node.name} -- <command>`,
      },
    );
  const via = state.runtime === 'netns' ? 'netns' : 'docker';
  return execTarget(state, node, [shellOf(env, via)], tty);
}
