// The `fabric inspect` command a user runs, on the decode bench's 1M-frame file of mixed tag
// stacks (plain, 802.1Q, QinQ, MPLS pseudowires, VXLAN) and its first 100k frames: --stats, text
// and --json, as a child process writing to /dev/null. The rate is the marginal one, start-up
// excluded: 900k / (t(1M) - t(100k)), in wall time and in CPU time (the machine is shared, so
// wall time can include waiting for a core; our CPU time is the child's own getrusage, the
// tools' from /proc). Side by side, in the same run and on the same files: tshark -T fields
// (tag fields) and tcpdump -e -nn.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { input, prefix } from './decode.js';
import type { BenchContext, BenchFigure, BenchModule } from './run.js';

/**
 * Runs per measurement (the best counts). Ours get more: on a busy machine their start-up CPU
 * varies by about ±50 ms, which is a third of the --stats difference.
 */
const RUNS = 3;
const OUR_RUNS = 5;
const BIG = 1_000_000;
const SMALL = 100_000;
const TARGETS: Record<string, number> = { stats: 5, text: 1, json: 0.7 };

/** CPU seconds used by waited-for children of this process (utime + stime of children). */
function childCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

/** The machine's load when a figure was taken: on a shared machine wall time mostly measures the neighbours. */
const load = () =>
  `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs${loadavg()[0]! > availableParallelism() ? ' (shared, loaded: per CPU-second is the figure to trust)' : ''}`;

/**
 * Preload for node children: the child reports its own CPU time (getrusage, microseconds, all
 * its threads) on stderr as it exits. The children's times in /proc count 10 ms ticks, which
 * is a fifth of the 1M - 100k difference of --stats.
 */
const CPU_PRELOAD =
  'data:text/javascript,' +
  encodeURIComponent(
    `process.on('exit', () => { const c = process.cpuUsage(); process.stderr.write('\\nfabric-bench-cpu ' + (c.user + c.system) + '\\n'); });`,
  );
const CPU_LINE = /\nfabric-bench-cpu (\d+)\n?$/;

/** Best of RUNS (OUR_RUNS for ours): [wall seconds, CPU seconds]. */
async function time(cmd: string, args: string[]): Promise<[number, number]> {
  const node = cmd === 'node';
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < (node ? OUR_RUNS : RUNS); i++) {
    const c0 = childCpu();
    const t0 = performance.now();
    const r = await execa(cmd, node ? ['--import', CPU_PRELOAD, ...args] : args, {
      stdout: 'ignore',
      stderr: 'pipe',
      reject: false,
      stripFinalNewline: false,
    });
    const w = (performance.now() - t0) / 1000;
    if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.exitCode}): ${r.stderr}`);
    const own = node ? CPU_LINE.exec(r.stderr) : null;
    if (node && own === null) throw new Error(`${cmd} ${args.join(' ')} did not report its CPU time: ${r.stderr}`);
    wall = Math.min(wall, w);
    cpu = Math.min(cpu, own ? Number(own[1]) / 1e6 : childCpu() - c0);
  }
  return [wall, cpu];
}

async function marginal(
  ctx: BenchContext,
  label: string,
  cmd: string,
  args: (file: string) => string[],
  small: string,
  big: string,
): Promise<{ wall: number; cpu: number; small: [number, number]; big: [number, number] }> {
  const s = await time(cmd, args(small));
  const b = await time(cmd, args(big));
  const n = BIG - SMALL;
  const wall = n / (b[0] - s[0]) / 1e6;
  const cpu = n / (b[1] - s[1]) / 1e6;
  ctx.log(
    `  ${label}: t(100k) ${s[0].toFixed(2)} s, t(1M) ${b[0].toFixed(2)} s wall -> ${wall.toFixed(3)} Mpps marginal; CPU ${s[1].toFixed(2)} / ${b[1].toFixed(2)} s -> ${cpu.toFixed(3)} Mpps per CPU-second`,
  );
  return { wall, cpu, small: s, big: b };
}

export const bench: BenchModule = {
  name: 'inspect-cli',
  description: 'fabric inspect --stats / text / --json on 1M mixed-stack frames, marginal rate, vs tshark and tcpdump',
  async run(ctx) {
    const big = await input(ctx, BIG);
    const small = await prefix(ctx, big, SMALL);
    const fabric = join(process.cwd(), 'bin', 'fabric.js');
    const figures: BenchFigure[] = [];
    const modes: [string, string[]][] = [
      ['stats', ['--stats']],
      ['text', []],
      ['json', ['--json']],
    ];
    for (const [mode, flags] of modes) {
      const m = await marginal(
        ctx,
        `fabric inspect ${flags.join(' ') || '(text)'}`,
        'node',
        (f) => [fabric, 'inspect', ...flags, f],
        small,
        big,
      );
      const target = TARGETS[mode]!;
      figures.push({
        name: `ours: inspect ${mode}, marginal (wall)`,
        value: m.wall,
        unit: 'Mpps',
        note: `target >= ${target}; t(100k) ${m.small[0].toFixed(2)} s, t(1M) ${m.big[0].toFixed(2)} s, best of ${OUR_RUNS}`,
      });
      figures.push({
        name: `ours: inspect ${mode}, marginal per CPU-second`,
        value: m.cpu,
        unit: 'Mpps',
        note: `target >= ${target}; CPU ${m.small[1].toFixed(3)} / ${m.big[1].toFixed(3)} s; ${load()}`,
      });
    }
    const tdump = await marginal(ctx, 'tcpdump -e -nn', 'tcpdump', (f) => ['-e', '-nn', '-r', f], small, big);
    figures.push({ name: 'tcpdump -e -nn, marginal (wall)', value: tdump.wall, unit: 'Mpps' });
    figures.push({ name: 'tcpdump -e -nn, marginal per CPU-second', value: tdump.cpu, unit: 'Mpps', note: load() });
    // tshark decodes well under 0.1 Mpps here: its figure is the plain rate over the 100k file.
    const fields = [
      'frame.number',
      'eth.src',
      'vlan.id',
      'ieee8021ad.id',
      'mpls.label',
      'vxlan.vni',
      'ip.src',
      'ip.dst',
    ];
    const [tw, tc] = await time('tshark', ['-n', '-r', small, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])]);
    ctx.log(`  tshark -T fields: ${SMALL} frames in ${tw.toFixed(2)} s wall, ${tc.toFixed(2)} s CPU`);
    figures.push({ name: 'tshark -T fields (100k frames, start-up included)', value: SMALL / tw / 1e6, unit: 'Mpps' });
    figures.push({ name: 'tshark -T fields, per CPU-second', value: SMALL / tc / 1e6, unit: 'Mpps' });
    return figures;
  },
};
