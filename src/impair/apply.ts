// Setting, changing and clearing the impairment of one deployed link, and the whole-lab steps
// `fabric up` (declared impairments) and `fabric down` (stop every relay by PID) take.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FabricError } from '../errors/fabric-error.js';
import { hostNet } from '../hostnet/index.js';
import { readState } from '../runtime/index.js';
import { planLab, type NetnsPlan, type PlannedLink } from '../runtime/netns/plan.js';
import { addObjects, writeState } from '../runtime/state.js';
import { formatImpair, impairedLinks, isEmptyImpair, type ImpairSpec, type LabModel } from '../topology/index.js';
import { planMechanisms, type Plan } from './mechanism.js';
import {
  insertRelay,
  pickMoved,
  relayNames,
  removeRelay,
  setRelayRate,
  startRelayProcess,
  tbfSpec,
} from './relay-plumb.js';
import { impairDir, putLink, readImpairState, removeImpairState, writeImpairState, type LinkImpair } from './state.js';

/** relay.mjs ships in src/impair; from dist/impair it is found in ../../src/impair. */
export function relayScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [resolve(here, 'relay.mjs'), resolve(here, '../../src/impair/relay.mjs')])
    if (existsSync(p)) return p;
  throw new FabricError('E_IMPAIR_FAILED', 'relay.mjs not found next to the impair module or in src/impair', {
    hint: 'run from the fabric checkout',
  });
}

/** Default seed of a link's relay: stable per link, so reruns draw the same losses. */
export function linkSeed(link: string): number {
  return createHash('sha256').update(link).digest().readUInt32BE(0);
}

interface Deployed {
  model: LabModel;
  plan: NetnsPlan;
}

function deployed(lab: string): Deployed {
  const st = readState(lab);
  if (!st)
    throw new FabricError('E_LAB_NOT_FOUND', `lab ${lab} is not deployed (no state file)`, {
      hint: `fabric up ${lab}`,
    });
  if (st.runtime !== 'netns')
    throw new FabricError(
      'E_IMPAIR_UNSUPPORTED',
      `lab ${lab} runs on the ${st.runtime} runtime; impairment needs netns`,
      {
        hint: 'deploy the lab with the default netns runtime',
      },
    );
  return { model: st.model, plan: planLab(st.model) };
}

function plannedLink(d: Deployed, link: string): PlannedLink {
  const l = d.plan.links.find((x) => x.id === link);
  if (!l)
    throw new FabricError('E_IMPAIR_LINK', `lab ${d.model.name} has no link ${JSON.stringify(link)}`, {
      hint: 'fabric status <lab> lists the link ids',
    });
  return l;
}

export interface ImpairOutcome {
  link: string;
  spec: ImpairSpec;
  plan: Plan | null;
  action: 'inserted' | 'changed' | 'netem' | 'cleared' | 'unchanged';
}

export interface ImpairOptions {
  seed?: number;
  source?: 'declared' | 'runtime';
}

/** Impairs one link (or changes its impairment); an empty spec clears it. */
export async function impairLink(
  lab: string,
  link: string,
  spec: ImpairSpec,
  opts: ImpairOptions = {},
): Promise<ImpairOutcome> {
  if (isEmptyImpair(spec)) return clearLink(lab, link);
  const d = deployed(lab);
  const pl = plannedLink(d, link);
  const caps = await hostNet().impair.capabilities();
  const plan = planMechanisms(spec, caps, `link ${link} (${formatImpair(spec)})`);
  const st = readImpairState(lab);
  const before = st.links.find((l) => l.link === link);
  const rec: LinkImpair = {
    link,
    spec,
    serves: [...plan.serves],
    source: opts.source ?? 'runtime',
    since: new Date().toISOString(),
  };
  const h = hostNet();
  if (plan.netem) {
    if (before?.relay) await clearLink(lab, link);
    const args = netemArgs(spec);
    for (const e of [pl.a, pl.b]) await h.kernel.setQdisc(e.netns, e.ifname, args);
    rec.netemEnds = [pl.a, pl.b];
    putLink(st, rec);
    writeImpairState(st);
    return { link, spec, plan, action: 'netem' };
  }
  const seed = opts.seed ?? linkSeed(link);
  mkdirSync(join(impairDir(), lab), { recursive: true });
  const log = join(impairDir(), lab, `${relayNames(lab, link).relayNs}.log`);
  const start = { lab, link, spec, seed, script: relayScript(), log, caps };
  if (before?.relay) {
    // Same plumbing, new parameters: restart the process, reset the rate.
    const r = before.relay;
    if (r.process) await h.impair.stop(r.process.pid, r.process.start);
    r.seed = seed;
    await setRelayRate(r, spec);
    await startRelayProcess(r, start);
    rec.relay = r;
    putLink(st, rec);
    writeImpairState(st);
    return { link, spec, plan, action: 'changed' };
  }
  const { moved, kept } = pickMoved(pl.a, pl.b);
  const names = relayNames(lab, link);
  const ofport = moved.netns === null ? (await h.ovs.ofports()).get(moved.ifname) : undefined;
  rec.relay = { ...names, moved, kept, log, seed, ...(ofport !== undefined ? { ofport } : {}) };
  // Recorded before anything changes: down finds the namespaces even after a crash here.
  putLink(st, rec);
  writeImpairState(st);
  const ls = readState(lab);
  if (ls) {
    addObjects(ls.created, { netns: [names.relayNs, names.procNs] });
    writeState(ls);
  }
  await insertRelay(lab, d.model, d.plan, rec.relay);
  await setRelayRate(rec.relay, spec);
  await startRelayProcess(rec.relay, start);
  writeImpairState(st);
  return { link, spec, plan, action: 'inserted' };
}

