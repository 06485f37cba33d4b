// `fabric impair <lab> <link> --delay 20ms --jitter 2ms --loss 1% --rate 100mbit | --clear`:
// impairs one deployed link (or changes or clears its impairment); `--caps` prints which
// mechanism serves each parameter on this machine. The work is in src/impair/.
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { labNameOf, pickLab } from './lab-arg.js';

interface Opts {
  delay?: string;
  jitter?: string;
  loss?: string;
  rate?: string;
  duplicate?: string;
  reorder?: string;
  clear?: boolean;
  caps?: boolean;
  seed?: string;
  topo?: string;
}

export function register(program: Command): void {
  program
    .command('impair')
    .description('impair one link of a deployed lab (delay, jitter, loss, rate, duplicate, reorder), or --clear it')
    .argument('[lab]', 'lab name, lab folder or lab file')
    .argument('[link]', 'link id, <node>:<if>--<node>:<if> (fabric status lists them)')
    .option('-t, --topo <lab>', 'the lab (instead of the operand)')
    .option('--delay <d>', 'one-way delay, e.g. 20ms')
    .option('--jitter <d>', 'uniform jitter around the delay, e.g. 2ms')
    .option('--loss <p>', 'frames dropped, e.g. 1%')
    .option('--rate <r>', 'rate limit, e.g. 100mbit')
    .option('--duplicate <p>', 'frames duplicated, e.g. 0.5%')
    .option('--reorder <p>', 'frames held back behind the next one, e.g. 1%')
    .option('--seed <n>', 'seed of the relay random generator (default: derived from the link id)')
    .option('--clear', 'remove the impairment of the link')
    .option('--caps', "print this machine's mechanisms and which one serves each parameter")
    .action(async (operand: string | undefined, link: string | undefined, opts: Opts) => {
      const { clearLink, formatCaps, formatPlan, impairLink } = await import('../impair/index.js');
      const { formatImpair, IMPAIR_KEYS, parseImpair } = await import('../topology/index.js');
      if (opts.caps) {
        const { hostNet } = await import('../hostnet/index.js');
        process.stdout.write(formatCaps(await hostNet().impair.capabilities()) + '\n');
        return;
      }
      const lab = await labNameOf(pickLab(operand, opts.topo));
      if (!link)
        throw new FabricError('E_USAGE', 'name the link to impair', { hint: 'fabric status <lab> lists the link ids' });
      const raw = Object.fromEntries(IMPAIR_KEYS.filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]!]));
      if (opts.clear) {
        if (Object.keys(raw).length) throw new FabricError('E_USAGE', '--clear takes no impairment values');
        const o = await clearLink(lab, link);
        process.stdout.write(`${link}: ${o.action === 'cleared' ? 'impairment removed' : 'was not impaired'}\n`);
        return;
      }
      const { spec, problems } = parseImpair(raw);
      if (problems.length)
        throw new FabricError('E_IMPAIR_VALUE', problems.map((p) => `--${p.key}: ${p.message}`).join('\n'), {
          hint: problems[0]!.hint,
        });
      if (!Object.keys(raw).length)
        throw new FabricError(
          'E_USAGE',
          'give at least one of --delay --jitter --loss --rate --duplicate --reorder, or --clear',
        );
      const seed = opts.seed === undefined ? undefined : Number(opts.seed);
      if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff))
        throw new FabricError('E_USAGE', `--seed ${opts.seed} is not an integer in 0..4294967295`);
      const o = await impairLink(lab, link, spec, seed === undefined ? {} : { seed });
      process.stdout.write(`${link}: ${formatImpair(spec)} (${o.action}; ${o.plan ? formatPlan(o.plan) : ''})\n`);
    });
}
