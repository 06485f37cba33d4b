// `fabric failover <lab> --trigger failure|maintenance|capacity --host <node>` and its companions
// (--setup, --failback, --status, --teardown). Thin: the engine is src/failover/.
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { labNameOf, labOperand, pickLab } from './lab-arg.js';

export function register(program: Command): void {
  labOperand(
    program
      .command('failover')
      .description(
        'nested-hypervisor failover: --setup, --trigger T --host H, --failback, --status, --teardown (docs/failover.md)',
      ),
    'deployed lab: name, folder or file, e.g. failover',
  )
    .option('--setup', 'boot the virtual hypervisors (customer + paused pool) and program the tags')
    .option('--trigger <kind>', 'failure | maintenance | capacity')
    .option('--host <node>', 'the physical hypervisor the trigger is about')
    .option('--probe <seconds>', 'run a 1000 pps ping per tenant flow around the failover and report loss', '0')
    .option('--failback', "move the site back to its home hypervisor, C1's VM back to the pool, evacuees back to C1")
    .option('--status', 'where each virtual hypervisor runs')
    .option('--teardown', 'stop every virtual hypervisor (QEMU by PID), remove taps and run directories')
    .option('--json', 'JSON output')
    .action(
      async (
        operand: string | undefined,
        o: {
          topo?: string;
          setup?: boolean;
          trigger?: string;
          host?: string;
          probe: string;
          failback?: boolean;
          status?: boolean;
          teardown?: boolean;
          json?: boolean;
        },
      ) => {
        const lab = await labNameOf(pickLab(operand, o.topo));
        const f = await import('../failover/index.js');
        const out = (x: unknown, text: string) =>
          process.stdout.write(o.json ? JSON.stringify(x, null, 1) + '\n' : text);
        const log = (s: { step: string; ms: number; detail?: string }) => {
          if (!o.json)
            process.stdout.write(
              `  ${s.step.padEnd(10)} ${Math.round(s.ms).toString().padStart(6)} ms  ${s.detail ?? ''}\n`,
            );
        };
        try {
          if (o.setup) {
            const s = await f.setupFailover(lab, {
              onProgress: (m) => {
                if (!o.json) process.stdout.write(`  ${m}\n`);
              },
            });
            out(s, `virtual hypervisors up on ${lab}: ${Object.keys(s.guests).join(', ')} (${s.accel})\n`);
          } else if (o.trigger || o.host) {
            if (!o.trigger || !f.TRIGGERS.includes(o.trigger as never))
              throw new FabricError('E_FAILOVER_TRIGGER', `--trigger must be one of ${f.TRIGGERS.join(', ')}`);
            if (!o.host) throw new FabricError('E_FAILOVER_HOST', '--host <node> is required');
            const seconds = Number(o.probe);
            const tl =
              seconds > 0
                ? await f.failoverWithProbe(
                    lab,
                    { trigger: o.trigger as never, host: o.host, onStep: log },
                    { seconds },
                  )
                : await f.runFailover(lab, { trigger: o.trigger as never, host: o.host, onStep: log });
            out(tl, f.formatTimeline(tl));
          } else if (o.failback) {
            const tl =
              Number(o.probe) > 0
                ? await f.failbackWithProbe(lab, { seconds: Number(o.probe) }, log)
                : await f.runFailback(lab, { onStep: log });
            out(tl, f.formatTimeline(tl));
          } else if (o.status) {
            const s = await f.failoverStatus(lab);
            out(
              s,
              s
                .map(
                  (v) =>
                    `${v.vm.padEnd(10)} on ${v.hypervisor.padEnd(6)} ${v.state.padEnd(9)} ${v.qemu.startsWith('host') ? v.qemu : `qemu ${v.qemu}`}${v.pid ? ` (pid ${v.pid})` : ''} ${v.qemu.startsWith('host') ? 'port' : 'tap'} ${v.tap}`,
                )
                .join('\n') + '\n',
            );
          } else if (o.teardown) {
            const done = await f.teardownFailover(lab);
            out(done, `stopped ${done.length} virtual hypervisors${done.length ? `: ${done.join(', ')}` : ''}\n`);
          } else {
            throw new FabricError(
              'E_FAILOVER_USAGE',
              'say what to do: --setup, --trigger T --host H, --failback, --status or --teardown',
            );
          }
        } finally {
          f.releaseHandles();
        }
      },
    );
}
