// The judge side of a check: assertions over decoded captures that fail with evidence (capture
// file, frame number, decoded frame), never with a bare boolean.
import type { Layer, VlanLayer } from '../decode/types.js';
import type { CapturedFrame, RunFrames } from './frames.js';
import { evidence } from './frames.js';
import type { ProbeRecord } from './probe.js';
import type { SuiteRecords } from './records.js';
import type { TestContext } from './context.js';
import type { FrameEvidence } from '../report/result.js';

export class EvidenceError extends Error {
  constructor(
    message: string,
    readonly evidence: FrameEvidence[] = [],
  ) {
    super(message);
    this.name = 'EvidenceError';
  }
}

/** Thrown by a judge that does not apply to this lab: the check is reported skipped, with the reason. */
export class SkipCheck extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SkipCheck';
  }
}

export interface Judgement {
  ctx: TestContext;
  probe: ProbeRecord;
  run: RunFrames;
  /** What the selected suites' own probes recorded (fault windows, the failover observation). */
  records?: SuiteRecords;
  /** Counters a check wants in its report row. */
  stats: Record<string, number>;
}

export interface CheckDef {
  suite: string;
  id: string;
  title: string;
  judge(j: Judgement): void | Promise<void>;
}

/** Collects violations and throws once with all of them (first ten frames as evidence). */
export class Violations {
  private readonly items: { msg: string; ev?: FrameEvidence }[] = [];
  add(msg: string, f?: CapturedFrame, note?: string): void {
    this.items.push({ msg, ev: f ? evidence(f, note ?? msg) : undefined });
  }
  get count(): number {
    return this.items.length;
  }
  throwIfAny(summary: string): void {
    if (!this.items.length) return;
    const lines = this.items
      .slice(0, 10)
      .map((i) => `  - ${i.msg}${i.ev ? ` [${i.ev.file} #${i.ev.frame}: ${i.ev.decoded}]` : ''}`);
    const more = this.items.length > 10 ? `\n  ... and ${this.items.length - 10} more` : '';
    throw new EvidenceError(
      `${summary}: ${this.items.length} violation(s)\n${lines.join('\n')}${more}`,
      this.items.flatMap((i) => (i.ev ? [i.ev] : [])).slice(0, 50),
    );
  }
}

/** The tenant that owns a client-side link (client-access, tenant-lan), or null on fabric links. */
export function linkTenant(ctx: TestContext, f: CapturedFrame): string | null {
  // `hypervisor` links (uplink and taps of a hypervisor holding a tenant site) carry own VLANs too.
  if (f.cls !== 'client-access' && f.cls !== 'tenant-lan' && f.cls !== 'hypervisor') return null;
  const a = ctx.model.nodes.find((n) => n.name === f.node)?.tenant;
  const b = ctx.model.nodes.find((n) => n.name === f.peer)?.tenant;
  return a ?? b ?? null;
}

/** The first 802.1ad + 802.1Q pair in a stack (inside any pseudowire or VXLAN), as [Tag1, Tag2]. */
export function fabricPair(layers: Layer[]): [number, number] | null {
  for (let i = 0; i + 1 < layers.length; i++) {
    const a = layers[i];
    const b = layers[i + 1];
    if (a.name === 'vlan' && b.name === 'vlan' && (a as VlanLayer).tpid === 0x88a8)
      return [(a as VlanLayer).vid, (b as VlanLayer).vid];
  }
  return null;
}

/** Tenant that a (Tag1, Tag2) pair belongs to according to the plan, or null if nobody's. */
export function pairTenant(ctx: TestContext, pair: [number, number]): string | null {
  for (const s of ctx.plan.sites) {
    if (s.hostTag !== pair[0]) continue;
    const d = ctx.plan.domains.find(
      (x) => x.tenant === s.tenant && x.customerTag === pair[1] && s.vlans.includes(x.ownVlan),
    );
    if (d) return s.tenant;
  }
  return null;
}

export const hasLayer = (layers: Layer[], name: Layer['name']) => layers.some((l) => l.name === name);

/** Background: link-local control traffic that is not any tenant's (IPv6 ND/MLD, LLDP, STP). */
export function backgroundKind(layers: Layer[]): string | null {
  const eth = layers[0];
  if (eth?.name !== 'eth') return null;
  if (eth.dst === '01:80:c2:00:00:0e' || eth.type === 0x88cc) return 'lldp';
  if (eth.dst === '01:80:c2:00:00:00') return 'stp';
  const v6 = layers.find((l) => l.name === 'ipv6');
  if (v6 && v6.name === 'ipv6') {
    if (v6.next === 58) return 'ipv6-nd';
    if (v6.next === 0) return 'ipv6-mld';
    return 'ipv6-other';
  }
  return null;
}
