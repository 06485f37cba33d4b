// Pushes BridgePrograms to Open vSwitch: meters first (flows reference them), then groups and
// flows as ONE atomic bundle per bridge, so a bridge never runs half a program. Port numbers
// are resolved from the live switch at the last moment.
import { FabricError } from '../errors/fabric-error.js';
import { hostNet } from '../hostnet/index.js';
import { COOKIE, type BridgeProgram } from './modules/module.js';
import { bundleText } from './render.js';

const OF = { version: 'OpenFlow15' };
const SAFE = /^[A-Za-z0-9_.:-]{1,64}$/;

function checkName(what: string, name: string): void {
  if (!SAFE.test(name))
    throw new FabricError('E_BAD_NAME', `refusing ${what} name ${JSON.stringify(name)}`, {
      hint: 'names reaching ovs-ofctl must be [A-Za-z0-9_.:-]',
    });
}

/** Live OpenFlow port numbers by interface name (`bridges`: asked only where those bridges live). */
export async function liveOfports(bridges?: readonly string[]): Promise<Map<string, number>> {
  return hostNet().ovs.ofports(bridges);
}

/**
 * Replaces `{{ofport:NAME}}` placeholders and port names after `in_port=` / `output:` with live
 * OpenFlow numbers (diff-flows cannot resolve names read from a file). A missing port is an
 * error, never a guess.
 */
export function substitutePorts(text: string, ports: Map<string, number>, bridge: string): string {
  const num = (name: string): string => {
    const n = ports.get(name);
    if (n === undefined)
      throw new FabricError('E_PORT_MISSING', `bridge ${bridge} has no port ${name}`, {
        hint: 'the lab is not fully deployed: run fabric up again',
      });
    return String(n);
  };
  return text
    .replace(/\{\{ofport:([^}]+)\}\}/g, (_, name: string) => num(name))
    .replace(/(in_port=|output:)([A-Za-z][A-Za-z0-9_.-]*)/g, (_, k: string, name: string) => k + num(name));
}

async function applyMeters(p: BridgeProgram): Promise<void> {
  const ovs = hostNet().ovs;
  const cur = (await ovs.dumpMeters(p.bridge, OF)) ?? '';
  for (const m of p.meters) {
    const id = /meter=(\d+)/.exec(m)?.[1];
    // Deleting a meter would delete the flows that use it: modify in place instead.
    const exists = id !== undefined && new RegExp(`meter=${id}\\b`).test(cur);
    await ovs.setMeter(p.bridge, m, { ...OF, modify: exists });
  }
}

export interface ApplyResult {
  bridge: string;
  flows: number;
  groups: number;
  meters: number;
}

/** Port names a program refers to (placeholders and in_port/output tokens). */
export function portsNeeded(programs: BridgeProgram[]): Set<string> {
  const names = new Set<string>();
  for (const p of programs) {
    for (const line of [...p.flows, ...p.groups]) {
      for (const m of line.matchAll(/\{\{ofport:([^}]+)\}\}|(?:in_port=|output:)([A-Za-z][A-Za-z0-9_.-]*)/g))
        names.add(m[1] ?? m[2]);
    }
  }
  return names;
}

/**
 * ovs-vswitchd assigns OpenFlow port numbers after the database commit that adds a port, so a
 * freshly deployed lab may not have them yet: wait (bounded) until every needed port has one.
 */
