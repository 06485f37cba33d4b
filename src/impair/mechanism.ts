// Which mechanism serves each impairment parameter on this machine. With netem, netem serves
// everything on both link ends. Without it, rate goes to tbf and every per-frame effect (delay,
// jitter, loss, duplication, reordering) to the userspace relay inserted on the link, which
// needs the kernel's VXLAN and bridge devices. A parameter nothing can serve is refused.
import { FabricError } from '../errors/fabric-error.js';
import type { ImpairCaps } from '../hostnet/index.js';
import type { ImpairSpec } from '../topology/index.js';

export type Mechanism = 'netem' | 'tbf' | 'relay';
export type ImpairParam = 'delay' | 'jitter' | 'loss' | 'duplicate' | 'reorder' | 'rate';

const FIELD: Record<ImpairParam, keyof ImpairSpec> = {
  delay: 'delayUs',
  jitter: 'jitterUs',
  loss: 'loss',
  duplicate: 'duplicate',
  reorder: 'reorder',
  rate: 'rateBps',
};
export const PARAMS = Object.keys(FIELD) as ImpairParam[];
/** The relay reorders by swapping a held frame with the next one: every other frame at most. */
export const RELAY_MAX_REORDER = 0.5;
const pct = (f: number): string => `${+(f * 100).toFixed(4)}%`;

export interface Plan {
  /** Mechanism per declared parameter. */
  serves: Map<ImpairParam, Mechanism>;
  netem: boolean;
  relay: boolean;
  tbf: boolean;
}

/** What would serve each parameter, declared or not (for `fabric impair --caps`). */
export function mechanismOf(p: ImpairParam, caps: ImpairCaps): Mechanism | null {
  if (caps.netem) return 'netem';
  if (p === 'rate') return caps.tbf ? 'tbf' : null;
  return caps.vxlan && caps.bridge ? 'relay' : null;
}

export function declared(spec: ImpairSpec): ImpairParam[] {
  return PARAMS.filter((p) => (spec[FIELD[p]] ?? 0) > 0);
}

/** The mechanisms for a spec; throws E_IMPAIR_UNSUPPORTED naming every parameter left unserved. */
export function planMechanisms(spec: ImpairSpec, caps: ImpairCaps, where: string): Plan {
  const serves = new Map<ImpairParam, Mechanism>();
  const missing: string[] = [];
  for (const p of declared(spec)) {
    const m = mechanismOf(p, caps);
    if (m === 'relay' && p === 'reorder' && spec.reorder! > RELAY_MAX_REORDER)
      missing.push(
        `reorder ${pct(spec.reorder!)} (no netem, and the relay swaps a frame with the next one: at most ${pct(RELAY_MAX_REORDER)} of frames)`,
      );
    else if (m) serves.set(p, m);
    else
      missing.push(
        p === 'rate'
          ? 'rate (no netem and no tbf qdisc)'
          : `${p} (no netem, and the relay needs the kernel's vxlan and bridge devices)`,
      );
  }
  if (missing.length)
    throw new FabricError('E_IMPAIR_UNSUPPORTED', `${where}: this machine cannot serve ${missing.join(', ')}`, {
      hint: 'drop or lower these parameters, or run on a kernel with netem (or tbf, vxlan and bridge)',
    });
  const used = new Set(serves.values());
  return {
    serves,
    netem: used.has('netem'),
    // tbf sits on the relay's veths (so the near end's capture sees what was offered): any
    // impairment without netem inserts the relay.
    relay: !used.has('netem') && serves.size > 0,
    tbf: used.has('tbf'),
  };
}

/** `delay relay, jitter relay, rate tbf`: one line for the CLI and the report. */
export function formatPlan(p: Plan): string {
  return [...p.serves].map(([k, m]) => `${k} ${m}`).join(', ') || 'nothing';
}

/** The machine's mechanisms in words. */
export function formatCaps(c: ImpairCaps): string {
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  return [
    `netem ${yes(c.netem)}, tbf ${yes(c.tbf)}, htb ${yes(c.htb)}, police ${yes(c.police)}, OVS meters ${yes(c.ovsMeters)}, vxlan ${yes(c.vxlan)}, bridge ${yes(c.bridge)}`,
    ...PARAMS.map((p) => {
      const m = mechanismOf(p, c);
      const limit = m === 'relay' && p === 'reorder' ? ` (at most ${pct(RELAY_MAX_REORDER)})` : '';
      return `  ${p}: ${m ?? 'cannot be served'}${limit}`;
    }),
  ].join('\n');
}
