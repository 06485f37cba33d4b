import { expect } from 'chai';
import { loadLab } from '../../../src/topology/index.js';
import type { LabState } from '../../../src/runtime/types.js';
import type { LabModel } from '../../../src/topology/model.js';
import {
  execTarget,
  nodeOf,
  nodesWithLabels,
  parseLabels,
  runMany,
  shellOf,
  shellTarget,
  type ExecTarget,
} from '../../../src/node-exec/index.js';

function stateOf(model: LabModel, runtime: string): LabState {
  return { lab: model.name, runtime, model } as LabState;
}
const plain = { stdin: false, tty: false };
const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('fabric exec targets (argv built, nothing run)', () => {
  let mtdc: LabModel;
  let failover: LabModel;
  before(async () => {
    mtdc = await loadLab('labs/mtdc/fabric.yml');
    failover = await loadLab('labs/failover/fabric.yml');
  });

  it('netns: ip netns exec clab-<lab>-<node> and the words verbatim (no shell)', () => {
    const s = stateOf(mtdc, 'netns');
    const t = execTarget(s, nodeOf(s, 'red-c1-h1'), ['sh', '-c', 'echo $HOME; rm -rf /'], plain);
    expect(t).to.deep.equal({
      node: 'red-c1-h1',
      via: 'netns',
      argv: { file: 'ip', args: ['netns', 'exec', 'clab-mtdc-red-c1-h1', 'sh', '-c', 'echo $HOME; rm -rf /'] },
    });
  });

  it('docker and containerlab: docker exec [-i] [-t] clab-<lab>-<node> argv', () => {
    for (const rt of ['docker', 'containerlab']) {
      const s = stateOf(mtdc, rt);
      const n = nodeOf(s, 'red-c1-h1');
      expect(execTarget(s, n, ['ip', 'a'], plain)).to.deep.include({
        via: 'docker',
        argv: { file: 'docker', args: ['exec', 'clab-mtdc-red-c1-h1', 'ip', 'a'] },
      });
      expect(execTarget(s, n, ['ip', 'a'], { stdin: true, tty: true })).to.deep.include({
        argv: { file: 'docker', args: ['exec', '-i', '-t', 'clab-mtdc-red-c1-h1', 'ip', 'a'] },
      });
    }
  });

  it('virtual hypervisors (generic_vm) go through the guest agent with the words as given', () => {
    const s = stateOf(failover, 'netns');
    const vm = failover.nodes.find((n) => n.kind === 'generic_vm')!;
    expect(vm, 'labs/failover has a generic_vm node').to.not.equal(undefined);
    expect(execTarget(s, vm, ['uname', '-r'], plain)).to.deep.equal({
      node: vm.name,
      via: 'agent',
      vm: vm.name,
      words: ['uname', '-r'],
    });
    expect(code(() => shellTarget(s, vm))).to.equal('E_EXEC_NO_SHELL');
  });

  it('refuses bad node names before any lookup, unknown nodes, bridges and an empty command', () => {
    const s = stateOf(mtdc, 'netns');
    for (const bad of ['-rf', 'a b', 'x;reboot', '../etc', '$(id)', ''])
      expect(
        code(() => nodeOf(s, bad)),
        bad,
      ).to.equal('E_BAD_NAME');
    expect(code(() => nodeOf(s, 'nope'))).to.equal('E_UNKNOWN_NODE');
    const bridge = mtdc.nodes.find((n) => n.kind === 'ovs-bridge')!;
    expect(code(() => execTarget(s, bridge, ['true'], plain))).to.equal('E_EXEC_NOT_RUNNABLE');
    expect(code(() => execTarget(s, nodeOf(s, 'red-c1-h1'), [], plain))).to.equal('E_USAGE');
    expect(code(() => execTarget({ ...s, lab: 'Bad;lab' }, nodeOf(s, 'red-c1-h1'), ['true'], plain))).to.equal(
      'E_BAD_NAME',
    );
  });

  it('--label selects nodes by their fabric.* labels (all of them must match)', () => {
    const s = stateOf(mtdc, 'netns');
    expect(parseLabels(['role=endpoint', 'fabric.tenant=red'])).to.deep.equal([
      ['fabric.role', 'endpoint'],
      ['fabric.tenant', 'red'],
    ]);
    const red = nodesWithLabels(s, parseLabels(['role=endpoint', 'tenant=red'])).map((n) => n.name);
    expect(red).to.include('red-c1-h1');
    expect(red.every((n) => n.startsWith('red-'))).to.equal(true);
    expect(code(() => nodesWithLabels(s, parseLabels(['tenant=purple'])))).to.equal('E_EXEC_NO_MATCH');
    expect(code(() => parseLabels(['role']))).to.equal('E_USAGE');
  });

  it('shell: $SHELL in a namespace when it is a plain path, /bin/sh otherwise and in containers', () => {
    expect(shellOf({ SHELL: '/bin/bash' }, 'netns')).to.equal('/bin/bash');
    expect(shellOf({ SHELL: 'bash; reboot' }, 'netns')).to.equal('/bin/sh');
    expect(shellOf({}, 'netns')).to.equal('/bin/sh');
    expect(shellOf({ SHELL: '/bin/bash' }, 'docker')).to.equal('/bin/sh');
    const s = stateOf(mtdc, 'docker');
    const h1 = nodeOf(s, 'red-c1-h1');
    expect(shellTarget(s, h1, { SHELL: '/bin/zsh' }, { stdin: true, tty: true })).to.deep.include({
      argv: { file: 'docker', args: ['exec', '-i', '-t', 'clab-mtdc-red-c1-h1', '/bin/sh'] },
    });
    // A piped script (no terminal): no -t, which docker would wait on forever.
    expect(shellTarget(s, h1, {}, { stdin: true, tty: false })).to.deep.include({
      argv: { file: 'docker', args: ['exec', '-i', 'clab-mtdc-red-c1-h1', '/bin/sh'] },
    });
  });
});

describe('fabric exec on several nodes', () => {
  it('prefixes every line with the node name and returns the highest exit status', async () => {
    let out = '';
    let err = '';
    const sh = (node: string, script: string): ExecTarget => ({
      node,
      via: 'netns',
      argv: { file: 'sh', args: ['-c', script] },
    });
    const code = await runMany(
      'lab',
      [sh('a', 'echo one; echo two; printf partial'), sh('bb', 'echo oops >&2; exit 3'), sh('c', 'exit 0')],
      { io: { out: (s) => (out += s), err: (s) => (err += s) } },
    );
    expect(code).to.equal(3);
    expect(out).to.equal('a : one\na : two\na : partial\n');
    expect(err).to.equal('bb: oops\nbb: exit 3\n');
  });
});
