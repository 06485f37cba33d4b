import { expect } from 'chai';
import { FakeHostNet } from '../../../src/hostnet/fake.js';
import { hostNet, useHostNet } from '../../../src/hostnet/index.js';
import { realHostNet } from '../../../src/hostnet/real.js';

describe('hostnet: the fake adapter', () => {
  it('records calls in order and keeps link state', async () => {
    const h = new FakeHostNet();
    h.addLink('ns1', 'eth0');
    await h.ip.setLink('ns1', 'eth0', { up: false });
    expect((await h.ip.link('ns1', 'eth0'))?.up).to.equal(false);
    expect((await h.ip.link('ns1', 'eth0'))?.operstate).to.equal('DOWN');
    await h.ip.setLink('ns1', 'eth0', { up: true });
    expect(h.callsOf('ip.setLink')).to.deep.equal([
      ['ns1', 'eth0', { up: false }],
      ['ns1', 'eth0', { up: true }],
    ]);
    expect(await h.ip.link('ns1', 'nope')).to.equal(null);
    await h.ip.setLink('ns1', 'nope', { up: true }).then(
      () => expect.fail('a missing device must throw'),
      (e: Error) => expect(e.message).to.match(/Cannot find device/),
    );
  });

  it('moves ports between bridges and reads them back', async () => {
    const h = new FakeHostNet();
    h.addBridge('hv1');
    h.addBridge('hv2');
    await h.ovs.addPort('hv1', 'tap0', ['tag=100']);
    expect(await h.ovs.portBridge('tap0')).to.equal('hv1');
    await h.ovs.delPort(null, 'tap0');
    await h.ovs.addPort('hv2', 'tap0');
    await h.ovs.setPort('tap0', ['vlan_mode=trunk', 'trunks=100']);
    expect(await h.ovs.portBridge('tap0')).to.equal('hv2');
    expect(h.bridgeTable.get('hv2')?.ports.get('tap0')).to.deep.equal(['vlan_mode=trunk', 'trunks=100']);
    await h.ovs.clearPort('tap0', 'trunks');
    expect(h.bridgeTable.get('hv2')?.ports.get('tap0')).to.deep.equal(['vlan_mode=trunk']);
  });

  it('a vswitchd restart changes the pid and loses every flow', async () => {
    const h = new FakeHostNet();
    h.addBridge('sw1');
    await h.ovs.addFlows('sw1', ['priority=0,actions=NORMAL']);
    const { oldPid, newPid } = await h.daemon.restartVswitchd();
    expect(newPid).to.be.a('number').and.not.equal(oldPid);
    expect(await h.ovs.dumpFlows('sw1')).to.deep.equal([]);
    expect(h.otherConfig.get('vlan-limit')).to.equal('2');
  });

  it('injects failures on chosen operations', async () => {
    const h = new FakeHostNet().failWith('ip.addNetns', (a) => (a[0] as string[]).includes('bad'));
    await h.ip.addNetns(['good']);
    await h.ip.addNetns(['bad']).then(
      () => expect.fail('must throw'),
      (e: Error) => expect(e.message).to.match(/injected failure/),
    );
    expect([...h.netns]).to.deep.equal(['good']);
  });

  it('useHostNet swaps the adapter and restores the previous one', () => {
    const fake = new FakeHostNet();
    const restore = useHostNet(fake);
    expect(hostNet()).to.equal(fake);
    restore();
    expect(hostNet()).to.equal(realHostNet);
  });

  it('builds namespace argv without running anything, and refuses option-like names', () => {
    const h = new FakeHostNet();
    expect(h.ip.argvIn('ns1', ['ping', '-c', '1', '10.0.0.1'])).to.deep.equal({
      file: 'ip',
      args: ['netns', 'exec', 'ns1', 'ping', '-c', '1', '10.0.0.1'],
    });
    expect(h.ip.argvIn(null, ['ping', '-c', '1'])).to.deep.equal({ file: 'ping', args: ['-c', '1'] });
    expect(() => h.ip.argvIn('-x', ['ping'])).to.throw(/namespace/);
    expect(h.calls).to.deep.equal([]);
  });
});
