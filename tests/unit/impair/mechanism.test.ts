// Which mechanism serves each impairment parameter, and what is refused (no root).
import { expect } from 'chai';
import type { ImpairCaps } from '../../../src/hostnet/index.js';
import { formatCaps, netemArgs, planMechanisms, tbfSpec } from '../../../src/impair/index.js';
import { FabricError } from '../../../src/errors/fabric-error.js';
import { parseImpair } from '../../../src/topology/index.js';
import { golden } from '../../helpers/golden.js';

const here: ImpairCaps = {
  netem: false,
  tbf: true,
  htb: true,
  police: false,
  vxlan: true,
  bridge: true,
  ovsMeters: true,
  node: 'node',
};
const spec = parseImpair({ delay: '20ms', jitter: '2ms', loss: '1%', rate: '100mbit' }).spec;

describe('impair mechanisms', () => {
  it('without netem: rate on tbf, every per-frame effect on the relay', () => {
    const p = planMechanisms(spec, here, 'x');
    expect([...p.serves]).to.deep.equal([
      ['delay', 'relay'],
      ['jitter', 'relay'],
      ['loss', 'relay'],
      ['rate', 'tbf'],
    ]);
    expect(p.relay).to.equal(true);
    expect(p.netem).to.equal(false);
    // Rate alone still goes through the relay namespace (tbf sits on its veths).
    expect(planMechanisms({ rateBps: 1e6 }, here, 'x').relay).to.equal(true);
  });

  it('with netem: netem serves everything, no relay', () => {
    const p = planMechanisms(spec, { ...here, netem: true }, 'x');
    expect(new Set(p.serves.values())).to.deep.equal(new Set(['netem']));
    expect(p.relay).to.equal(false);
    expect(netemArgs(spec)).to.deep.equal([
      'netem',
      'delay',
      '20000us',
      '2000us',
      'loss',
      '1%',
      'rate',
      '100000000bit',
    ]);
  });

  it('refuses what nothing can serve, naming each parameter', () => {
    const none = { ...here, tbf: false, vxlan: false };
    let err: unknown;
    try {
      planMechanisms(spec, none, 'link a:p1--b:p1');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(FabricError);
    expect((err as FabricError).code).to.equal('E_IMPAIR_UNSUPPORTED');
    expect((err as FabricError).message).to.match(/delay .*jitter .*loss .*rate \(no netem and no tbf qdisc\)/s);
    // A parameter that is not declared is never refused.
    expect(() => planMechanisms({ rateBps: 1e6 }, { ...here, vxlan: false }, 'x')).to.not.throw();
  });

  it('refuses what nothing can serve with golden errors, never silently', () => {
    const refusal = (s: Parameters<typeof planMechanisms>[0], caps: ImpairCaps): string => {
      try {
        planMechanisms(s, caps, 'link dc1-ic:p2--dc2-ic:p2');
      } catch (e) {
        if (e instanceof FabricError) return e.format() + '\n';
        throw e;
      }
      throw new Error('accepted what it cannot serve');
    };
    const all = parseImpair({
      delay: '20ms',
      jitter: '2ms',
      loss: '1%',
      duplicate: '2%',
      reorder: '5%',
      rate: '1mbit',
    });
    golden(
      'tests/golden/impair/unsupported-no-devices.err',
      refusal(all.spec, { ...here, tbf: false, vxlan: false, bridge: false }),
    );
    // The relay reorders by one swap: more than every other frame is beyond it, netem could.
    const many = parseImpair({ delay: '5ms', reorder: '60%' }).spec;
    golden('tests/golden/impair/unsupported-reorder.err', refusal(many, here));
    expect(planMechanisms(parseImpair({ reorder: '50%' }).spec, here, 'x').serves.get('reorder')).to.equal('relay');
    expect(planMechanisms(many, { ...here, netem: true }, 'x').serves.get('reorder')).to.equal('netem');
  });

  it('--caps states the mechanism of every parameter (golden)', () => {
    golden('tests/golden/impair/caps-no-netem.txt', formatCaps(here) + '\n');
    golden('tests/golden/impair/caps-netem.txt', formatCaps({ ...here, netem: true }) + '\n');
  });

  it('states the mechanism of every parameter', () => {
    const text = formatCaps(here);
    expect(text).to.contain('netem no, tbf yes');
    expect(text).to.contain('delay: relay');
    expect(text).to.contain('rate: tbf');
  });

  it('sizes the tbf burst for at least two frames and one timer tick', () => {
    expect(tbfSpec(1e6, 1500)).to.deep.equal(['tbf', 'rate', '1000000bit', 'burst', '3128', 'latency', '100ms']);
    expect(tbfSpec(1e9, 1500)[4]).to.equal('500000');
  });
});
