import { expect } from 'chai';
import { CommandError, formatCommand, mapLimit, run, tryRun } from '../../../src/hostnet/exec.js';
import { getRuntime, runtimeNames } from '../../../src/runtime/index.js';
import { parseAllNsLinks } from '../../../src/hostnet/ip.js';
import { ovsMap } from '../../../src/hostnet/ovs-vsctl.js';

describe('exec wrapper', () => {
  it('returns stdout of a successful command and passes stdin', async () => {
    const r = await run(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], { input: 'hello' });
    expect(r.stdout).to.equal('hello');
    expect(r.exitCode).to.equal(0);
  });

  it('turns a failure into E_CMD_FAILED carrying command, exit code and stderr', async () => {
    let err: unknown;
    try {
      await run(process.execPath, ['-e', 'process.stderr.write("boom\\n"); process.exit(3)']);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(CommandError);
    const c = err as CommandError;
    expect(c.code).to.equal('E_CMD_FAILED');
    expect(c.exitCode).to.equal(3);
    expect(c.stderr).to.contain('boom');
    expect(c.command).to.contain(process.execPath);
    expect(c.message).to.contain('boom');
  });

  it('reports a missing program as E_CMD_FAILED, and tryRun never throws', async () => {
    let code: string | undefined;
    try {
      await run('/nonexistent/fabric-no-such-tool', []);
    } catch (e) {
      code = (e as CommandError).code;
    }
    expect(code).to.equal('E_CMD_FAILED');
    const r = await tryRun(process.execPath, ['-e', 'process.exit(5)']);
    expect(r.exitCode).to.equal(5);
  });

  it('quotes arguments for display only', () => {
    expect(formatCommand('ip', ['link', 'add', 'name with space'])).to.equal("ip link add 'name with space'");
  });

  it('mapLimit keeps order and bounds concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, x));
      inFlight--;
      return x * 10;
    });
    expect(out).to.deep.equal([50, 10, 40, 20, 30]);
    expect(peak).to.equal(2);
  });
});

describe('runtime registry and system parsers', () => {
  it('has netns as a registered runtime and rejects unknown ones', () => {
    expect(runtimeNames()).to.include('netns');
    expect(getRuntime().name).to.equal('netns');
    expect(() => getRuntime('nope'))
      .to.throw()
      .with.property('code', 'E_UNKNOWN_RUNTIME');
  });

  it('parses `ip -all netns exec ip -j link show` output per namespace', () => {
    const text =
      '\nnetns: clab-a-h1\n[{"ifname":"lo","ifalias":"fabric-lab=a"},{"ifname":"eth1"}]\n\nnetns: other\n[]\n';
    const m = parseAllNsLinks(text);
    expect([...m.keys()]).to.deep.equal(['clab-a-h1', 'other']);
    expect(m.get('clab-a-h1')!.get('lo')).to.equal('fabric-lab=a');
    expect(m.get('clab-a-h1')!.has('eth1')).to.equal(true);
    expect(m.get('other')!.size).to.equal(0);
  });

  it('reads OVS JSON map cells', () => {
    expect(
      ovsMap([
        'map',
        [
          ['fabric-lab', 'mtdc'],
          ['x', 'y'],
        ],
      ]),
    ).to.deep.equal({ 'fabric-lab': 'mtdc', x: 'y' });
    expect(ovsMap(['set', []])).to.deep.equal({});
  });
});
