// The failover distribution: RUNS failure failovers with their fail-backs back to back, printed
// as p50 / p95 / max (targets: p95 restoration ≤ 100 ms, p95 loss ≤ 100 frames at 1,000 pps, 0
// cross-tenant frames in every run), with the engine's own step timestamps summed per step so a
// slow run shows where its restoration went. The impaired set takes the same figures on a
// variant of labs/failover whose dedicated line is impaired and whose only HA hypervisor is C2
// in dc2: the site moves across the impaired line.
import {
  failbackWithProbe,
  failoverWithProbe,
  formatTimeline,
  setupFailover,
  type Timeline,
} from '../src/failover/index.js';
import { applyDeclared, stopImpairments } from '../src/impair/index.js';
import { getRuntime } from '../src/runtime/index.js';
import { programLab } from '../src/tagging/index.js';
import { loadLabText } from '../src/topology/index.js';
import type { BenchFigure } from './run.js';

export const TARGET_P95_RESTORATION_MS = 100;
export const TARGET_P95_FRAMES_LOST = 100;
/** The impairment of the dedicated line in the impaired set. */
export const IMPAIRED_LINE = '{ delay: 20ms, jitter: 2ms }';

/** Nearest-rank percentile of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

interface Sample {
  restoration: number;
  lost: number;
  cross: number;
  /** The restoration path's steps: step → ms. */
  steps: Map<string, number>;
}

/** The steps that end before the restoration instant (detection → re-tag and VTEP applied). */
const RESTORATION_STEPS = ['fail-host', 'activate', 'retag', 'vtep'];

function sample(t: Timeline): Sample {
  return {
    restoration: t.restorationMs ?? Infinity,
    lost: Math.max(0, ...(t.flows ?? []).map((f) => f.lost)),
    cross: t.crossTenantFrames ?? Infinity,
    steps: new Map(t.steps.filter((s) => RESTORATION_STEPS.includes(s.step)).map((s) => [s.step, s.ms])),
  };
}

function stepsLine(s: Sample): string {
  return [...s.steps].map(([k, v]) => `${k} ${Math.round(v)}`).join(', ');
}

function figuresOf(what: string, xs: Sample[]): BenchFigure[] {
  const r = xs.map((x) => x.restoration);
  const l = xs.map((x) => x.lost);
  const p95r = percentile(r, 95);
  const p95l = percentile(l, 95);
  const n = `${what} x${xs.length}`;
  const out: BenchFigure[] = [
    { name: `${n}: restoration p50`, value: Math.round(percentile(r, 50)), unit: 'ms' },
    {
      name: `${n}: restoration p95`,
      value: Math.round(p95r),
      unit: 'ms',
      note: `target ≤ ${TARGET_P95_RESTORATION_MS} ms: ${p95r <= TARGET_P95_RESTORATION_MS ? 'met' : 'NOT met'}`,
    },
    { name: `${n}: restoration max`, value: Math.round(Math.max(...r)), unit: 'ms' },
    { name: `${n}: frames lost p50`, value: percentile(l, 50), unit: 'frames' },
    {
      name: `${n}: frames lost p95`,
      value: p95l,
      unit: 'frames',
      note: `at 1000 pps; target ≤ ${TARGET_P95_FRAMES_LOST}: ${p95l <= TARGET_P95_FRAMES_LOST ? 'met' : 'NOT met'}`,
    },
    { name: `${n}: frames lost max`, value: Math.max(...l), unit: 'frames' },
    {
      name: `${n}: runs with cross-tenant frames`,
      value: xs.filter((x) => x.cross !== 0).length,
      unit: 'runs',
      note: 'must be 0',
    },
  ];
  // Where the restoration went: each step's p50 / p95 (activate, retag and VTEP run at once).
  for (const step of RESTORATION_STEPS) {
    const v = xs.map((x) => x.steps.get(step)).filter((x): x is number => x !== undefined);
    if (!v.length) continue;
    out.push({
      name: `${n}: step ${step} p50 / p95`,
      value: Math.round(percentile(v, 50)),
      unit: 'ms',
      note: `p95 ${Math.round(percentile(v, 95))} ms`,
    });
  }
  return out;
}

/** RUNS failure failovers of `host` with their fail-backs on a set-up lab, back to back. */
export async function distribution(
  lab: string,
  runs: number,
  label: string,
  log: (l: string) => void,
): Promise<BenchFigure[]> {
  const fo: Sample[] = [];
  const fb: Sample[] = [];
  const probe = { seconds: 4, pps: 1000, leadMs: 1000 };
  for (let i = 1; i <= runs; i++) {
    const a = sample(await failoverWithProbe(lab, { trigger: 'failure', host: 'hvc' }, probe));
    const b = sample(await failbackWithProbe(lab, probe));
    fo.push(a);
    fb.push(b);
    log(
      `  run ${String(i).padStart(2)}: failover ${Math.round(a.restoration)} ms (${stepsLine(a)}), ${a.lost} lost, ${a.cross} cross; fail-back ${Math.round(b.restoration)} ms (${stepsLine(b)}), ${b.lost} lost, ${b.cross} cross`,
    );
  }
  return [...figuresOf(`${label}failover (failure)`, fo), ...figuresOf(`${label}fail-back`, fb)];
}

/**
 * labs/failover's text for the impaired set: named `lab`, the dedicated line impaired, and C1
 * left out, so C2 (dc2, mirrors hvc) takes the site: the move crosses the impaired line.
 */
export function impairedLabText(text: string, lab: string): string {
  const out = text
    .replace(/^name: \S+$/m, `name: ${lab}`)
    .replace(/^( {2}- between: \[dc1, dc2\])$/m, `$1\n    impair: ${IMPAIRED_LINE}`)
    .replace(/^ {2}- \{ name: c1, dc: dc1, type: ha.*$/m, '');
  if (!out.includes(`name: ${lab}\n`) || !out.includes('impair:') || /name: c1, dc: dc1, type: ha/.test(out))
    throw new Error('labs/failover changed shape: the impaired failover set cannot derive its lab');
  return out;
}

/** Deploys the impaired variant, sets up its guests, runs the distribution; the caller tears down. */
export async function impairedSet(
  lab: string,
  text: string,
  file: string,
  runs: number,
  log: (l: string) => void,
): Promise<BenchFigure[]> {
  const model = loadLabText(text, file);
  await programLab(await getRuntime('netns').deploy(model));
  const applied = await applyDeclared(lab, model);
  log(`  impaired: ${applied.map((a) => `${a.link}: ${a.action}`).join('; ')}`);
  await setupFailover(lab, { onProgress: log });
  const first = await failoverWithProbe(lab, { trigger: 'failure', host: 'hvc' }, { seconds: 4, pps: 1000 });
  log(formatTimeline(first));
  await failbackWithProbe(lab, { seconds: 4, pps: 1000 });
  return distribution(lab, runs, `impaired line ${IMPAIRED_LINE}, to C2 in dc2: `, log);
}

export async function stopImpaired(lab: string): Promise<void> {
  await stopImpairments(lab).catch(() => 0);
}
