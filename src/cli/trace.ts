// `fabric trace <run-dir> --contains TEXT | --frame FILE:N`: thin verb over src/trace.
import type { Command } from 'commander';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function register(program: Command): void {
  program
    .command('trace')
    .description('follow one frame across the captured hops of a run, in path order, showing how its tag stack changes')
    .argument('<run-dir>', 'capture run folder (captures/<lab>/<run-id>/, with manifest.json)')
    .option('--contains <text>', 'the earliest frame containing this marker (text, or 0x-prefixed hex)')
    .option('--frame <file:n>', 'this frame: a capture file of the run and its 1-based frame number')
    .option(
      '--decode-as <spec>',
      'pseudowire payload, on top of the run plan.json decode hints: KIND or LABEL=KIND (repeatable)',
      collect,
    )
    .option('--json', 'the trace as JSON')
    .option('--color', 'colour the changes (default: when stdout is a terminal)')
    .option('--no-color', 'never colour')
    .action(
      async (
        dir: string,
        o: { contains?: string; frame?: string; decodeAs?: string[]; json?: boolean; color?: boolean },
      ) => {
        const { traceFrame, formatTrace, traceJson } = await import('../trace/index.js');
        const t = await traceFrame(dir, { contains: o.contains, frame: o.frame, decodeAs: o.decodeAs });
        const color = o.color ?? process.stdout.isTTY === true;
        process.stdout.write(o.json ? traceJson(t) : formatTrace(t, { color }));
      },
    );
}
