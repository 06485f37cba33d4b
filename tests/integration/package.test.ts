// The packed package, installed into a temporary prefix without dev dependencies, works from a
// directory outside the repository: plan a lab file, inspect a capture, load the conformance
// runner (mocha at run time). Needs no root; npm's cache serves the dependencies (the registry only
// when the cache lacks their metadata, as on a fresh CI runner).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const NPM = ['--no-audit', '--no-fund', '--loglevel', 'error'];

describe('npm pack: the package installed into a temporary prefix', function () {
  this.timeout(180_000);
  let tmp: string;
  let prefix: string;
  let cwd: string;
  let fabric: string;
  let files: string[];

  before(async () => {
    expect(existsSync(join(REPO, 'dist', 'cli', 'main.js')), 'dist/ is built (npm run build)').to.equal(true);
    tmp = realpathSync(mkdtempSync(join(tmpdir(), 'fabric-pack-')));
    prefix = join(tmp, 'prefix');
    cwd = join(tmp, 'elsewhere');
    // dist/ is fresh here (built above), so pack without prepack's second build.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp, ...NPM], {
      cwd: REPO,
    });
    const info = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    files = info[0]!.files.map((f) => f.path);
    const tarball = join(tmp, info[0]!.filename);
    const install = (mode: string) =>
      run('npm', ['install', '--prefix', prefix, mode, '--omit=dev', '--no-save', ...NPM, tarball], { cwd: tmp });
    await install('--offline').catch((e: { stderr?: string }) => {
      if (!String(e.stderr).includes('ENOTCACHED')) throw e;
      return install('--prefer-offline');
    });
    fabric = join(prefix, 'node_modules', '.bin', 'fabric');
    await run('mkdir', ['-p', cwd]);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('carries the build, the launcher, labs and schemas, and no tests or TypeScript sources', () => {
    for (const f of ['bin/fabric.js', 'dist/cli/main.js', 'labs/mtdc/fabric.yml', 'schemas/clab.schema.json'])
      expect(files, f).to.include(f);
    expect(files.filter((f) => f.startsWith('tests/') || (f.startsWith('src/') && f.endsWith('.ts')))).to.deep.equal(
      [],
    );
  });

  it('`fabric plan <lab file>` and `fabric --version` run from another directory', async () => {
    copyFileSync(join(REPO, 'labs', 'mtdc', 'fabric.yml'), join(cwd, 'lab.yml'));
    const plan = await run(fabric, ['plan', 'lab.yml'], { cwd });
    expect(plan.stdout).to.match(/^tag plan for lab mtdc \(plan [0-9a-f]{16}\)/);
    const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;
    expect((await run(fabric, ['--version'], { cwd })).stdout.trim()).to.equal(version);
  });

  it('`fabric inspect <pcap>` runs from another directory', async () => {
    copyFileSync(join(REPO, 'tests', 'fixtures', 'pcap', 'dot1q.pcap'), join(cwd, 'f.pcap'));
    const out = await run(fabric, ['inspect', 'f.pcap'], { cwd });
    expect(out.stdout).to.match(/802\.1Q|vlan/i);
  });

  it('the conformance runner loads without dev dependencies (mocha is a runtime dependency)', async () => {
    const pkg = join(prefix, 'node_modules', 'fabric-testbed');
    const runner = join(pkg, 'dist', 'conformance', 'runner.js');
    const r = await run(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(runner)})`], {
      cwd,
    });
    expect(r.stderr).to.equal('');
    const deps = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(Object.keys(deps.dependencies!)).to.include('mocha').and.not.include('ajv-formats');
    expect(existsSync(join(prefix, 'node_modules', 'chai')), 'dev dependencies are not installed').to.equal(false);
  });
});
