// flows: programmed-versus-planned drift, reported as a result of its own. The other verdicts
// come from frames alone; this one says whether the switches still ran the plan when the probes
// were done (the flow dumps recorded then).
import { recordedDiffs } from '../flow-record.js';
import type { CheckDef } from '../judge.js';

export const flows: CheckDef[] = [
  {
    suite: 'flows',
    id: 'flows/no-drift',
    title: 'the switches run exactly the planned flows',
    judge({ records, stats }) {
      const diffs = recordedDiffs(records?.flows, 'deployed');
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
