// impair blocks: every value parses (durations, percentages, rates), jitter fits in the delay.
// Which link a block lands on, and whether the machine can serve it, is decided later (resolve
// for link ids; the impairment layer for the machine's mechanisms). A runtime that cannot impair
// (given by verbs that deploy) is refused here, at every block.
import { parseImpair, type ImpairIntent } from '../impair.js';
import type { DocPath } from '../locate.js';
import { arr, isObj, isStr, type Checker } from './checker.js';

function checkBlock(c: Checker, block: unknown, path: DocPath): void {
  if (!isObj(block)) return; // the schema reported it
  // Refused before anything is deployed: the impairment layer plans netns links only.
  const rt = c.machine?.runtime;
  if (rt && !rt.impairs)
    c.report(
      'E_IMPAIR_RUNTIME',
      path,
      `the ${rt.name} runtime cannot impair links`,
      'deploy with the default netns runtime (fabric up without --runtime), or remove the impair block',
      true,
    );
  const raw: ImpairIntent = {};
  for (const [k, v] of Object.entries(block)) if (isStr(v)) (raw as Record<string, string>)[k] = v;
  for (const p of parseImpair(raw).problems) c.report('E_IMPAIR_VALUE', [...path, p.key], p.message, p.hint);
}

export function validateImpair(c: Checker): void {
  arr(c.data.interconnects).forEach((ic, i) => {
    if (isObj(ic)) checkBlock(c, ic.impair, ['interconnects', i, 'impair']);
  });
  const lh = c.data.long_haul;
  if (isObj(lh)) {
    if (isObj(lh.provider_segment))
      checkBlock(c, lh.provider_segment.impair, ['long_haul', 'provider_segment', 'impair']);
    arr(lh.paths).forEach((p, i) => {
      if (isObj(p)) checkBlock(c, p.impair, ['long_haul', 'paths', i, 'impair']);
    });
  }
  arr(c.data.impair_links).forEach((l, i) => {
    if (isObj(l)) checkBlock(c, l.impair, ['impair_links', i, 'impair']);
  });
}
