// `fabric up <fabric.yml|lab> [--runtime netns]`: deploy a lab, printing each stage with its
// time, then program the tags and run the smoke probe, boot the virtual hypervisors of a lab that
// declares them (and ask its customer VMs from every DC), and print a summary.
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { DEFAULT_RUNTIME, getRuntime, runtimeImpairs, runtimeNames } from '../runtime/index.js';
import type { LabState, ProgressEvent } from '../runtime/types.js';
import { pickProbe, smokeProbe } from '../runtime/smoke.js';
import { labFileOf, labOperand, loadModelFile, pickLab } from './lab-arg.js';
import { converge } from './up-converge.js';
import { upGuests } from './up-guests.js';
import { splitSummary } from './up-split.js';

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function printStage(ev: ProgressEvent): void {
  process.stdout.write(`  ${ev.stage.padEnd(12)} ${fmtMs(ev.ms).padStart(9)}  ${ev.detail ?? ''}\n`);
}

export function register(program: Command): void {
  labOperand(
    program.command('up').description('deploy a lab (netns + Open vSwitch by default); idempotent'),
    'lab file (labs/mtdc/fabric.yml), lab folder, lab name, or a model JSON from fabric generate --model',
  )
    .option('--runtime <name>', `runtime (${runtimeNames().join(', ') || DEFAULT_RUNTIME})`, DEFAULT_RUNTIME)
    .option('--no-after', 'deploy only: skip tag programming and other after-deploy stages')
    .option(
      '--no-guests',
      'on a lab with hypervisors: do not boot the virtual hypervisors (fabric failover setup later)',
    )
    .option('--dry-run', 'print the difference between the deployed lab and the intent, change nothing')
    .option(
      '--hosts <n|file>',
      'split the lab over n emulated hosts (namespaces with their own ovs-vswitchd, VXLAN between them), or over the hosts of a hosts file (as fabric generate --hosts places it)',
    )
    .action(
      async (
        operand: string | undefined,
        opts: { runtime: string; after: boolean; guests: boolean; topo?: string; dryRun?: boolean; hosts?: string },
      ) => {
        const t0 = performance.now();
        const file = labFileOf(pickLab(operand, opts.topo));
        // A number of emulated hosts, or a hosts file (read and checked before anything runs).
        const hosts =
          opts.hosts === undefined
            ? undefined
            : /^[-+]?[\d.]+$/.test(opts.hosts)
              ? Number(opts.hosts)
              : await (await import('../scaleout/index.js')).loadHosts(opts.hosts);
        const tl = performance.now();
        // Checked against this machine too (the memory its QEMU guests need), with the other load problems.
        const { machineFacts } = await import('../lifecycle/index.js');
        const machine = { ...machineFacts(), runtime: { name: opts.runtime, impairs: runtimeImpairs(opts.runtime) } };
        const model = await loadModelFile(file, { machine });
        process.stdout.write(`fabric up ${model.name} (runtime ${opts.runtime})\n`);
        printStage({
          stage: 'load',
          ms: performance.now() - tl,
          detail: `${file}: ${model.nodes.length} nodes, ${model.links.length} links`,
        });
        // A parameter this machine cannot serve is refused before anything is deployed.
        await (await import('../impair/index.js')).refuseUnservable(model);
        const target = await converge(model, opts.runtime, opts.dryRun ?? false, printStage);
        if (!target) return;
        const rt = getRuntime(opts.runtime);
        const state = await rt.deploy(target, {
          onProgress: printStage,
          ...(hosts !== undefined ? { hosts } : {}),
        });
        if (opts.after) {
          const { programLab } = await import('../tagging/index.js');
          const t = performance.now();
          const detail = await programLab(state);
          printStage({ stage: 'tags', ms: performance.now() - t, detail: detail || 'done' });
          // Traffic-ready needs programmed flows: before them only access switches forward.
          await smoke(state, rt);
          if (opts.guests) await upGuests(state, printStage);
        }
        await impairStage(state);
        process.stdout.write(summary(state, performance.now() - t0));
      },
    );
}

/** Declared link impairments, each with the mechanism serving every parameter. */
async function impairStage(state: LabState): Promise<void> {
  const { impairedLinks } = await import('../topology/index.js');
  const { applyDeclared, formatPlan, readImpairState } = await import('../impair/index.js');
  if (!impairedLinks(state.model).length && !readImpairState(state.lab).links.length) return;
  const t = performance.now();
  const out = await applyDeclared(state.lab, state.model);
  const words = out.map((o) => `${o.link}: ${o.action}${o.plan ? ` (${formatPlan(o.plan)})` : ''}`);
  printStage({ stage: 'impair', ms: performance.now() - t, detail: words.join('; ') || 'none' });
}

async function smoke(state: LabState, rt: ReturnType<typeof getRuntime>): Promise<void> {
  const pair = pickProbe(state.model);
  if (!pair) return;
  const t = performance.now();
  const ok = await smokeProbe(rt, state.model, pair);
  printStage({
    stage: 'probe',
    ms: performance.now() - t,
    detail: `ping ${pair.from} → ${pair.to} (${pair.toIp}) ${ok ? 'answered: traffic-ready' : 'NOT answered'}`,
  });
  if (!ok) {
    throw new FabricError('E_NOT_TRAFFIC_READY', `the smoke probe ${pair.from} → ${pair.toIp} was not answered`, {
      hint: `the lab is deployed; inspect it with fabric status ${state.lab}, or capture the links`,
    });
  }
}

export function summary(state: LabState, ms: number): string {
  const m = state.model;
  const count = <T extends string>(xs: T[]): string =>
    [...xs.reduce((acc, x) => acc.set(x, (acc.get(x) ?? 0) + 1), new Map<string, number>())]
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
  const ns =
    m.nodes.find((n) => n.role === 'endpoint' && n.kind === 'linux') ?? m.nodes.find((n) => n.kind === 'linux');
  return [
    '',
    `lab ${m.name} is up in ${fmtMs(ms)} (runtime ${state.runtime})`,
    `  nodes    ${m.nodes.length}: ${count(m.nodes.map((n) => n.role))}`,
    `  links    ${m.links.length}: ${count(m.links.map((l) => l.class))}`,
    ...(state.split ? splitSummary(state.split) : []),
    `  captures captures/${m.name}/`,
    `  state    ${process.env.FABRIC_STATE_DIR || '/run/fabric/labs'}/${m.name}.json`,
    'next:',
    `  fabric status ${m.name}            # nodes, namespaces, where to capture each link (--json)`,
    `  fabric plan ${m.name}              # the tag map: Tag1/Tag2 per site, DC labels, LSPs, decode hints, MTU budget`,
    `  fabric test ${m.name}              # capture every link, send traffic and canaries, judge isolation (report.html)`,
    `  fabric inspect <pcap> --decode-as <label>=pw-eth-nocw   # decode any capture, whole stack per frame`,
    ...(m.nodes.some((n) => n.role === 'hypervisor')
      ? [`  fabric failover status ${m.name}   # where each virtual hypervisor runs; trigger/failback move a site`]
      : []),
    ...(ns ? [`  ip netns exec clab-${m.name}-${ns.name} ip addr   # a shell command inside a node`] : []),
    `  fabric down ${m.name}              # remove everything this lab created`,
    '',
  ].join('\n');
}
