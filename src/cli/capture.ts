// `fabric capture <lab> start|stop|list`: thin wrapper over src/capture. The lab's status document
// comes from its runtime, in-process (what `fabric status <lab> --json` prints), or from --status-file.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import {
  activeRuns,
  listRuns,
  parseStatus,
  runDir,
  startCapture,
  stopRun,
  type CaptureManifest,
  type CaptureStatusDoc,
} from '../capture/index.js';
import { checkLabName, checkRunId } from '../names/index.js';
import { labNameOf } from './lab-arg.js';
import { statusOf } from './status.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

async function loadStatus(lab: string, statusFile?: string): Promise<CaptureStatusDoc> {
  if (statusFile) return parseStatus(JSON.parse(await readFile(statusFile, 'utf8')));
  return statusOf(lab);
}

/**
 * The deployed lab's plan hash and tshark decode-as items, for the manifest and the merged
 * pcapng's section comment. A lab whose model cannot be read (a bare --status-file) runs without.
 */
async function planOf(lab: string): Promise<{ planHash?: string; decodeAs?: string[] }> {
  try {
    const { labModelOf } = await import('./lab-arg.js');
    const { computePlan, planHash, tsharkDecodeItems } = await import('../tagging/index.js');
    const plan = computePlan(await labModelOf(lab, { deployed: true }));
    return { planHash: planHash(plan), decodeAs: tsharkDecodeItems(plan) };
  } catch {
    return {};
  }
}

function summary(m: CaptureManifest): string {
  const lines = [
    `run ${m.runId}: ${m.totals.files} file(s), ${m.totals.packets} packet(s), ${m.totals.dropped} dropped by the capturers`,
  ];
  for (const f of m.files) {
    lines.push(
      `  ${f.file.padEnd(32)} ${String(f.packets).padStart(8)} pkts  drops ${f.dropped ?? '?'}${f.flags.length ? `  [${f.flags.join(', ')}]` : ''}`,
    );
  }
  for (const l of m.links.filter((x) => x.verdict === 'flagged')) lines.push(`  link ${l.linkId}: ${l.reason}`);
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('capture')
    .description('capture link ends of a lab into captures/<lab>/<run-id>/ (start waits until every capturer listens)')
    .argument('<lab>', 'deployed lab: name, folder or file (with -t: the action)')
    .argument('[action]', 'start | stop | list')
    .option('-t, --topo <lab>', 'the lab (instead of the first operand, which is then the action)')
    .option('--class <class>', 'only links of this class (repeatable)', collect)
    .option('--link <id>', 'only this link (repeatable)', collect)
    .option('--node <name>', 'only link ends on this node (repeatable)', collect)
    .option('--plan-hash <hash>', 'hash of the tag plan, recorded in the manifest')
    .option('--status-file <file>', 'read the status document from a file instead of `fabric status --json`')
    .option('--duration <seconds>', 'start: stop by itself after this many seconds')
    .option('--detach', 'start: leave the capturers running and return (stop them with `capture <lab> stop`)')
    .option('--no-merge', 'do not write merged.pcapng')
    .option('--snaplen <bytes>', 'tcpdump -s (default 9216)')
    .option('--run <id>', 'stop: this run (default every unfinished run of the lab)')
    .option('--json', 'print JSON')
    .action(async (first: string, second: string | undefined, o: Record<string, unknown>) => {
      const [labArg, action] = o.topo === undefined ? [first, second] : [String(o.topo), first];
      if (second !== undefined && o.topo !== undefined)
        throw new FabricError('E_USAGE', `two labs given: ${first} and --topo ${String(o.topo)}`);
      if (!action) throw new FabricError('E_USAGE', 'missing action', { hint: 'start | stop | list' });
      const lab = checkLabName(await labNameOf(labArg));
      const out = (v: unknown, text: string) =>
        process.stdout.write(o.json ? JSON.stringify(v, null, 2) + '\n' : text + '\n');
      if (action === 'list') {
        const runs = await listRuns(lab);
        out(
          runs,
          runs.length
            ? runs
                .map(
                  (r) => `${r.runId}  ${r.phase.padEnd(9)} ${r.capturers} capturer(s), ${r.running} running  ${r.dir}`,
                )
                .join('\n')
            : `no capture runs for ${lab}`,
        );
        return;
      }
      if (action === 'stop') {
        const dirs = o.run ? [runDir(lab, checkRunId(String(o.run)))] : (await activeRuns(lab)).map((r) => r.dir);
        if (!dirs.length)
          throw new FabricError('E_CAPTURE_NO_RUN', `no unfinished capture run for lab ${lab}`, {
            hint: `fabric capture ${lab} list`,
          });
        const ms: CaptureManifest[] = [];
        for (const d of dirs) ms.push(await stopRun(d));
        out(ms, ms.map(summary).join('\n'));
        return;
      }
      if (action !== 'start')
        throw new FabricError('E_USAGE', `unknown capture action ${JSON.stringify(action)}`, {
          hint: 'start | stop | list',
        });
      const status = await loadStatus(lab, o.statusFile as string | undefined);
      if (status.lab !== lab)
        throw new FabricError('E_CAPTURE_STATUS', `status document is for lab ${status.lab}, not ${lab}`);
      const snaplen = o.snaplen === undefined ? undefined : Number(o.snaplen);
      const planned = o.statusFile === undefined ? await planOf(lab) : {};
      const session = await startCapture(status, {
        decodeAs: planned.decodeAs,
        selection: {
          classes: o.class as string[] | undefined,
          links: o.link as string[] | undefined,
          nodes: o.node as string[] | undefined,
        },
        planHash: (o.planHash as string | undefined) ?? planned.planHash ?? null,
        detached: o.detach === true,
        merge: o.merge !== false,
        tcpdump: snaplen === undefined ? {} : { snaplen },
      });
      const head = `capturing ${session.capturers.length} interface(s) of ${lab} into ${session.runDir}`;
      if (o.detach) {
        out(
          { runId: session.runId, runDir: session.runDir, capturers: session.capturers },
          `${head}\nstop with: fabric capture ${lab} stop --run ${session.runId}`,
        );
        process.exit(0); // the capturers are detached and outlive us
      }
      process.stderr.write(`${head}\nall capturers listening; Ctrl-C or \`fabric capture ${lab} stop\` ends the run\n`);
      const keepAlive = setInterval(() => undefined, 1 << 30);
      if (o.duration !== undefined) {
        const s = Number(o.duration);
        if (!Number.isFinite(s) || s <= 0 || s > 86400)
          throw new FabricError('E_USAGE', `--duration ${String(o.duration)} outside 0..86400 s`);
        await new Promise((r) => setTimeout(r, s * 1000));
        const m = await session.stop();
        clearInterval(keepAlive);
        out(m, summary(m));
      }
      // Without --duration the signal handlers installed by startCapture stop, write the manifest and exit.
    });
}
