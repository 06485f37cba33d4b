// The impairment probe: on every impaired link, a numbered frame train is offered at each end in
// turn (tcpreplay, at a fixed rate) while both ends are captured (capture/); the capture layer
// matches the two files frame by frame (impair-measure.ts). A second, denser train at 1.5 times
// the declared rate measures the achieved rate. The impairment suite judges only these records.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  measureTrain,
  readTrain,
  startCapture,
  trainFrame,
  waitQuiet,
  type CaptureStatusDoc,
  type ImpairMeasure,
} from '../capture/index.js';
import { readImpairState } from '../impair/index.js';
import { planLab, type PlacedEnd } from '../runtime/netns/plan.js';
import { impairedLinks, type ImpairSpec } from '../topology/index.js';
import { injectFrames } from '../traffic/index.js';
import type { TestContext } from './context.js';

export interface TrainRecord {
  kind: 'frames' | 'rate';
  from: string;
  to: string;
  pps: number;
  size: number;
  measure: ImpairMeasure;
}

export interface LinkRecord {
  link: string;
  /** What fabric.yml or `fabric impair` declared for the link when the probe ran. */
  declared: ImpairSpec;
  trains: TrainRecord[];
  /** Why the rate train was not sent (a rate the injector cannot offer 1.5 times of). */
  rateSkipped?: string;
}

export interface ImpairRecord {
  links: LinkRecord[];
}

export interface ImpairProbeOptions {
  /** Frames per train and direction (default 1000, at most 20,000). */
  count?: number;
  /** Train rate (default 1000 pps). */
  pps?: number;
  size?: number;
}

/** The injector's ceiling for the rate train (tcpreplay busy-waits; the relay is one process). */
const MAX_RATE_PPS = 20_000;
const RATE_FRAME = 1400;

/** Declared impairments of the deployed lab: `fabric impair` changes win over fabric.yml. */
export function declaredImpairments(ctx: TestContext): Map<string, ImpairSpec> {
  const out = new Map(impairedLinks(ctx.model).map((l) => [l.id, l.impair!]));
  for (const l of readImpairState(ctx.lab).links) out.set(l.link, l.spec);
  return out;
}

const endName = (e: PlacedEnd): string => `${e.node}:${e.ifname}`;

function linkStatus(ctx: TestContext, link: string): CaptureStatusDoc {
  return { ...ctx.status, links: ctx.status.links.filter((l) => l.id === link) };
}

async function train(
  ctx: TestContext,
  dir: string,
  link: string,
  from: PlacedEnd,
  to: PlacedEnd,
  o: { count: number; pps: number; size: number; nonce: number; quietMs: number },
): Promise<ImpairMeasure> {
  const session = await startCapture(linkStatus(ctx, link), {
    root: dir,
    merge: false,
    tcpdump: { snaplen: 64, filter: ['ether', 'proto', '0x88b5'] },
  });
  const near = session.fileOf(from.node, from.ifname);
  const far = session.fileOf(to.node, to.ifname);
  try {
    const frames = Array.from({ length: o.count }, (_, i) => trainFrame(o.nonce, i, o.size));
    await injectFrames({
      netns: from.netns,
      ifname: from.ifname,
      hostIf: from.netns === null ? from.ifname : null,
      frames,
      pps: o.pps,
    });
    await waitQuiet([near ?? '', far ?? ''].filter(Boolean), { quietMs: o.quietMs, maxMs: 10_000 });
  } finally {
    await session.stop();
  }
  if (!near || !far) throw new Error(`link ${link}: an end was not captured`);
  return measureTrain(await readTrain(near, o.nonce), await readTrain(far, o.nonce));
}

export async function probeImpairment(
  ctx: TestContext,
  runDir: string,
  o: ImpairProbeOptions = {},
): Promise<ImpairRecord> {
  const declared = declaredImpairments(ctx);
  const plan = planLab(ctx.model);
  const count = Math.min(20_000, Math.max(10, o.count ?? 1000));
  const pps = Math.min(MAX_RATE_PPS, Math.max(1, o.pps ?? 1000));
  const size = o.size ?? 128;
  const out: ImpairRecord = { links: [] };
  let nonce = (Date.now() & 0xffff) << 12;
  for (const [link, spec] of declared) {
    const pl = plan.links.find((l) => l.id === link);
    if (!pl) continue;
    const rec: LinkRecord = { link, declared: spec, trains: [] };
    // Quiet means nothing arrived for longer than the largest delay the relay can add.
    const quietMs = Math.ceil(((spec.delayUs ?? 0) + (spec.jitterUs ?? 0)) / 1000) + 300;
    const dir = join(runDir, 'impair');
    for (const [a, b] of [
      [pl.a, pl.b],
      [pl.b, pl.a],
    ] as const) {
      const m = await train(ctx, dir, link, a, b, { count, pps, size, nonce: ++nonce, quietMs });
      rec.trains.push({ kind: 'frames', from: endName(a), to: endName(b), pps, size, measure: m });
    }
    if (spec.rateBps) {
      const ratePps = Math.ceil((1.5 * spec.rateBps) / (RATE_FRAME * 8));
      if (ratePps > MAX_RATE_PPS)
        rec.rateSkipped = `offering 1.5 x ${spec.rateBps} bit/s needs ${ratePps} pps of ${RATE_FRAME}-byte frames; the injector offers at most ${MAX_RATE_PPS}`;
      else {
        const n = Math.min(20_000, Math.max(200, ratePps)); // about one second of the offered load
        const m = await train(ctx, dir, link, pl.a, pl.b, {
          count: n,
          pps: ratePps,
          size: RATE_FRAME,
          nonce: ++nonce,
          quietMs,
        });
        rec.trains.push({
          kind: 'rate',
          from: endName(pl.a),
          to: endName(pl.b),
          pps: ratePps,
          size: RATE_FRAME,
          measure: m,
        });
      }
    }
    out.links.push(rec);
  }
  // The evidence beside the captures: declared against measured, per link and direction.
  mkdirSync(join(runDir, 'impair'), { recursive: true });
  writeFileSync(join(runDir, 'impair', 'measure.json'), JSON.stringify(out, null, 1) + '\n');
  return out;
}
