// `fabric up <fabric.yml|lab> [--runtime netns]`: deploy a lab, printing each stage with its
// time, then run the after-deploy stages (tag programming, smoke probe) and print a summary.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { LabModel } from '../topology/model.js';
import { FabricError } from '../errors/fabric-error.js';
import { DEFAULT_RUNTIME, getRuntime, runtimeNames } from '../runtime/index.js';
import { afterDeployHooks, registerAfterDeploy, type AfterDeployHook } from '../runtime/hooks.js';
import type { LabState, ProgressEvent } from '../runtime/types.js';
import { pickProbe, smokeProbe } from '../runtime/smoke.js';
import { labFileOf } from './lab-arg.js';

/**
 * Optional after-deploy modules: loaded when present, so `fabric up` picks up tag programming as
 * soon as src/tagging exports it. Each export takes the deployed state.
 */
export const OPTIONAL_AFTER_DEPLOY: { name: string; module: string; fn: string }[] = [
  { name: 'tags', module: '../tagging/index.js', fn: 'programLab' },
];

async function loadOptionalHooks(): Promise<void> {
  for (const o of OPTIONAL_AFTER_DEPLOY) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(new URL(o.module, import.meta.url).href)) as Record<string, unknown>;
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') continue;
      throw err;
    }
    const fn = mod[o.fn];
    if (typeof fn === 'function') {
      registerAfterDeploy({
        name: o.name,
        run: async (state: LabState) => (await (fn as (s: LabState) => Promise<unknown>)(state)) as string | void,
      });
    }
  }
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function printStage(ev: ProgressEvent): void {
  process.stdout.write(`  ${ev.stage.padEnd(12)} ${fmtMs(ev.ms).padStart(9)}  ${ev.detail ?? ''}\n`);
}

export function register(program: Command): void {
  program
    .command('up')
    .description('deploy a lab (netns + Open vSwitch by default); idempotent')
    .argument(
      '<lab>',
      'lab file (labs/mtdc/fabric.yml), lab folder, lab name, or a model JSON from fabric generate --model',
    )
    .option('--runtime <name>', `runtime (${runtimeNames().join(', ') || DEFAULT_RUNTIME})`, DEFAULT_RUNTIME)
    .option('--no-after', 'deploy only: skip tag programming and other after-deploy stages')
    .action(async (arg: string, opts: { runtime: string; after: boolean }) => {
      const t0 = performance.now();
      const file = labFileOf(arg);
      if (!file)
        throw new FabricError('E_LAB_NOT_FOUND', `no lab file at ${arg}`, {
          hint: 'give a fabric.yml path, e.g. fabric up labs/mtdc/fabric.yml',
        });
      const tl = performance.now();
      const model = await loadModel(file);
      process.stdout.write(`fabric up ${model.name} (runtime ${opts.runtime})\n`);
      printStage({
        stage: 'load',
        ms: performance.now() - tl,
        detail: `${file}: ${model.nodes.length} nodes, ${model.links.length} links`,
      });
      const rt = getRuntime(opts.runtime);
      const state = await rt.deploy(model, { onProgress: printStage });
      if (opts.after) {
        await loadOptionalHooks();
        for (const h of afterDeployHooks()) await runHook(h, state, rt);
        // Traffic-ready needs programmed flows; without an after-deploy stage only access
        // switches forward, so the cross-fabric probe would say nothing.
        if (afterDeployHooks().length) await smoke(state, rt);
      }
      process.stdout.write(summary(state, performance.now() - t0));
    });
}

/** A fabric.yml, or a resolved LabModel as JSON (`fabric generate --model`, e.g. scale labs). */
async function loadModel(file: string): Promise<LabModel> {
  if (file.endsWith('.json')) {
    const m = JSON.parse(await readFile(file, 'utf8')) as LabModel;
    if (!m || typeof m.name !== 'string' || !Array.isArray(m.nodes) || !Array.isArray(m.links)) {
      throw new FabricError('E_BAD_MODEL_FILE', `${file} is not a lab model`, {
        hint: 'write one with fabric generate --model',
      });
    }
    return m;
  }
  const { loadLab } = await import('../topology/index.js');
  return loadLab(file);
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

async function runHook(h: AfterDeployHook, state: LabState, rt: ReturnType<typeof getRuntime>): Promise<void> {
  const t = performance.now();
  const detail = await h.run(state, rt);
  printStage({ stage: h.name, ms: performance.now() - t, detail: detail || 'done' });
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
    `  captures captures/${m.name}/`,
    `  state    ${process.env.FABRIC_STATE_DIR || '/run/fabric/labs'}/${m.name}.json`,
    'next:',
    `  fabric status ${m.name}            # nodes, namespaces, where to capture each link (--json)`,
    `  fabric plan ${m.name}              # the tag map: Tag1/Tag2 per site, DC labels, LSPs, decode hints, MTU budget`,
    `  fabric test ${m.name}              # capture every link, send traffic and canaries, judge isolation (report.html)`,
    `  fabric inspect <pcap> --decode-as <label>=pw-eth-nocw   # decode any capture, whole stack per frame`,
    ...(ns ? [`  ip netns exec clab-${m.name}-${ns.name} ip addr   # a shell command inside a node`] : []),
    `  fabric down ${m.name}              # remove everything this lab created`,
    '',
  ].join('\n');
}
