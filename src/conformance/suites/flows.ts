// flows: programmed-versus-planned drift, reported as a result of its own. The other verdicts
// come from frames alone; this one says whether the switches still run the plan.
import { diffPrograms } from '../../tagging/apply.js';
import { renderPrograms } from '../../tagging/render.js';
import type { CheckDef } from '../judge.js';

export const flows: CheckDef[] = [
  {
    suite: 'flows',
    id: 'flows/no-drift',
    title: 'the switches run exactly the planned flows',
    async judge({ ctx, stats }) {
      const diffs = await diffPrograms(renderPrograms(ctx.model, ctx.plan));
      const bad = diffs.filter((d) => d.missing.length || d.unexpected.length);
      stats.bridges = diffs.length;
      if (bad.length) {
        throw new Error(
          `flows drift on ${bad.length} bridge(s):\n${bad.map((d) => `  ${d.node}: ${d.missing.map((f) => `\n    + ${f}`).join('')}${d.unexpected.map((f) => `\n    - ${f}`).join('')}`).join('\n')}`,
        );
      }
    },
  },
];
