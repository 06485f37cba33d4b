// One check as one mocha test: runs its judge over the probe's record, fills its CheckResult, and
// fails with a message that lists each evidence frame with a ready tshark command.
import { join } from 'node:path';
import Mocha from 'mocha';
import { tsharkFrameCommand } from '../tagging/tshark.js';
import type { CheckResult, FrameEvidence } from '../report/result.js';
import type { TestContext } from './context.js';
import type { RunFrames } from './frames.js';
import { EvidenceError, SkipCheck, type CheckDef, type Judgement } from './judge.js';
import type { ProbeRecord } from './probe.js';
import type { SuiteRecords } from './records.js';

/** What the tests read once the probe hook has run. */
export interface ProbeState {
  probe?: ProbeRecord;
  run?: RunFrames;
  records?: SuiteRecords;
}

/** Each evidence frame with its ready command (`tshark -r <run dir>/<file> -Y frame.number==N -V -d ...`). */
export function withCommands(ev: FrameEvidence[], runDir: string, decodeItems: readonly string[]): FrameEvidence[] {
  return ev.map((e) => ({ ...e, command: tsharkFrameCommand(join(runDir, e.file), e.frame, decodeItems) }));
}

/** The text failure: the judge's message, then the commands of its first ten evidence frames. */
export function evidenceText(message: string, ev: readonly FrameEvidence[]): string {
  const cmds = ev.filter((e) => e.command).slice(0, 10);
  if (!cmds.length) return message;
  return [message, '  each frame in full:', ...cmds.map((e) => `    ${e.command}`)].join('\n');
}

export function checkTest(
  c: CheckDef,
  ctx: TestContext,
  state: ProbeState,
  decodeItems: readonly string[],
  results: CheckResult[],
): Mocha.Test {
  return new Mocha.Test(c.title, async function (this: Mocha.Context) {
    const t0 = performance.now();
    const stats: Record<string, number> = {};
    const res: CheckResult = {
      suite: c.suite,
      id: c.id,
      title: c.title,
      state: 'passed',
      durationMs: 0,
      evidence: [],
      stats,
    };
    results.push(res);
    try {
      const { probe, run, records } = state;
      if (!probe || !run || !records) throw new Error('the probe did not complete');
      const j: Judgement = { ctx, probe, run, records, stats };
      await c.judge(j);
    } catch (err) {
      if (err instanceof SkipCheck) {
        res.state = 'skipped';
        res.message = err.message;
        this.skip();
      }
      res.state = 'failed';
      res.message = String((err as Error)?.message ?? err);
      if (!(err instanceof EvidenceError)) throw err;
      res.evidence = withCommands(err.evidence, state.probe?.runDir ?? '', decodeItems);
      // Mocha prints the message; a JavaScript stack says nothing about frames.
      const shown = new EvidenceError(evidenceText(res.message, res.evidence), res.evidence);
      shown.stack = shown.message;
      throw shown;
    } finally {
      res.durationMs = Math.round(performance.now() - t0);
    }
  });
}
