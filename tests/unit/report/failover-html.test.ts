// The HTML report's failover timeline: each move's steps, restoration and lost sequence numbers,
// and no section at all when the run made no move.
import { expect } from 'chai';
import { renderHtml } from '../../../src/report/html.js';
import type { FailoverMove } from '../../../src/report/result.js';
import { fixture } from './fixture.js';

const failure: FailoverMove = {
  action: 'failover',
  trigger: 'failure',
  host: 'hv3',
  site: 'red/k3',
  detectedAt: Date.UTC(2026, 11, 5),
  steps: [
    { step: 'fail-host', atMs: 0, ms: 3 },
    { step: 'retag', atMs: 4, ms: 61, detail: 'dc3-sw -2/+2' },
  ],
  restorationMs: 65,
  flows: [
    {
      tenant: 'red',
      from: 'red-c1-h1',
      to: 'red/k3 (customer VM)',
      ip: '10.20.30.52',
      sent: 6000,
      lost: 70,
      firstLost: 1001,
      lastLost: 1070,
      longestRun: { first: 1001, last: 1070, frames: 70 },
    },
    {
      tenant: 'green',
      from: 'green-c1-h1',
      to: 'green-k3-v1',
      ip: '10.20.30.52',
      sent: 6000,
      lost: 0,
      firstLost: null,
      lastLost: null,
      longestRun: null,
    },
  ],
  crossTenantFrames: 0,
  stacksDuring: { checked: 5000, violations: 0 },
};

describe('html report: failover timeline', () => {
  it('shows each move with its steps, restoration and lost sequence numbers', () => {
    const page = renderHtml({
      ...fixture('mtdc-passed'),
      failover: [failure, { ...failure, action: 'failback', trigger: null, host: 'ha3', restorationMs: null }],
    });
    expect(page).to.include('<h2 id="failover">Failover timeline (2 moves)</h2>');
    expect(page).to.match(
      /failover of <code>red\/k3<\/code> on <code>hv3<\/code> \(trigger failure\): <span class="restoration">restored 65 ms after detection/,
    );
    expect(page).to.include(
      'failback of <code>red/k3</code> on <code>ha3</code>: <span class="restoration">not restored',
    );
    expect(page).to.include('<code>retag</code></td><td class="mono">61 ms</td><td>dc3-sw -2/+2</td>');
    expect(page).to.include('seq 1001..1070; outage seq 1001..1070 (70)');
    expect(page).to.include('0 cross-tenant frames');
    // The checks come first, the timeline beside them.
    expect(page.indexOf('id="checks"')).to.be.lessThan(page.indexOf('id="failover"'));
  });

  it('has no failover section when the run made no move', () => {
    expect(renderHtml(fixture('mtdc-passed'))).to.not.include('id="failover"');
  });
});
