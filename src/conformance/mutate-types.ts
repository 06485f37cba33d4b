// What a mutation is (conformance/mutate.ts lists them): a rewrite of ONE bridge's planned program.
import type { BridgeProgram } from '../tagging/modules/module.js';
import type { TestContext } from './context.js';

export interface Mutation {
  name: string;
  description: string;
  /** Does the lab have what this mutation rewrites? Absent: always. */
  applies?: (ctx: TestContext) => boolean;
  /** Node whose bridge is rewritten. */
  node: (ctx: TestContext) => string;
  /** Returns the misprogrammed copy of that bridge's program. */
  mutate: (p: BridgeProgram, ctx: TestContext) => BridgeProgram;
}
