// Suite registry: a suite is a named list of checks (probe-independent judges over a run).
import type { CheckDef } from '../judge.js';
import { delivery } from './delivery.js';
import { failover } from './failover.js';
import { faults } from './faults.js';
import { flows } from './flows.js';
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
};

// Opt-in suites (slow, or with declared side effects) run only when named with --suite.
const OPT_IN = new Set(['faults']);
export const DEFAULT_SUITES = Object.keys(SUITES).filter((s) => !OPT_IN.has(s));
