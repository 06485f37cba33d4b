// `--hosts` on program and flows --diff: every bridge of the lab gets the listener its placement
// gives it, with the controller's files of the lab PKI under --tls; a switch on a host without a
// management address, missing PKI files and option misuse are refused before anything is sent.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { reachRemote } from '../../../src/cli/remote-switches.js';
import { FabricError } from '../../../src/errors/fabric-error.js';
import { dropOvsSites, ofctlArgv } from '../../../src/hostnet/ovs-sites.js';
import { computePlan, renderPrograms } from '../../../src/tagging/index.js';
import { loadLab, type LabModel } from '../../../src/topology/index.js';
import { MTDC_NETWORK } from './labs.js';

const HOSTS =
  'hosts:\n  - { name: a, address: 192.0.2.10, mgmt: 10.99.0.1 }\n  - { name: b, address: 192.0.2.11, mgmt: 10.99.0.2 }\n';

async function refused(p: Promise<unknown>, code: string): Promise<FabricError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(FabricError);
    expect((e as FabricError).code).to.equal(code);
    return e as FabricError;
  }
  throw new Error(`expected ${code}`);
}

describe('reachRemote (fabric program/flows --hosts)', () => {
  let dir: string;
  let model: LabModel;
  let bridges: string[];
  let switches: { bridge: string; node: string }[];
  before(async () => {
    model = await loadLab(MTDC_NETWORK);
    switches = renderPrograms(model, computePlan(model));
    bridges = switches.map((p) => p.bridge);
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fabric-reach-'))));
  afterEach(() => {
    dropOvsSites(bridges);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches every bridge at a tcp: listener on its host management address', async () => {
    writeFileSync(join(dir, 'hosts.yml'), HOSTS);
    const how = await reachRemote(model, switches, { hosts: join(dir, 'hosts.yml') });
    expect(how).to.equal(` over OpenFlow TCP at ${bridges.length} listeners on 2 hosts`);
    for (const b of bridges) expect(ofctlArgv(b, (t) => [t]).args[0]).to.match(/^tcp:10\.99\.0\.[12]:66\d\d$/);
  });

  it('with --tls presents the controller files of the PKI beside the hosts file', async () => {
    writeFileSync(join(dir, 'hosts.yml'), HOSTS);
    const pki = join(dir, `${model.name}.pki`);
    await refused(reachRemote(model, switches, { hosts: join(dir, 'hosts.yml'), tls: true }), 'E_PKI');
    mkdirSync(pki);
    for (const f of ['controller-privkey.pem', 'controller-cert.pem', 'cacert.pem']) writeFileSync(join(pki, f), '');
    await reachRemote(model, switches, { hosts: join(dir, 'hosts.yml'), tls: true });
    const args = ofctlArgv(bridges[0]!, (t) => [t]).args;
    expect(args.slice(0, 3)).to.deep.equal([
      `--private-key=${pki}/controller-privkey.pem`,
      `--certificate=${pki}/controller-cert.pem`,
      `--ca-cert=${pki}/cacert.pem`,
    ]);
    expect(args[3]).to.match(/^ssl:10\.99\.0\.[12]:66\d\d$/);
  });

  it('refuses a bridge whose host has no management address, naming it', async () => {
    writeFileSync(join(dir, 'hosts.yml'), HOSTS.replace(', mgmt: 10.99.0.2', ''));
    const e = await refused(reachRemote(model, switches, { hosts: join(dir, 'hosts.yml') }), 'E_SWITCH_UNREACHABLE');
    expect(e.message).to.match(/have no OpenFlow listener on the hosts of .*: \S+/);
    expect(ofctlArgv(bridges[0]!, (t) => [t]).args[0], 'nothing registered').to.equal(bridges[0]);
  });

  it('refuses --tls or --pki without --hosts, and --pki without --tls', async () => {
    await refused(reachRemote(model, switches, { tls: true }), 'E_USAGE');
    await refused(reachRemote(model, switches, { hosts: join(dir, 'h.yml'), pki: dir }), 'E_USAGE');
    expect(await reachRemote(model, switches, {})).to.equal('');
  });

  it('--containers: ovs-ofctl runs in each node container, alone', async () => {
    expect(await reachRemote(model, switches, { containers: true })).to.equal(
      ` through docker exec in ${switches.length} containers`,
    );
    const sw = switches[0]!;
    expect(ofctlArgv(sw.bridge, (t) => ['dump-flows', t])).to.deep.equal({
      file: 'docker',
      args: ['exec', '-i', `clab-${model.name}-${sw.node}`, 'ovs-ofctl', 'dump-flows', sw.bridge],
    });
    await refused(reachRemote(model, switches, { containers: true, hosts: 'h.yml' }), 'E_USAGE');
  });
});
