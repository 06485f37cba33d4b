// `fabric generate --hosts` and `--clabernetes` as a user runs them: the files land where said,
// and a bad hosts file writes nothing at all.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MTDC_NETWORK } from './labs.js';
import { Command } from 'commander';
import { parse } from 'yaml';
import { register } from '../../../src/cli/generate.js';
import type { DiagnosticsError } from '../../../src/errors/diagnostics.js';
import { run } from '../../../src/hostnet/exec.js';

function program(): Command {
  const p = new Command('fabric').exitOverride();
  register(p);
  return p;
}

describe('fabric generate --hosts / --clabernetes (verb)', () => {
  let dir: string;
  const quiet = process.stderr.write.bind(process.stderr);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fabric-so-'));
    process.stderr.write = () => true;
  });
  afterEach(() => {
    process.stderr.write = quiet;
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one containerlab file per host and the placement record', async () => {
    const hosts = join(dir, 'hosts.yml');
    writeFileSync(hosts, 'hosts:\n  - { name: a, address: 192.0.2.10 }\n  - { name: b, address: 192.0.2.11 }\n');
    await program().parseAsync([
      'node',
      'fabric',
      'generate',
      MTDC_NETWORK,
      '--hosts',
      hosts,
      '--out',
      join(dir, 'out'),
    ]);
    expect(readdirSync(join(dir, 'out')).sort()).to.deep.equal([
      'mtdc.a.clab.yml',
      'mtdc.b.clab.yml',
      'mtdc.placement.json',
    ]);
    const a = parse(readFileSync(join(dir, 'out', 'mtdc.a.clab.yml'), 'utf8'));
    expect(a.name).to.equal('mtdc');
  });

  it('--tls writes the lab PKI beside the files (one CA, each host with mgmt:, the controller) and keeps it on a rerun', async () => {
    const hosts = join(dir, 'hosts.yml');
    writeFileSync(
      hosts,
      'hosts:\n  - { name: a, address: 192.0.2.10, mgmt: 10.99.0.1 }\n  - { name: b, address: 192.0.2.11 }\n',
    );
    const argv = ['node', 'fabric', 'generate', MTDC_NETWORK, '--hosts', hosts, '--tls', '--out', join(dir, 'out')];
    await program().parseAsync(argv);
    const pki = join(dir, 'out', 'mtdc.pki');
    expect(readdirSync(pki).sort()).to.deep.equal([
      'a-cert.pem',
      'a-privkey.pem',
      'ca-privkey.pem',
      'cacert.pem',
      'controller-cert.pem',
      'controller-privkey.pem',
    ]);
    for (const k of ['a-privkey.pem', 'ca-privkey.pem', 'controller-privkey.pem'])
      expect(statSync(join(pki, k)).mode & 0o077, k).to.equal(0);
    const rec = JSON.parse(readFileSync(join(dir, 'out', 'mtdc.placement.json'), 'utf8')) as {
      switches: { listen: string }[];
    };
    expect(rec.switches.every((s) => s.listen.startsWith('pssl:'))).to.equal(true);
    // The SSL script of the host with listeners, executable; none for the host without mgmt:.
    expect(statSync(join(dir, 'out', 'mtdc.a.ovs-ssl.sh')).mode & 0o777).to.equal(0o755);
    expect(existsSync(join(dir, 'out', 'mtdc.b.ovs-ssl.sh'))).to.equal(false);
    for (const m of ['a', 'controller'])
      expect(
        (await run('openssl', ['verify', '-CAfile', join(pki, 'cacert.pem'), join(pki, `${m}-cert.pem`)])).stdout,
      ).to.contain('OK');
    const ca = readFileSync(join(pki, 'cacert.pem'), 'utf8');
    const cert = readFileSync(join(pki, 'a-cert.pem'), 'utf8');
    await program().parseAsync(argv);
    expect(readFileSync(join(pki, 'cacert.pem'), 'utf8'), 'CA kept').to.equal(ca);
    expect(readFileSync(join(pki, 'a-cert.pem'), 'utf8'), 'certificate kept').to.equal(cert);
  });

  it('--tls without any mgmt: is refused before anything is written; --tls without --hosts is a usage error', async () => {
    const hosts = join(dir, 'hosts.yml');
    writeFileSync(hosts, 'hosts:\n  - { name: a, address: 192.0.2.10 }\n');
    const codes: string[] = [];
    for (const extra of [['--hosts', hosts], []]) {
      try {
        await program().parseAsync([
          'node',
          'fabric',
          'generate',
          MTDC_NETWORK,
          ...extra,
          '--tls',
          '--out',
          join(dir, 'out'),
        ]);
      } catch (e) {
        codes.push((e as { code: string }).code);
      }
    }
    expect(codes).to.deep.equal(['E_TLS_NO_MGMT', 'E_USAGE']);
    expect(existsSync(join(dir, 'out'))).to.equal(false);
  });

  it('a bad hosts file writes nothing', async () => {
    const hosts = join(dir, 'hosts.yml');
    writeFileSync(hosts, 'hosts:\n  - { name: a, address: 192.0.2.10 }\n  - { name: a, address: 192.0.2.11 }\n');
    let err: unknown;
    try {
      await program().parseAsync([
        'node',
        'fabric',
        'generate',
        MTDC_NETWORK,
        '--hosts',
        hosts,
        '--out',
        join(dir, 'out'),
      ]);
    } catch (e) {
      err = e;
    }
    // The verb imports scale-out lazily (its own module instance under tsx): compare by shape.
    expect((err as DiagnosticsError).diagnostics.map((d) => d.code)).to.deep.equal(['E_HOST_DUP']);
    expect(existsSync(join(dir, 'out'))).to.equal(false);
  });

  it('writes the clabernetes Topology', async () => {
    const out = join(dir, 'mtdc.c9s.yml');
    await program().parseAsync(['node', 'fabric', 'generate', MTDC_NETWORK, '--clabernetes', '--out', out]);
    const r = parse(readFileSync(out, 'utf8'));
    expect(r.apiVersion).to.equal('c9s.run/v1alpha1');
    expect(r.kind).to.equal('Topology');
  });
});
