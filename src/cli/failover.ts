// `fabric failover <action> <lab>`: setup, trigger, failback, status, teardown as subcommands, and
// the older flag form `fabric failover <lab> --setup | --trigger T --host H | --failback | --status
// | --teardown` kept as aliases of the same actions. Thin: the engine is src/failover/.
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { labNameOf, labOperand, pickLab } from './lab-arg.js';

interface Common {
  topo?: string;
  json?: boolean;
}
interface TriggerOpts extends Common {
  kind?: string;
  host?: string;
  probe?: string;
}

type Engine = typeof import('../failover/index.js');
type Step = { step: string; ms: number; detail?: string };

function out(o: Common, x: unknown, text: string): void {
  process.stdout.write(o.json ? JSON.stringify(x, null, 1) + '\n' : text);
}

function stepLog(o: Common): (s: Step) => void {
  return (s) => {
    if (!o.json)
      process.stdout.write(`  ${s.step.padEnd(10)} ${Math.round(s.ms).toString().padStart(6)} ms  ${s.detail ?? ''}\n`);
  };
}

/** The five actions, each with the failover engine loaded and released around it. */
const ACTIONS = {
  async setup(f: Engine, lab: string, o: Common) {
    const s = await f.setupFailover(lab, {
      onProgress: (m) => {
        if (!o.json) process.stdout.write(`  ${m}\n`);
      },
    });
    out(o, s, `virtual hypervisors up on ${lab}: ${Object.keys(s.guests).join(', ')} (${s.accel})\n`);
  },
  async trigger(f: Engine, lab: string, o: TriggerOpts) {
    if (!o.kind || !f.TRIGGERS.includes(o.kind as never))
      throw new FabricError('E_FAILOVER_TRIGGER', `the trigger kind must be one of ${f.TRIGGERS.join(', ')}`);
    if (!o.host) throw new FabricError('E_FAILOVER_HOST', '--host <node> is required');
    const seconds = Number(o.probe ?? 0);
    const req = { trigger: o.kind as never, host: o.host, onStep: stepLog(o) };
    const tl = seconds > 0 ? await f.failoverWithProbe(lab, req, { seconds }) : await f.runFailover(lab, req);
    out(o, tl, f.formatTimeline(tl));
  },
  async failback(f: Engine, lab: string, o: Common & { probe?: string }) {
    const tl =
      Number(o.probe ?? 0) > 0
        ? await f.failbackWithProbe(lab, { seconds: Number(o.probe) }, stepLog(o))
        : await f.runFailback(lab, { onStep: stepLog(o) });
    out(o, tl, f.formatTimeline(tl));
  },
  async status(f: Engine, lab: string, o: Common) {
    const s = await f.failoverStatus(lab);
    const line = (v: (typeof s)[number]) => {
      const host = v.qemu.startsWith('host');
      return `${v.vm.padEnd(10)} on ${v.hypervisor.padEnd(6)} ${v.state.padEnd(9)} ${host ? v.qemu : `qemu ${v.qemu}`}${v.pid ? ` (pid ${v.pid})` : ''} ${host ? 'port' : 'tap'} ${v.tap}`;
    };
    out(o, s, s.map(line).join('\n') + '\n');
  },
  async teardown(f: Engine, lab: string, o: Common) {
    const done = await f.teardownFailover(lab);
    out(o, done, `stopped ${done.length} virtual hypervisors${done.length ? `: ${done.join(', ')}` : ''}\n`);
  },
} as const;
type ActionName = keyof typeof ACTIONS;

async function runAction(name: ActionName, operand: string | undefined, o: TriggerOpts): Promise<void> {
  const lab = await labNameOf(pickLab(operand, o.topo));
  const f = await import('../failover/index.js');
  try {
    await ACTIONS[name](f, lab, o);
  } finally {
    f.releaseHandles();
  }
}

const DESCRIPTIONS: Record<ActionName, string> = {
  setup: 'boot the virtual hypervisors (customer + paused pool) and program the tags',
  trigger: 'move the site off a physical hypervisor: --kind failure|maintenance|capacity --host <node>',
  failback: "move the site back to its home hypervisor, C1's VM back to the pool, evacuees back to C1",
  status: 'where each virtual hypervisor runs',
  teardown: 'stop every virtual hypervisor (QEMU by PID), remove taps and run directories',
};
const PROBE = 'run a 1000 pps ping per tenant flow around the move and report loss';

function subcommands(failover: Command): void {
  for (const name of Object.keys(ACTIONS) as ActionName[]) {
    const sub = labOperand(failover.command(name).description(DESCRIPTIONS[name]), 'deployed lab, e.g. failover');
    if (name === 'trigger')
      sub
        .option('--kind <kind>', 'failure | maintenance | capacity')
        .option('--host <node>', 'the physical hypervisor the trigger is about');
    if (name === 'trigger' || name === 'failback') sub.option('--probe <seconds>', PROBE, '0');
    sub
      .option('--json', 'JSON output')
      .action((operand: string | undefined, o: TriggerOpts) => runAction(name, operand, o));
  }
}

/** The flag form: which action its flags name. */
function legacyAction(o: Record<string, unknown>): ActionName {
  if (o.setup) return 'setup';
  if (o.trigger || o.host) return 'trigger';
  if (o.failback) return 'failback';
  if (o.status) return 'status';
  if (o.teardown) return 'teardown';
  throw new FabricError('E_FAILOVER_USAGE', 'say what to do: setup, trigger, failback, status or teardown', {
    hint: 'fabric failover setup <lab>; fabric failover trigger <lab> --kind failure --host <node>',
  });
}

export function register(program: Command): void {
  const failover = labOperand(
    program
      .command('failover')
      .description('nested-hypervisor failover: setup, trigger, failback, status, teardown (docs/failover.md)')
      // The flag form's options must not swallow a subcommand's own --json/--host/--probe.
      .enablePositionalOptions(),
    'with the flag form: the deployed lab',
  )
    .option('--setup', 'alias of: failover setup <lab>')
    .option('--trigger <kind>', 'alias of: failover trigger <lab> --kind <kind>')
    .option('--host <node>', 'with --trigger: the physical hypervisor')
    .option('--probe <seconds>', PROBE, '0')
    .option('--failback', 'alias of: failover failback <lab>')
    .option('--status', 'alias of: failover status <lab>')
    .option('--teardown', 'alias of: failover teardown <lab>')
    .option('--json', 'JSON output');
  subcommands(failover);
  failover.action((operand: string | undefined, o: TriggerOpts & Record<string, unknown>) =>
    runAction(legacyAction(o), operand, { ...o, kind: o.trigger as string | undefined }),
  );
}
