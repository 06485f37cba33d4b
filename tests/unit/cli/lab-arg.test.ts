import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { labRoots, PACKAGE_ROOT, pickLab, resolveLabArg } from '../../../src/cli/lab-arg.js';
import { isFabricError } from '../../../src/errors/fabric-error.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const LAB =
  'name: small\ndatacenters: {d: {}}\ntenants:\n  a:\n    sites: [{name: s, type: client, dc: d, systems: [{name: x, vlan: 7, ip: 10.0.0.1/24}]}]\n';

describe('lab argument resolver', () => {
  let dir: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'fabric-labarg-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the package root is the repository (src/cli two levels down)', () => {
    expect(resolve(PACKAGE_ROOT)).to.equal(resolve(REPO));
  });

  it('finds a lab name in the installed package from a directory outside any repository', () => {
    const r = resolveLabArg('mtdc', { cwd: dir });
    expect(r.name).to.equal('mtdc');
    expect(r.file).to.equal(join(PACKAGE_ROOT, 'labs', 'mtdc', 'fabric.yml'));
  });

  it("prefers the current repository's labs/ (from a subfolder) over the package's", () => {
    writeFileSync(join(dir, 'package.json'), '{}');
    mkdirSync(join(dir, 'labs', 'mtdc'), { recursive: true });
    mkdirSync(join(dir, 'deep', 'er'), { recursive: true });
    writeFileSync(join(dir, 'labs', 'mtdc', 'fabric.yml'), LAB);
    const r = resolveLabArg('mtdc', { cwd: join(dir, 'deep', 'er') });
    expect(r.file).to.equal(join(dir, 'labs', 'mtdc', 'fabric.yml'));
    expect(labRoots(join(dir, 'deep', 'er'))).to.deep.equal([join(dir, 'labs'), resolve(PACKAGE_ROOT, 'labs')]);
  });

  it('takes files and folders relative to the working directory, shown as given', () => {
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'fabric.yml'), LAB);
    expect(resolveLabArg('mine', { cwd: dir })).to.deep.equal({ file: join('mine', 'fabric.yml'), name: null });
    expect(resolveLabArg('mine/fabric.yml', { cwd: dir })).to.deep.equal({
      file: join('mine', 'fabric.yml'),
      name: null,
    });
    expect(resolveLabArg(join(dir, 'mine'), { cwd: REPO }).file).to.equal(join(dir, 'mine', 'fabric.yml'));
  });

  it('keeps a name without a lab folder as a name (a deployed lab), and rejects what is neither', () => {
    expect(resolveLabArg('not-a-lab-here', { cwd: dir })).to.deep.equal({ file: null, name: 'not-a-lab-here' });
    expect(resolveLabArg('Bad/../name', { cwd: dir })).to.deep.equal({ file: null, name: null });
  });

  it('takes the operand or -t/--topo, exactly one', () => {
    expect(pickLab('mtdc', undefined)).to.equal('mtdc');
    expect(pickLab(undefined, 'labs/mtdc')).to.equal('labs/mtdc');
    for (const [a, b] of [
      ['x', 'y'],
      [undefined, undefined],
    ] as const) {
      let err: unknown;
      try {
        pickLab(a, b);
      } catch (e) {
        err = e;
      }
      expect(isFabricError(err) && err.code).to.equal('E_USAGE');
    }
  });
});

describe('fabric plan <name> from outside the repository (built CLI)', function () {
  this.timeout(60_000);
  const bin = join(REPO, 'bin', 'fabric.js');
  const run = promisify(execFile);

  it('`cd /tmp && fabric plan mtdc` and `fabric plan -t mtdc --json` find labs/ from the package', async () => {
    expect(existsSync(join(REPO, 'dist', 'cli', 'main.js')), 'dist/ is built (make build)').to.equal(true);
    const cwd = realpathSync(mkdtempSync(join(tmpdir(), 'fabric-cwd-')));
    try {
      const text = await run(process.execPath, [bin, 'plan', 'mtdc'], { cwd });
      expect(text.stdout).to.match(/^tag plan for lab mtdc \(plan [0-9a-f]{16}\)/);
      const json = JSON.parse((await run(process.execPath, [bin, 'plan', '-t', 'mtdc', '--json'], { cwd })).stdout);
      expect(json.lab).to.equal('mtdc');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('installed from the repository (npm install -g <repo> into a temp prefix, offline), `fabric plan mtdc` works from /tmp', async () => {
    const prefix = realpathSync(mkdtempSync(join(tmpdir(), 'fabric-prefix-')));
    const cwd = realpathSync(mkdtempSync(join(tmpdir(), 'fabric-cwd-')));
    try {
      await run(
        'npm',
        ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--loglevel', 'error', REPO],
        { cwd },
      );
      const text = await run(join(prefix, 'bin', 'fabric'), ['plan', 'mtdc'], { cwd });
      expect(text.stdout).to.match(/^tag plan for lab mtdc \(plan [0-9a-f]{16}\)/);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
