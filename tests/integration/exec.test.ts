// fabric exec and shell on a deployed netns lab (root, real namespaces): exit status pass-through,
// output of several nodes prefixed by node, names refused before anything runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { tryRun } from '../../src/hostnet/exec.js';
import { getRuntime } from '../../src/runtime/index.js';
import { smallLab } from '../fixtures/runtime-labs.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'tests/integration/cli-runner.ts')];
const stateDir = mkdtempSync(join(tmpdir(), 'fabric-it-exec-'));
process.env.FABRIC_STATE_DIR = stateDir;
const rt = getRuntime('netns');
const LAB = 'rtexec';

const cli = (args: string[]) => tryRun(process.execPath, [...CLI, ...args], { timeout: 120_000 });

describe('fabric exec on a netns lab (root, real namespaces)', function () {
  this.timeout(300_000);
  before(async () => {
    const model = smallLab(LAB);
    model.nodes.find((n) => n.name === 'h1')!.labels['fabric.pick'] = 'yes';
    model.nodes.find((n) => n.name === 'h2')!.labels['fabric.pick'] = 'yes';
    await rt.destroy(LAB).catch(() => undefined);
    await rt.deploy(model);
  });
  after(async () => {
    await rt.destroy(LAB);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("runs inside the node's namespace and passes the exit status through", async () => {
    const addr = await cli(['exec', LAB, 'h1', '--', 'ip', '-br', 'addr']);
    expect(addr.exitCode, addr.stderr).to.equal(0);
    expect(addr.stdout).to.contain('10.20.30.1/24');
    expect(addr.stdout).to.not.contain('10.20.30.2/24');
    const seven = await cli(['exec', LAB, 'h2', '--', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(seven.exitCode).to.equal(7);
    expect(seven.stdout).to.equal('out\n');
    expect(seven.stderr).to.equal('err\n');
  });

  it('--label runs on every matching node, each line prefixed by its node', async () => {
    const r = await cli([
      'exec',
      LAB,
      '--label',
      'pick=yes',
      '--',
      'sh',
      '-c',
      'ip -br addr show eth1 | cut -c1-4; exit 0',
    ]);
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout.trim().split('\n').sort()).to.deep.equal(['h1: eth1', 'h2: eth1']);
    const failing = await cli(['exec', LAB, '--label', 'pick=yes', '--', 'false']);
    expect(failing.exitCode).to.equal(1);
  });

  it('refuses a bad or unknown node and a bridge with a catalogue code (exit 2), running nothing', async () => {
    for (const [node, code] of [
      ['h1;reboot', 'E_BAD_NAME'],
      ['nosuch', 'E_UNKNOWN_NODE'],
      ['sw', 'E_EXEC_NOT_RUNNABLE'],
    ]) {
      const r = await cli(['exec', LAB, node!, '--', 'true']);
      expect(r.exitCode, node).to.equal(2);
      expect(r.stderr, node).to.contain(code);
    }
  });

  it('shell: an interactive shell in the namespace reads its commands from stdin', async () => {
    const r = await tryRun(process.execPath, [...CLI, 'shell', LAB, 'h3'], {
      timeout: 60_000,
      input: 'ip -br addr show eth1\nexit 4\n',
    });
    expect(r.exitCode).to.equal(4);
    expect(r.stdout).to.contain('10.20.31.3/24');
  });
});
