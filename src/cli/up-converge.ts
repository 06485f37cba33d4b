// The converging half of `fabric up`: on a deployed lab, print the difference between what is
// deployed and the intent, then (unless --dry-run) remove what the intent dropped before the
// idempotent deploy adds what is new. A state left by a killed `up` or `down` is named first. On
// a lab whose virtual hypervisors run, the ports of guests a fail-back returned are kept, and a
// difference that would re-place them is refused.
import { readState } from '../runtime/index.js';
import type { LabModel } from '../topology/model.js';
import type { ProgressEvent } from '../runtime/types.js';

/** The model to deploy, or null when only the difference was asked for (--dry-run). */
export async function converge(
  intent: LabModel,
  runtime: string,
  dryRun: boolean,
  printStage: (ev: ProgressEvent) => void,
): Promise<LabModel | null> {
  const lc = await import('../lifecycle/index.js');
  const prev = readState(intent.name);
  if (prev && prev.phase !== 'deployed')
    process.stdout.write(
      `found lab ${intent.name} in phase ${prev.phase} (an interrupted up or down): converging it to the intent\n`,
    );
  if (!prev && !dryRun) return intent;
  const setUp = prev ? lc.guestsSetUp(intent.name) : false;
  const model = prev && setUp ? lc.keepGuestPorts(intent, prev.model) : intent;
  const d = lc.diffLab(prev?.model ?? null, model);
  process.stdout.write(lc.formatDiff(d));
  // What a failover moved is not the intent's to re-place while the guests run: refused, untouched.
  const conflict = prev ? lc.failoverConflict(d, prev.model, model, setUp) : null;
  if (dryRun) {
    if (conflict) process.stdout.write(`fabric up would refuse: ${conflict.message}\n  hint: ${conflict.hint}\n`);
    return null;
  }
  if (conflict) throw conflict;
  if (!prev || lc.isEmpty(d)) return model;
  if (prev.runtime !== 'netns' || runtime !== 'netns') {
    process.stdout.write(`runtime ${runtime}: dropped objects are removed by fabric down, not by up\n`);
    return model;
  }
  const t = performance.now();
  const r = await lc.prune(d, prev.model);
  printStage({
    stage: 'prune',
    ms: performance.now() - t,
    detail: `${r.netns.length} namespaces, ${r.bridges.length} bridges, ${r.links.length} links removed`,
  });
  return model;
}