/** Removes a link's impairment: netem qdiscs off, or the relay taken out and the veth restored. */
export async function clearLink(lab: string, link: string): Promise<ImpairOutcome> {
  const st = readImpairState(lab);
  const rec = st.links.find((l) => l.link === link);
  if (!rec) return { link, spec: {}, plan: null, action: 'unchanged' };
  const h = hostNet();
  if (rec.netemEnds) for (const e of rec.netemEnds) await h.kernel.clearQdisc(e.netns, e.ifname);
  if (rec.relay) {
    const d = deployed(lab);
    await removeRelay(lab, d.model, d.plan, rec.relay);
  }
  st.links = st.links.filter((l) => l.link !== link);
  writeImpairState(st);
  return { link, spec: {}, plan: null, action: 'cleared' };
}

/**
 * Before `fabric up` deploys anything: every declared parameter this machine cannot serve, on
 * every link at once, so a refused block leaves nothing half-deployed.
 */
export async function refuseUnservable(model: LabModel): Promise<void> {
  const links = impairedLinks(model);
  if (!links.length) return;
  const caps = await hostNet().impair.capabilities();
  const refused: FabricError[] = [];
  for (const l of links)
    try {
      planMechanisms(l.impair!, caps, `link ${l.id} (${formatImpair(l.impair!)})`);
    } catch (e) {
      if (!(e instanceof FabricError)) throw e;
      refused.push(e);
    }
  if (refused.length)
    throw new FabricError('E_IMPAIR_UNSUPPORTED', refused.map((e) => e.message).join('\n'), {
      hint: refused[0]!.hint,
    });
}

/** `fabric up`: every link the lab file impairs; runtime changes of other links are kept. */
export async function applyDeclared(lab: string, model: LabModel): Promise<ImpairOutcome[]> {
  const out: ImpairOutcome[] = [];
  const st = readImpairState(lab);
  const want = new Map(impairedLinks(model).map((l) => [l.id, l.impair!]));
  for (const rec of st.links)
    if (rec.source === 'declared' && !want.has(rec.link)) out.push(await clearLink(lab, rec.link));
  for (const [link, spec] of want) {
    const have = readImpairState(lab).links.find((l) => l.link === link);
    if (have && JSON.stringify(have.spec) === JSON.stringify(spec) && relayRunning(have)) {
      out.push({ link, spec, plan: null, action: 'unchanged' });
      continue;
    }
    out.push(await impairLink(lab, link, spec, { source: 'declared' }));
  }
  return out;
}

function relayRunning(l: LinkImpair): boolean {
  const p = l.relay?.process;
  return !l.relay || (p !== undefined && hostNet().impair.isAlive(p.pid, p.start));
}

/** `fabric down`: stop every relay process by PID (its namespaces go with the lab's). */
export async function stopImpairments(lab: string): Promise<number> {
  const st = readImpairState(lab);
  let n = 0;
  for (const l of st.links) {
    const p = l.relay?.process;
    if (p && (await hostNet().impair.stop(p.pid, p.start))) n++;
  }
  removeImpairState(lab);
  rmSync(join(impairDir(), lab), { recursive: true, force: true }); // the relays' output
  return n;
}

/** netem's words for a spec (a machine with netem serves everything there). */
export function netemArgs(s: ImpairSpec): string[] {
  const a = ['netem'];
  if (s.delayUs || s.jitterUs) a.push('delay', `${s.delayUs ?? 0}us`, ...(s.jitterUs ? [`${s.jitterUs}us`] : []));
  if (s.loss) a.push('loss', `${s.loss * 100}%`);
  if (s.duplicate) a.push('duplicate', `${s.duplicate * 100}%`);
  if (s.reorder) a.push('reorder', `${s.reorder * 100}%`);
  if (s.rateBps) a.push('rate', `${s.rateBps}bit`);
  return a;
}

export { tbfSpec };
