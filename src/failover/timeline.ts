// The failover timeline: trigger, detection, each step with its duration, the migrations, the
// data-plane loss per tenant flow and the cross-tenant count. Plain JSON (bench, reports).
export type Trigger = 'failure' | 'maintenance' | 'capacity';
export const TRIGGERS: readonly Trigger[] = ['failure', 'maintenance', 'capacity'];

export interface StepRecord {
  step: string;
  /** ms since detection. */
  atMs: number;
  ms: number;
  detail?: string;
}

export interface FlowLoss {
  tenant: string;
  from: string;
  to: string;
  ip: string;
  sent: number;
  received: number;
  lost: number;
  firstLost: number | null;
  lastLost: number | null;
  /** Achieved send rate (pps): ping's own interval under load. */
  pps: number;
  /** Longest gap between consecutive replies (ms), and when it began (epoch ms; relative to detection in a timeline). */
  maxGapMs: number;
  maxGapStart: number;
  /** The outage: the longest run of consecutive lost sequence numbers. */
  longestRun: { first: number; last: number; frames: number } | null;
  /** Echo train: replies seen more than once for one seq (a flooded or looped copy). */
  duplicates?: number;
  /** Echo train: seqs up to the highest one seen that were neither seen leaving nor answered (capture drop or send failure). */
  unseen?: number;
  /** Why this flow's figures cannot be trusted (the replay failed, the capture is unreadable). */
  probeError?: string;
}

export interface Timeline {
  action: 'failover' | 'failback';
  trigger: Trigger | null;
  host: string;
  site: string;
  /** Wall clock (epoch ms) when the trigger was detected. */
  detectedAt: number;
  steps: StepRecord[];
  /** ms from detection until the re-tag was applied (traffic restored, control-plane view). */
  restorationMs: number | null;
  activated: string | null;
  /** VM → hypervisor it now runs on. */
  placement: Record<string, string>;
  migrations: { vm: string; from: string; to: string; downtimeMs: number; totalTimeMs: number; wallMs: number }[];
  flowDiff: { removed: number; added: number };
  flows?: FlowLoss[];
  crossTenantFrames?: number;
  /** Train frames on tenant ports during the move against the stack each port should carry. */
  stacksDuring?: { checked: number; violations: number; samples: string[] };
  verified?: string[];
}

export function formatTimeline(t: Timeline): string {
  const out = [
    `${t.action} of ${t.site} on ${t.host}${t.trigger ? ` (trigger ${t.trigger})` : ''}, detected ${new Date(t.detectedAt).toISOString()}`,
    ...t.steps.map(
      (s) =>
        `  +${String(Math.round(s.atMs)).padStart(6)} ms  ${s.step.padEnd(12)} ${String(Math.round(s.ms)).padStart(6)} ms  ${s.detail ?? ''}`,
    ),
    `  restoration: ${t.restorationMs === null ? 'n/a' : `${Math.round(t.restorationMs)} ms after detection`}; tag diff -${t.flowDiff.removed}/+${t.flowDiff.added} flows`,
    ...t.migrations.map(
      (m) => `  migrated ${m.vm}: ${m.from} → ${m.to}, downtime ${m.downtimeMs} ms, total ${m.totalTimeMs} ms`,
    ),
    `  placement: ${Object.entries(t.placement)
      .map(([v, h]) => `${v}@${h}`)
      .join(', ')}`,
  ];
  for (const f of t.flows ?? []) {
    out.push(
      `  flow ${f.tenant} ${f.from} → ${f.to} (${f.ip}): ${f.sent} sent at ${f.pps} pps, ${f.lost} lost${f.lost ? ` (seq ${f.firstLost}..${f.lastLost})` : ''}; outage ${f.longestRun ? `seq ${f.longestRun.first}..${f.longestRun.last} = ${f.longestRun.frames} frames` : 'none'}; longest gap ${Math.round(f.maxGapMs)} ms at ${signedMs(f.maxGapStart)}`,
    );
  }
  if (t.crossTenantFrames !== undefined) out.push(`  cross-tenant frames: ${t.crossTenantFrames}`);
  if (t.stacksDuring)
    out.push(
      `  stacks during the move: ${t.stacksDuring.checked} train frames checked on tenant ports, ${t.stacksDuring.violations} off their port's stack${t.stacksDuring.samples.length ? ` (${t.stacksDuring.samples.join('; ')})` : ''}`,
    );
  for (const v of t.verified ?? []) out.push(`  verified: ${v}`);
  return out.join('\n') + '\n';
}

/** An offset from detection: +12 ms after, -17 ms before. */
function signedMs(ms: number): string {
  const r = Math.round(ms);
  return `${r < 0 ? '-' : '+'}${Math.abs(r)} ms`;
}
