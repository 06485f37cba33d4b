// ovs-vswitchd restart, keeping other labs' flows: the flows, groups and meters of every bridge
// this lab does not own are dumped before the restart and added back after it.
import { hostNet, mapLimit } from '../hostnet/index.js';

const OF = { version: 'OpenFlow15' } as const;
const BRIDGE = /^[A-Za-z0-9_.-]{1,15}$/;

export interface SavedBridge {
  bridge: string;
  flows: string[];
  groups: string[];
  /** add-meter arguments, one per meter (flows may reference them: restored first). */
  meters: string[];
}

/**
 * `dump-meters` prints `meter=4 pktps burst bands=` then one `type=drop rate=10 ...` line per band;
 * add-meter wants `meter=4,pktps,burst,band=type=drop,rate=10`.
 */
export function meterArgs(dump: string): string[] {
  const out: string[] = [];
  for (const block of dump.split(/\n\s*\n|\n(?=meter=)/)) {
    const lines = block
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^(OFPST|NXST|OFPT)_/.test(l));
    const head = lines[0];
    if (!head?.startsWith('meter=')) continue;
    const flags = head
      .replace(/\s*bands=\s*$/, '')
      .split(/\s+/)
      .filter((t) => t !== 'stats');
    const bands = lines.slice(1).map((l) => l.split(/\s+/).join(','));
    out.push([...flags, ...(bands.length ? [`band=${bands.join(',')}`] : [])].join(','));
  }
  return out;
}

/** Dumps flows, groups and meters of bridges we do not own, in a form add-flows/add-groups read back. */
export async function saveForeign(own: Set<string>): Promise<SavedBridge[]> {
  const ovs = hostNet().ovs;
  const all = await ovs.bridgeNames();
  const saved = await mapLimit(
    all.filter((b) => !own.has(b) && BRIDGE.test(b)),
    8,
    async (bridge): Promise<SavedBridge | null> => {
      const [f, g, m] = await Promise.all([
        ovs.dumpFlows(bridge, { ...OF, noNames: true, tolerate: true }),
        ovs.dumpGroups(bridge, { ...OF, tolerate: true }),
        ovs.dumpMeters(bridge, { ...OF, tolerate: true }),
      ]);
      if (f === null) return null; // a bridge that does not speak OF1.5: nothing we can restore faithfully
      return { bridge, flows: f, groups: g ?? [], meters: m === null ? [] : meterArgs(m) };
    },
  );
  return saved.filter((x): x is SavedBridge => x !== null);
}

export async function restoreForeign(saved: SavedBridge[]): Promise<string[]> {
  const ovs = hostNet().ovs;
  const done: string[] = [];
  await mapLimit(saved, 8, async (s) => {
    // Meters and groups first: restored flows may point at them.
    for (const m of s.meters) await ovs.setMeter(s.bridge, m, { ...OF, tolerate: true });
    if (s.groups.length) await ovs.addGroups(s.bridge, s.groups, { ...OF, tolerate: true });
    if (s.flows.length) await ovs.addFlows(s.bridge, s.flows, { ...OF, tolerate: true });
    done.push(s.bridge);
  });
  return done;
}
