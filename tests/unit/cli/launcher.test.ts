import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

describe('bin/fabric.js without dist/', () => {
  it('says how to build (npm run build / make build) and exits 2, without a stack trace', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'fabric-nobuild-')));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync('bin/fabric.js', join(dir, 'bin', 'fabric.js'));
      const err = await promisify(execFile)(process.execPath, [join(dir, 'bin', 'fabric.js'), 'plan', 'mtdc']).then(
        () => null,
        (e: { code?: number; stderr?: string }) => e,
      );
      expect(err?.code).to.equal(2);
      expect(err?.stderr).to.contain('is not built').and.contain('npm run build').and.contain('make build');
      expect(err?.stderr).to.not.match(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mocha is a runtime dependency (the conformance runner imports it); ajv-formats is for tests only', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, string>>;
    expect(pkg.dependencies).to.have.property('mocha');
    expect(pkg.devDependencies).to.not.have.property('mocha');
    expect(pkg.devDependencies).to.have.property('ajv-formats');
    expect(pkg.dependencies).to.have.property('pcap-parser');
  });
});