export async function waitOfports(programs: BridgeProgram[], timeoutMs = 20_000): Promise<Map<string, number>> {
  const need = portsNeeded(programs);
  const bridges = programs.map((p) => p.bridge);
  const t0 = Date.now();
  for (;;) {
    const ports = await liveOfports(bridges);
    const missing = [...need].filter((n) => !ports.has(n));
    if (!missing.length) return ports;
    if (Date.now() - t0 > timeoutMs) {
      throw new FabricError(
        'E_PORT_MISSING',
        `no OpenFlow port number for ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} after ${timeoutMs} ms`,
        { hint: 'the lab is not fully deployed: run fabric up again' },
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function applyPrograms(programs: BridgeProgram[]): Promise<ApplyResult[]> {
  const ports = await waitOfports(programs);
  const out: ApplyResult[] = [];
  for (const p of programs) {
    checkName('bridge', p.bridge);
    const text = substitutePorts(bundleText(p), ports, p.bridge);
    await applyMeters(p);
    await hostNet().ovs.bundle(p.bridge, text, OF);
    out.push({ bridge: p.bridge, flows: p.flows.length, groups: p.groups.length, meters: p.meters.length });
  }
  return out;
}

export interface FlowDiff {
  bridge: string;
  node: string;
  /** Planned flows the switch does not have (or has with other actions). */
  missing: string[];
  /** Flows on the switch that the plan does not contain (learned MAC entries excluded). */
  unexpected: string[];
}

/** Programmed against planned state, per bridge, through `ovs-ofctl diff-flows` (canonical form). */
export async function diffPrograms(programs: BridgeProgram[]): Promise<FlowDiff[]> {
  const ports = await waitOfports(programs);
  const out: FlowDiff[] = [];
  for (const p of programs) {
    checkName('bridge', p.bridge);
    const text = substitutePorts(p.flows.join('\n') + '\n', ports, p.bridge);
    out.push(flowDiffOf(p, await hostNet().ovs.diffFlows(p.bridge, text, OF)));
  }
  return out;
}

/** ovs-ofctl diff-flows lines as a FlowDiff: '-' only on the switch, '+' only planned; learned MACs left out. */
export function flowDiffOf(p: Pick<BridgeProgram, 'bridge' | 'node'>, diff: readonly string[]): FlowDiff {
  const learned = `cookie=${'0x' + COOKIE.learned.toString(16)}`;
  const lines = diff.filter((l) => !l.includes(learned));
  return {
    bridge: p.bridge,
    node: p.node,
    unexpected: lines.filter((l) => l.startsWith('-')).map((l) => l.slice(1).trim()),
    missing: lines.filter((l) => l.startsWith('+')).map((l) => l.slice(1).trim()),
  };
}

export interface ProgramDelta {
  bridge: string;
  node: string;
  /** `ovs-ofctl bundle` lines (ports still as names/placeholders). */
  lines: string[];
  removed: number;
  added: number;
  /** Tenant domains whose learned MAC entries the bundle flushes. */
  flushed: number[];
}

/** `table=…,priority=…,<match>` of a rendered flow: what delete_strict needs (no cookie, no actions). */
export function strictMatch(flow: string): string {
  const noActions = flow.replace(/,?actions=.*$/, '');
  return noActions
    .split(',')
    .filter((f) => f && !f.startsWith('cookie='))
    .join(',');
}

const groupId = (g: string): string | undefined => /group_id=(\d+)/.exec(g)?.[1];

/** Tenant domains (reg0 values) a flow classifies frames into or matches on. */
function domainsOf(flow: string): string[] {
  return [...flow.matchAll(/set_field:(\d+)->reg0\b|\breg0=(\d+)\b/g)].map((m) => m[1] ?? m[2]!);
}

/** Domains whose classification (a flow setting reg0) changed on any bridge: the moved ones. */
function movedDomains(before: BridgeProgram[], after: BridgeProgram[]): Set<string> {
  const moved = new Set<string>();
  for (const a of after) {
    const b = before.find((p) => p.node === a.node);
    if (!b) continue;
    const oldFlows = new Set(b.flows);
    const newFlows = new Set(a.flows);
    for (const f of [...b.flows.filter((x) => !newFlows.has(x)), ...a.flows.filter((x) => !oldFlows.has(x))])
      for (const d of f.matchAll(/set_field:(\d+)->reg0\b/g)) moved.add(d[1]!);
  }
  return moved;
}

/**
 * The change from `before` to `after` as one bundle per changed bridge: flows deleted strictly and
 * added, groups added/modified/deleted, and the learned MAC entries of every moved domain (one
 * whose classification changed on any bridge) flushed on every changed bridge that carries it.
 * A site that moved to another port, or to another DC, leaves stale MAC locations behind: in its
 * old and new DC, and in every DC whose arrival port for the site's frames changed, which is a
 * change of that bridge's classification flows. A DC switch whose program did not change receives
 * the site's frames on the same port as before, so its learned entries stay true. After the flush
 * the switch floods within the domain until it relearns, the way a switch flushes on a topology
 * change. Pure; null when a bridge's meters changed (those need a full apply: deleting a meter
 * deletes its flows).
 */
export function programDeltas(before: BridgeProgram[], after: BridgeProgram[]): ProgramDelta[] | null {
  const out: ProgramDelta[] = [];
  const nodes = new Set([...before.map((p) => p.node), ...after.map((p) => p.node)]);
  const moved = movedDomains(before, after);
  for (const node of [...nodes].sort()) {
    const b = before.find((p) => p.node === node);
    const a = after.find((p) => p.node === node);
    if (!a || !b) return null; // a bridge appears or disappears: not a delta
    if (b.meters.join('\n') !== a.meters.join('\n')) return null;
    const oldFlows = new Set(b.flows);
    const newFlows = new Set(a.flows);
    const gone = b.flows.filter((f) => !newFlows.has(f));
    const fresh = a.flows.filter((f) => !oldFlows.has(f));
    const oldGroups = new Map(b.groups.map((g) => [groupId(g), g]));
    const newGroups = new Map(a.groups.map((g) => [groupId(g), g]));
    const groupLines: string[] = [];
    for (const [id, g] of newGroups) {
      if (!oldGroups.has(id)) groupLines.push(`group add ${g}`);
      else if (oldGroups.get(id) !== g) groupLines.push(`group modify ${g}`);
    }
    const groupsGone = [...oldGroups.keys()].filter((id) => !newGroups.has(id));
    if (!gone.length && !fresh.length && !groupLines.length && !groupsGone.length) continue;
    const carried = new Set([...b.flows, ...a.flows].flatMap(domainsOf));
    const flush = [...moved].filter((d) => carried.has(d)).sort((x, y) => Number(x) - Number(y));
    // Order inside the transaction: new/changed groups before flows that use them, removed
    // flows before removed groups.
    const lines = [
      ...groupLines,
      ...gone.map((f) => `flow delete_strict ${strictMatch(f)}`),
      ...flush.map((d) => `flow delete cookie=0x${COOKIE.learned.toString(16)}/-1,reg0=${d}`),
      ...fresh.map((f) => `flow add ${f}`),
      ...groupsGone.map((id) => `group delete group_id=${id}`),
    ];
    out.push({ bridge: a.bridge, node, lines, removed: gone.length, added: fresh.length, flushed: flush.map(Number) });
  }
  return out;
}

/**
 * Pushes deltas (one atomic bundle per bridge, bridges in parallel) with port numbers from
 * `ports` (read before the change: a host failure does not renumber the fabric's ports).
 */
export async function applyDeltas(deltas: ProgramDelta[], ports: Map<string, number>): Promise<void> {
  await Promise.all(
    deltas.map(async (d) => {
      checkName('bridge', d.bridge);
      await hostNet().ovs.bundle(d.bridge, substitutePorts(d.lines.join('\n') + '\n', ports, d.bridge), OF);
    }),
  );
}
