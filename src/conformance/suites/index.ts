// Suite registry: a suite is a named list of checks (probe-independent judges over a run).
import type { CheckDef } from '../judge.js';
import { delivery } from './delivery.js';
import { failover } from './failover.js';
import { faults } from './faults.js';
import { flows } from './flows.js';
import { impairment } from './impairment.js';
import { isolation } from './isolation.js';
import { longHaul } from './long-haul.js';
import { overlap } from './overlap.js';
import { reach } from './reach.js';
import { tagStack } from './tag-stack.js';

export const SUITES: Record<string, CheckDef[]> = {
  isolation,
  'tag-stack': tagStack,
  'long-haul': longHaul,
  delivery,
  overlap,
  reach,
  flows,
  faults,
  failover,
  impairment,
};

// Opt-in suites (slow, or with declared side effects) run only when named with --suite.
// impairment is left out here: it is a default only on labs that impair a link (defaultSuites).
const OPT_IN = new Set(['faults', 'impairment']);
export const DEFAULT_SUITES = Object.keys(SUITES).filter((s) => !OPT_IN.has(s));

/** The suites `fabric test` runs without --suite: the defaults, plus impairment where a link is impaired. */
export function defaultSuites(impaired: boolean): string[] {
  return impaired ? [...DEFAULT_SUITES, 'impairment'] : DEFAULT_SUITES;
}
