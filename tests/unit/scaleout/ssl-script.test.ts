// `fabric generate --hosts --tls`: each host's `<lab>.<host>.ovs-ssl.sh` (golden), and what it
// runs: with a recording ovs-vsctl first in PATH, `up` sets the SSL table from FABRIC_SSL_DIR
// (or /etc/openvswitch) and one pssl: listener per bridge of that host, `down` removes them,
// and a missing key file stops it before anything is set.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { generateForHosts, parseHosts, sslScript } from '../../../src/scaleout/index.js';
import { loadLab } from '../../../src/topology/index.js';
import { golden } from '../../helpers/golden.js';
import { MTDC_NETWORK } from './labs.js';

const ROOT = 'tests/golden/scaleout';

describe('fabric generate --hosts --tls: the per-host SSL scripts', () => {
  let out: ReturnType<typeof generateForHosts>;
  let work: string;
  before(async () => {
    const file = join(ROOT, 'two-hosts-mgmt.yml');
    out = generateForHosts(
      await loadLab(MTDC_NETWORK),
      parseHosts(readFileSync(file, 'utf8'), file),
      'fabric.yml',
      true,
    );
  });
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'fabric-ssl-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('writes one script per host with listeners (golden), none without --tls', async () => {
    expect(out.scripts.map((s) => s.name)).to.deep.equal(['mtdc.a.ovs-ssl.sh', 'mtdc.b.ovs-ssl.sh']);
    for (const s of out.scripts) {
      golden(join(ROOT, s.name), s.text);
      execFileSync('sh', ['-n'], { input: s.text });
    }
    const file = join(ROOT, 'two-hosts-mgmt.yml');
    const plain = generateForHosts(await loadLab(MTDC_NETWORK), parseHosts(readFileSync(file, 'utf8'), file), 'x');
    expect(plain.scripts).to.deep.equal([]);
  });

  /** Runs a script with a recording ovs-vsctl (every call's argv, one line each). */
  function runScript(text: string, args: string[], env: Record<string, string> = {}) {
    const bin = join(work, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    const log = join(work, 'calls');
    writeFileSync(log, '');
    writeFileSync(join(bin, 'ovs-vsctl'), `#!/bin/sh\necho "$*" >> ${log}\nexit 0\n`);
    chmodSync(join(bin, 'ovs-vsctl'), 0o755);
    writeFileSync(join(work, 'script.sh'), text);
    const r = spawnSync('sh', [join(work, 'script.sh'), ...args], {
      env: { PATH: `${bin}:/usr/bin:/bin`, ...env },
      encoding: 'utf8',
    });
    return { status: r.status, stderr: r.stderr, calls: readFileSync(log, 'utf8').trim().split('\n') };
  }

  it('up: earlier listeners removed, the SSL table from FABRIC_SSL_DIR, then each bridge of its host listens on pssl: at its management address', () => {
    const rec = JSON.parse(out.record) as { switches: { host: string; bridge: string; listen: string }[] };
    const a = out.scripts.find((s) => s.host === 'a')!;
    const keys = join(work, 'keys');
    execFileSync('mkdir', ['-p', keys]);
    for (const f of ['a-privkey.pem', 'a-cert.pem', 'cacert.pem']) writeFileSync(join(keys, f), 'x');
    const r = runScript(a.text, ['up'], { FABRIC_SSL_DIR: keys });
    expect(r.status, r.stderr).to.equal(0);
    const mine = rec.switches.filter((s) => s.host === 'a');
    expect(mine.length).to.be.greaterThan(3);
    expect(r.calls.filter((c) => !c.includes('br-exists'))).to.deep.equal([
      '--timeout=30 show',
      // Earlier listeners first: a new one on a port still bound would stay unbound.
      ...mine.map((s) => `--timeout=30 del-controller ${s.bridge}`),
      `--timeout=30 set-ssl ${keys}/a-privkey.pem ${keys}/a-cert.pem ${keys}/cacert.pem`,
      ...mine.map((s) => `--timeout=30 set-controller ${s.bridge} ${s.listen}`),
    ]);
    for (const s of mine) expect(s.listen).to.match(/^pssl:\d+:10\.99\.0\.1$/);
  });

  it('down: every listener of the host and the SSL table removed; a missing key stops up before anything is set', () => {
    const a = out.scripts.find((s) => s.host === 'a')!;
    const down = runScript(a.text, ['down']);
    expect(down.status, down.stderr).to.equal(0);
    expect(down.calls.filter((c) => c.includes('del-controller')).length).to.equal(
      down.calls.filter((c) => c.includes('br-exists')).length,
    );
    expect(down.calls.at(-1)).to.equal('--timeout=30 del-ssl');
    // Without FABRIC_SSL_DIR: /etc/openvswitch, where this machine has no such key.
    const up = runScript(a.text, []);
    expect(up.status).to.not.equal(0);
    expect(up.stderr).to.contain('/etc/openvswitch/a-privkey.pem is missing');
    expect(up.calls.some((c) => c.includes('set-ssl') || c.includes('set-controller'))).to.equal(false);
    expect(runScript(a.text, ['sideways']).status).to.not.equal(0);
  });

  it('refuses a name or listener a shell would read specially', () => {
    const sw = { node: 'n', bridge: 'br0', host: 'a', listen: 'pssl:6653:10.99.0.1', connect: 'ssl:10.99.0.1:6653' };
    expect(() => sslScript('lab', 'a', '10.99.0.1', [sw], 'x')).to.not.throw();
    expect(() => sslScript('lab', 'a', '10.99.0.1', [{ ...sw, bridge: 'b;rm' }], 'x')).to.throw(/bridge name/);
    expect(() => sslScript('lab', 'a', '10.99.0.1', [{ ...sw, listen: 'ptcp:6653:0.0.0.0 $(x)' }], 'x')).to.throw(
      /listener/,
    );
    expect(() => sslScript('lab', 'A b', '10.99.0.1', [sw], 'x')).to.throw(/host name/);
  });
});
