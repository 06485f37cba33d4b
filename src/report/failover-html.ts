// The failover timeline of the HTML report, beside the checks: each watched move of the run with
// its steps (offset from detection, duration), the restoration time, and per tenant flow the
// frames sent and lost with the lost sequence numbers (the outage is the longest run of them).
import type { ConformanceReport, FailoverMove } from './result.js';
import { html } from './xml.js';

const ms = (x: number): string => `${Math.round(x)} ms`;
const signed = (x: number): string => `${x < 0 ? '−' : '+'}${Math.abs(Math.round(x))} ms`;

function lostText(f: NonNullable<FailoverMove['flows']>[number]): string {
  if (!f.lost) return 'none';
  const run = f.longestRun ? `; outage seq ${f.longestRun.first}..${f.longestRun.last} (${f.longestRun.frames})` : '';
  return `seq ${f.firstLost}..${f.lastLost}${run}`;
}

function moveCard(m: FailoverMove, i: number): string {
  const steps = m.steps
    .map(
      (s) =>
        `<tr><td class="mono">${signed(s.atMs)}</td><td><code>${html(s.step)}</code></td><td class="mono">${ms(s.ms)}</td><td>${html(s.detail ?? '')}</td></tr>`,
    )
    .join('');
  const flows = (m.flows ?? [])
    .map(
      (f) =>
        `<tr class="${f.lost ? 'lossy' : ''}"><td>${html(f.tenant)}</td><td class="mono">${html(f.from)} → ${html(f.to)} (${html(f.ip)})</td><td class="mono">${f.sent}</td><td class="mono">${f.lost}</td><td class="mono">${html(lostText(f))}</td></tr>`,
    )
    .join('');
  const restored = m.restorationMs === null ? 'not restored' : `restored ${ms(m.restorationMs)} after detection`;
  const extra = [
    m.crossTenantFrames !== undefined ? `${m.crossTenantFrames} cross-tenant frames` : '',
    m.stacksDuring
      ? `${m.stacksDuring.checked} train frames checked against their port's stack, ${m.stacksDuring.violations} off it`
      : '',
  ].filter(Boolean);
  return (
    `<div class="card failover-move" data-move="${i}"><h3>${html(m.action)} of <code>${html(m.site)}</code> on <code>${html(m.host)}</code>${m.trigger ? ` (trigger ${html(m.trigger)})` : ''}: <span class="restoration">${html(restored)}</span></h3>` +
    `<p>detected ${html(new Date(m.detectedAt).toISOString())}${extra.length ? `; ${html(extra.join('; '))}` : ''}</p>` +
    `<table><thead><tr><th style="width:90px">at</th><th>step</th><th style="width:90px">took</th><th>detail</th></tr></thead><tbody>${steps}</tbody></table>` +
    (flows
      ? `<table><thead><tr><th>tenant</th><th>echo train</th><th>sent</th><th>lost</th><th>lost sequence numbers</th></tr></thead><tbody>${flows}</tbody></table>`
      : '') +
    '</div>'
  );
}

/** The section, or '' when the run made no move (a lab without hypervisors, or --no-failover). */
export function failoverSection(report: ConformanceReport): string {
  const moves = report.failover ?? [];
  if (!moves.length) return '';
  return `<h2 id="failover">Failover timeline (${moves.length} moves)</h2>\n${moves.map(moveCard).join('\n')}`;
}
