// Teardown of a netns lab: what to remove (the state's objects unless another lab marks them,
// plus everything carrying this lab's marker), namespaces first, then bridges, then waiting for
// host ends to vanish. Leftovers are reported, and the state file stays until nothing is left.
import { hostNet } from '../../hostnet/index.js';
import { labAlias, netnsName } from '../../names/index.js';
import { addObjects, emptyObjects, readState, removeState, writeState } from '../state.js';
import type { DestroyOptions, DestroyReport, LabObjects, LabState, ProgressEvent } from '../types.js';
import { listNetns, listOvsBridges, listRootLinks, type Snapshot } from './system.js';
import { hostNamespacesOf } from './split-orphans.js';
import { sleep, timed } from './timed.js';

/** What `down --all` found on the machine: every namespace's links and every lab name seen. */
export interface Discovery {
  nsLinks: Map<string, Map<string, string | undefined>>;
  knownLabs: Set<string>;
  /** Each lab's emulated hosts' folders (lab → host folder names). */
  hostDirs: Map<string, string[]>;
}

/** The objects to remove for `lab`. */
export function destroyTargets(
  lab: string,
  snap: Snapshot,
  state: LabState | null,
  discovery: Discovery | null,
): LabObjects {
  const mine = labAlias(lab);
  const listed = emptyObjects();
  if (state) {
    addObjects(listed, state.planned);
    addObjects(listed, state.created);
  }
  const target = emptyObjects();
  target.bridges = [...snap.bridges]
    .filter(([n, l]) => l === lab || (l === undefined && listed.bridges.includes(n)))
    .map(([n]) => n);
  target.rootIfs = [...snap.rootLinks]
    .filter(([n, a]) => a === mine || (listed.rootIfs.includes(n) && (a === undefined || !a.startsWith(labAlias('')))))
    .map(([n]) => n);
  const nsSet = new Set(listed.netns.filter((n) => snap.netns.has(n)));
  if (discovery) {
    for (const ns of snap.netns) {
      if (!ns.startsWith(netnsName(lab, ''))) continue;
      const lo = discovery.nsLinks.get(ns)?.get('lo');
      if (lo === mine) nsSet.add(ns);
      else if (lo === undefined) {
        // Unmarked (crash before marking): take it unless a longer known lab name claims the prefix.
        const longer = [...discovery.knownLabs].some(
          (o) => o !== lab && o.startsWith(`${lab}-`) && ns.startsWith(netnsName(o, '')),
        );
        if (!longer) nsSet.add(ns);
      }
    }
    const dirs = discovery.hostDirs.get(lab) ?? [];
    for (const ns of hostNamespacesOf(lab, snap.netns, discovery.nsLinks, discovery.knownLabs, dirs)) nsSet.add(ns);
  }
  target.netns = [...nsSet];
  return target;
}

/**
 * Host ends whose peers lived in a deleted namespace vanish asynchronously: poll, and delete
 * what is still there once the namespaces are gone (or half the time is up).
 */
async function settle(target: LabObjects, settleMs: number): Promise<LabObjects> {
  const end = Date.now() + settleMs;
  let deleted = false;
  for (;;) {
    const [links, netns] = await Promise.all([listRootLinks(), listNetns()]);
    const left: LabObjects = {
      netns: target.netns.filter((n) => netns.has(n)),
      rootIfs: target.rootIfs.filter((n) => links.has(n)),
      bridges: [],
    };
    if (!left.netns.length && !left.rootIfs.length) return left;
    if (Date.now() > end) return left;
    if (!deleted && (!left.netns.length || Date.now() > end - settleMs / 2)) {
      await hostNet().ip.batch(
        left.rootIfs.map((n) => `link del ${n}`),
        { force: true },
      );
      deleted = true;
      continue;
    }
    await sleep(100);
  }
}

/** Removes one lab; `removeNodes` is the runtime's way of removing node namespaces. */
export async function destroyLab(
  lab: string,
  snap: Snapshot,
  discovery: Discovery | null,
  opts: DestroyOptions,
  nodes: { stage: string; remove: (lab: string, netns: string[]) => Promise<void> },
): Promise<DestroyReport> {
  const stages: ProgressEvent[] = [];
  const p = opts.onProgress;
  const state = readState(lab);
  if (state) {
    state.phase = 'destroying';
    writeState(state);
  }
  const target = destroyTargets(lab, snap, state, discovery);
  // Namespaces first: the kernel tears down their veths (and the peers on the host) in one
  // batch, far cheaper than deleting veths one by one.
  await timed(
    stages,
    nodes.stage,
    () => nodes.remove(lab, target.netns),
    () => `${target.netns.length} namespaces`,
    p,
  );
  await timed(
    stages,
    'ovs',
    () => hostNet().ovs.delBridges(target.bridges),
    () => `${target.bridges.length} bridges`,
    p,
  );
  const leftover = await timed(
    stages,
    'settle',
    () => settle(target, opts.settleTimeoutMs ?? 120_000),
    (l) =>
      l.netns.length || l.rootIfs.length
        ? `${l.netns.length} namespaces, ${l.rootIfs.length} interfaces still present`
        : `${target.rootIfs.length} host interfaces gone`,
    p,
  );
  // A split lab's bridges were in its hosts' databases, which went with their daemons.
  leftover.bridges = state?.split ? [] : [...(await listOvsBridges())].filter(([, l]) => l === lab).map(([n]) => n);
  const clean = !leftover.netns.length && !leftover.rootIfs.length && !leftover.bridges.length;
  if (clean) removeState(lab);
  return { lab, removed: target, leftover, stages };
}
