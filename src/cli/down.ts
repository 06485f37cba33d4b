// `fabric down <lab> | --all`: remove everything a lab created (state file + lab markers), and
// with --all the leftovers of labs whose state file is gone.
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { DEFAULT_RUNTIME, getRuntime, readState, runtimeNames } from '../runtime/index.js';
import type { DestroyReport } from '../runtime/types.js';
import type { GuestReport } from '../lifecycle/index.js';
import { labNameOf, pickLab } from './lab-arg.js';
import { fmtMs, printStage } from './up.js';

export function register(program: Command): void {
  program
    .command('down')
    .description('remove a deployed lab (namespaces, veths, OVS bridges); --all removes every fabric lab')
    .argument('[lab]', 'lab name, lab folder or lab file')
    .option('-t, --topo <lab>', 'the lab (instead of the operand): lab name, lab folder or lab file')
    .option('--all', 'remove every fabric lab on this machine, including leftovers without a state file')
    .option('--prefix <p>', 'with --all: only labs whose name starts with p')
    .option('--runtime <name>', 'runtime (default: the one in the state file)')
    .action(
      async (
        operand: string | undefined,
        opts: { all?: boolean; runtime?: string; prefix?: string; topo?: string },
      ) => {
        const arg = operand ?? opts.topo;
        const { labsWithGuests, stopLabGuests } = await import('../lifecycle/index.js');
        const t0 = performance.now();
        if (opts.all) {
          if (arg) throw new FabricError('E_USAGE', 'give either a lab or --all');
          const filter = opts.prefix ? { labFilter: (l: string) => l.startsWith(opts.prefix!) } : {};
          // Without --runtime: netns, plus docker (containerlab's containers are docker's too) only if
          // its engine already answers: down must never start an engine, nor hang on one that is gone.
          const names = opts.runtime
            ? [opts.runtime]
            : [DEFAULT_RUNTIME, ...runtimeNames().filter((n) => n === 'docker')];
          const reports: DestroyReport[] = [];
          // Guests first: their taps are named after the model, which the state file still holds.
          const guestLabs = new Set([...labsWithGuests(), ...(await getRuntime(DEFAULT_RUNTIME).list())]);
          const stopped: GuestReport[] = [];
          for (const l of [...guestLabs].filter((x) => !opts.prefix || x.startsWith(opts.prefix)))
            stopped.push(await stopLabGuests(l));
          for (const g of stopped) reportGuests(g);
          const { stopImpairments } = await import('../impair/index.js');
          for (const l of [...guestLabs].filter((x) => !opts.prefix || x.startsWith(opts.prefix)))
            await stopImpairments(l);
          for (const name of names)
            reports.push(
              ...(await getRuntime(name).destroyAll({
                onProgress: printStage,
                ...filter,
                onlyIfRunning: !opts.runtime,
              })),
            );
          for (const r of reports) report(r);
          if (!reports.length && !stopped.length) process.stdout.write('no fabric labs found\n');
          finish(reports, t0, stopped);
          return;
        }
        const lab = await labNameOf(pickLab(operand, opts.topo));
        const state = readState(lab);
        // An attached lab's nodes are containerlab's: down gives it back as detach does.
        if (state?.runtime === 'attached' && !opts.runtime) return (await import('./attach.js')).detach(lab);
        const rt = getRuntime(opts.runtime ?? state?.runtime ?? DEFAULT_RUNTIME);
        process.stdout.write(`fabric down ${lab} (runtime ${rt.name})\n`);
        const g = await stopLabGuests(lab);
        reportGuests(g);
        const { stopImpairments } = await import('../impair/index.js');
        const relays = await stopImpairments(lab);
        if (relays) process.stdout.write(`lab ${lab}: stopped ${relays} impairment relays\n`);
        const r = await rt.destroy(lab, { onProgress: printStage });
        report(r);
        finish([r], t0, [g]);
      },
    );
}

function report(r: DestroyReport): void {
  const n = r.removed;
  process.stdout.write(
    `lab ${r.lab}: removed ${n.netns.length} namespaces, ${n.bridges.length} OVS bridges, ${n.rootIfs.length} host interfaces\n`,
  );
}

function reportGuests(g: GuestReport): void {
  if (!g.qemu.length && !g.taps.length && !g.captures.length && !g.runDirs.length) return;
  process.stdout.write(
    `lab ${g.lab}: stopped ${g.qemu.length} QEMU guests, ${g.captures.length} capture runs; removed ${g.taps.length} taps, ${g.runDirs.length} run directories\n`,
  );
}

function finish(reports: DestroyReport[], t0: number, guests: GuestReport[]): void {
  const left = reports.filter((r) => r.leftover.netns.length || r.leftover.rootIfs.length || r.leftover.bridges.length);
  const what = [
    ...left.map((r) => `${r.lab}: ${[...r.leftover.netns, ...r.leftover.rootIfs, ...r.leftover.bridges].join(' ')}`),
    ...guests.filter((g) => g.leftover.length).map((g) => `${g.lab}: QEMU still running in ${g.leftover.join(' ')}`),
  ].join('\n');
  if (what) {
    throw new FabricError('E_TEARDOWN_INCOMPLETE', `some objects are still present:\n${what}`, {
      hint: 'run fabric down again; the state file is kept until everything is gone',
    });
  }
  process.stdout.write(`done in ${fmtMs(performance.now() - t0)}\n`);
}
