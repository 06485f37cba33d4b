// Switches on other machines: ovs-ofctl reaches them at their listener from this machine (TLS
// with the lab controller's files), their port numbers come over OpenFlow, and a target that is
// not one tcp:/ssl: IPv4 listener, or a PKI path that could be read as an option, is refused.
import { expect } from 'chai';
import { FabricError } from '../../../src/errors/fabric-error.js';
import { dropOvsSites, ofctlArgv, useRemoteSwitches } from '../../../src/hostnet/ovs-sites.js';
import { parsePortsDesc } from '../../../src/hostnet/ovs-vsctl.js';

const ssl = {
  privateKey: '/pki/controller-privkey.pem',
  certificate: '/pki/controller-cert.pem',
  caCert: '/pki/cacert.pem',
};

describe('remote switches (ovs-sites)', () => {
  afterEach(() => dropOvsSites(['lab-a', 'lab-b', 'lab-c']));

  it('runs ovs-ofctl here, at the listener, with no namespace', () => {
    useRemoteSwitches([{ bridge: 'lab-a', connect: 'tcp:10.99.0.1:6653' }]);
    expect(ofctlArgv('lab-a', (t) => ['-O', 'OpenFlow15', 'dump-flows', t])).to.deep.equal({
      file: 'ovs-ofctl',
      args: ['-O', 'OpenFlow15', 'dump-flows', 'tcp:10.99.0.1:6653'],
    });
    // An unregistered bridge is this machine's.
    expect(ofctlArgv('lab-x', (t) => ['dump-flows', t])).to.deep.equal({
      file: 'ovs-ofctl',
      args: ['dump-flows', 'lab-x'],
    });
  });

  it('presents the controller certificate on ssl:', () => {
    useRemoteSwitches([{ bridge: 'lab-b', connect: 'ssl:10.99.0.2:6654', ssl }]);
    expect(ofctlArgv('lab-b', (t) => ['bundle', t, '-']).args).to.deep.equal([
      '--private-key=/pki/controller-privkey.pem',
      '--certificate=/pki/controller-cert.pem',
      '--ca-cert=/pki/cacert.pem',
      'bundle',
      'ssl:10.99.0.2:6654',
      '-',
    ]);
  });

  it('refuses what is not one tcp:/ssl: IPv4 listener, TLS without its files, or a bad container', () => {
    const bad = [
      { bridge: 'lab-c', connect: 'tcp:10.99.0.1' },
      { bridge: 'lab-c', connect: 'unix:/run/x.sock' },
      { bridge: 'lab-c', connect: 'tcp:10.99.0.300:6653' },
      { bridge: 'lab-c', connect: 'tcp:10.99.0.1:70000' },
      { bridge: 'lab-c', connect: 'tcp:host.example:6653' },
      { bridge: 'lab-c', connect: 'ssl:10.99.0.1:6653' },
      { bridge: 'lab-c', connect: 'tcp:10.99.0.1:6653', ssl },
      { bridge: 'lab-c', connect: 'ssl:10.99.0.1:6653', ssl: { ...ssl, caCert: '--peer-ca-cert=x' } },
      { bridge: '-lab-c', connect: 'tcp:10.99.0.1:6653' },
      { bridge: 'lab-c', connect: 'lab-c', container: '-it' },
      { bridge: 'lab-c', connect: 'lab-c', container: 'clab lab c' },
      { bridge: 'lab-c', connect: 'other-br', container: 'clab-lab-c' },
      { bridge: 'lab-c', connect: 'lab-c', container: 'clab-lab-c', ssl },
    ];
    for (const r of bad) {
      expect(() => useRemoteSwitches([r]), JSON.stringify(r))
        .to.throw(FabricError)
        .with.property('code', 'E_BAD_NAME');
      expect(ofctlArgv('lab-c', (t) => [t]).args, 'nothing registered').to.deep.equal(['lab-c']);
    }
  });

  it('reads port numbers from dump-ports-desc, LOCAL left out', () => {
    const text = [
      'OFPST_PORT_DESC reply (OF1.5) (xid=0x2):',
      ' 1(rpr-dc1-sw_1): addr:aa:c1:ab:00:00:01',
      '     config:     0',
      ' 12(rpr-dc1-sw_12): addr:aa:c1:ab:00:00:0c',
      ' LOCAL(rpr-dc1-sw): addr:aa:c1:ab:00:00:00',
    ].join('\n');
    expect([...parsePortsDesc(text)]).to.deep.equal([
      ['rpr-dc1-sw_1', 1],
      ['rpr-dc1-sw_12', 12],
    ]);
  });
});
