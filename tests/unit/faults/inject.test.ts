// Fault injection against the fake host-networking adapter: what each fault does to the machine,
// the proof it records, and that it undoes itself (also when it fails half-way).
import { expect } from 'chai';
import { injectFault, type FaultEnv, type FaultStep } from '../../../src/faults/index.js';
import { FakeHostNet } from '../../../src/hostnet/fake.js';
import { useHostNet } from '../../../src/hostnet/index.js';
import type { StatusDoc } from '../../../src/runtime/types.js';

const STATUS = {
  nodes: [
    { name: 'prov-a', role: 'provider', netns: 'lab-prov-a' },
    { name: 'dc1-sw', role: 'dc-switch', bridge: 'lab-dc1-sw' },
  ],
  links: [
    {
      id: 'dc1-ic:p1--dc2-ic:p1',
      class: 'dc-interconnect',
      endpoints: [
        { node: 'dc1-ic', ifname: 'p1', hostIf: 'lab-dc1-ic-p1', netns: null },
        { node: 'dc2-ic', ifname: 'p1', hostIf: 'lab-dc2-ic-p1', netns: null },
      ],
    },
  ],
} as unknown as StatusDoc;

function env(during: string[] = []): FaultEnv & { notes: string[]; reprograms: number } {
  const e = {
    notes: [] as string[],
    reprograms: 0,
    note: (w: string) => e.notes.push(w),
    during: async (pings: boolean) => {
      during.push(pings ? 'canaries+pings' : 'canaries');
    },
    ownBridges: new Set(['lab-dc1-sw']),
    unprogrammed: async () => 1,
    reprogram: async () => {
      e.reprograms++;
      return '12 flows';
    },
  };
  return e;
}

describe('faults: injection through the host-networking adapter (fake)', () => {
  let h: FakeHostNet;
  let restore: () => void;
  beforeEach(() => {
    h = new FakeHostNet();
    restore = useHostNet(h);
  });
  afterEach(() => restore());

  it('link-flap takes one end down and up N times, proves each down, and leaves it up', async () => {
    h.addLink(null, 'lab-dc1-ic-p1');
    const step: FaultStep = {
      kind: 'link-flap',
      name: 'flap',
      linkClasses: ['long-haul', 'dc-interconnect'],
      flaps: 2,
      downMs: 1,
      upMs: 1,
    };
    const during: string[] = [];
    const fx = await injectFault(STATUS, step, env(during));
    expect(fx.target).to.equal('dc1-ic:p1--dc2-ic:p1 (dc1-ic:lab-dc1-ic-p1)');
    expect(h.callsOf('ip.setLink').map((c) => (c[2] as { up: boolean }).up)).to.deep.equal([false, true, false, true]);
    expect(fx.applied).to.have.length(2);
    expect(fx.notApplied).to.deep.equal([]);
    expect(during).to.deep.equal(['canaries', 'canaries', 'canaries', 'canaries']);
    expect((await h.ip.link(null, 'lab-dc1-ic-p1'))?.up).to.equal(true);
  });

  it('a flap that fails half-way sets the link up again and throws', async () => {
    h.addLink(null, 'lab-dc1-ic-p1');
    const e = env();
    e.during = async () => {
      throw new Error('canary send failed');
    };
    const step: FaultStep = {
      kind: 'link-flap',
      name: 'f',
      linkClasses: ['dc-interconnect'],
      flaps: 1,
      downMs: 1,
      upMs: 1,
    };
    await injectFault(STATUS, step, e).then(
      () => expect.fail('must throw'),
      (err: Error) => expect(err.message).to.equal('canary send failed'),
    );
    expect((await h.ip.link(null, 'lab-dc1-ic-p1'))?.up).to.equal(true);
  });

  it("vswitchd-restart changes the pid, restores other labs' flows, re-programs this lab once", async () => {
    h.addBridge('other-br');
    h.bridgeTable.get('other-br')!.flows.push('priority=5,actions=drop');
    h.addBridge('lab-dc1-sw');
    h.bridgeTable.get('lab-dc1-sw')!.flows.push('priority=9,actions=NORMAL');
    const e = env();
    const fx = await injectFault(STATUS, { kind: 'vswitchd-restart', name: 'restart' }, e);
    expect(fx.target).to.match(/^ovs-vswitchd pid 200 -> \d+$/);
    expect(fx.applied.join(';')).to.match(/daemon restarted: pid 200 -> \d+;flows gone after restart on 1 bridge/);
    expect(fx.restoredForeign).to.deep.equal(['other-br']);
    expect(h.bridgeTable.get('other-br')!.flows).to.deep.equal(['priority=5,actions=drop']);
    expect(h.bridgeTable.get('lab-dc1-sw')!.flows).to.deep.equal([]);
    expect(e.reprograms).to.equal(1);
    expect(fx.reprogrammed).to.equal('12 flows');
  });

  it('node-kill sets every up interface of the node down, proves it, and brings exactly those back', async () => {
    h.netns.add('lab-prov-a');
    h.addLink('lab-prov-a', 'lo');
    h.addLink('lab-prov-a', 'eth1');
    h.addLink('lab-prov-a', 'eth2');
    h.addLink('lab-prov-a', 'eth3', { up: false, operstate: 'DOWN' });
    const during: string[] = [];
    const step: FaultStep = { kind: 'node-kill', name: 'kill', nodes: ['prov-a'], roles: ['provider'], downMs: 1 };
    const fx = await injectFault(STATUS, step, env(during));
    expect(fx.target).to.equal('node prov-a');
    expect(fx.applied).to.have.length(1);
    expect(h.callsOf('ip.setLink').map((c) => `${c[1] as string}:${(c[2] as { up: boolean }).up}`)).to.deep.equal([
      'eth2:false',
      'eth1:false',
      'eth1:true',
      'eth2:true',
    ]);
    expect((await h.ip.link('lab-prov-a', 'eth3'))?.up).to.equal(false);
    expect(during).to.deep.equal(['canaries+pings', 'canaries']);
  });

  it('an unknown target is E_FAULT_TARGET, before anything is touched', async () => {
    const step: FaultStep = { kind: 'node-kill', name: 'k', nodes: ['nope'], roles: ['pe'], downMs: 1 };
    await injectFault(STATUS, step, env()).then(
      () => expect.fail('must throw'),
      (err: { code?: string }) => expect(err.code).to.equal('E_FAULT_TARGET'),
    );
    expect(h.callsOf('ip.setLink')).to.deep.equal([]);
  });
});
