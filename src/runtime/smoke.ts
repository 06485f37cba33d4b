// The smoke probe that makes a lab "traffic-ready": one ping inside one tenant, between two
// endpoints on different access switches in the same subnet, answered across the fabric.
import type { LabModel, NodeModel } from '../topology/model.js';
import type { Runtime } from './types.js';

export interface ProbePair {
  from: string;
  to: string;
  toIp: string;
}

function v4(n: NodeModel): { ip: string; net: string } | null {
  for (const i of n.interfaces) {
    for (const a of i.addresses) {
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(a);
      if (!m) continue;
      const ip = m.slice(1, 5).map(Number);
      const len = Number(m[5]);
      const val = ((ip[0]! << 24) | (ip[1]! << 16) | (ip[2]! << 8) | ip[3]!) >>> 0;
      const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      return { ip: ip.join('.'), net: `${(val & mask) >>> 0}/${len}` };
    }
  }
  return null;
}

/** Two endpoints of one tenant in one subnet, preferring different datacenters (crosses most). */
export function pickProbe(model: LabModel): ProbePair | null {
  const eps = model.nodes.filter((n) => n.role === 'endpoint' && n.kind === 'linux' && n.tenant);
  let best: ProbePair | null = null;
  for (const a of eps) {
    const va = v4(a);
    if (!va) continue;
    for (const b of eps) {
      if (a === b || a.tenant !== b.tenant) continue;
      const vb = v4(b);
      if (!vb || vb.net !== va.net) continue;
      const pair = { from: a.name, to: b.name, toIp: vb.ip };
      if (a.dc !== b.dc) return pair;
      best ??= pair;
    }
  }
  return best;
}

/** Pings once (a few tries while ARP and MAC learning settle); true when answered. */
export async function smokeProbe(runtime: Runtime, model: LabModel, pair: ProbePair, tries = 3): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    try {
      await runtime.exec(model.name, pair.from, ['ping', '-c', '1', '-W', '2', pair.toIp], { timeout: 10_000 });
      return true;
    } catch {
      /* not yet */
    }
  }
  return false;
}
