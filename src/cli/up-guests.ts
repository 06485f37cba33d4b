// The guests stage of `fabric up` on a lab with hypervisors: the guest image (built on first use,
// with its time), the virtual hypervisors booted, mirrors staged, pools paused and tags programmed
// (the failover setup), then every customer VM asked from a client of its tenant in every DC.
// A re-up of a lab whose guests all run leaves them as they are.
import { FabricError } from '../errors/fabric-error.js';
import type { LabState, ProgressEvent } from '../runtime/types.js';

type Say = (ev: ProgressEvent) => void;

async function timed<T>(say: Say, stage: string, fn: () => Promise<T>, detail: (x: T) => string): Promise<T> {
  const t = performance.now();
  const x = await fn();
  say({ stage, ms: performance.now() - t, detail: detail(x) });
  return x;
}

/** True when the lab has a failover state whose every QEMU guest is alive. */
async function guestsRunning(lab: string): Promise<boolean | null> {
  const { readFailoverState } = await import('../failover/index.js');
  const { runDirPid } = await import('../vm/index.js');
  const fs = readFailoverState(lab);
  if (!fs) return null;
  return Object.values(fs.guests).every((g) => runDirPid(g.spec.runDir) !== undefined);
}

export async function upGuests(state: LabState, say: Say): Promise<void> {
  const f = await import('../failover/index.js');
  if (!f.layoutOf(state.model).vms.length) return;
  const lab = state.lab;
  try {
    const running = await guestsRunning(lab);
    if (running) say({ stage: 'guests', ms: 0, detail: 'virtual hypervisors already running' });
    else {
      if (running === false) await f.teardownFailover(lab);
      const { ensureGuestImage } = await import('../vm/index.js');
      let built = false;
      await timed(
        say,
        'guest image',
        () => ensureGuestImage({ log: () => (built = true) }),
        (img) => `${built ? 'built' : 'cached'}: ${img.kernel}`,
      );
      const notes: string[] = [];
      await timed(
        say,
        'guests',
        () => f.setupFailover(lab, { onProgress: (m) => notes.push(m) }),
        (s) => `${Object.keys(s.guests).length} virtual hypervisors (${s.accel}); ${notes.join('; ')}`,
      );
    }
    await askVms(state, say);
  } finally {
    f.releaseHandles();
  }
}

/** Every customer VM pinged from a client of its tenant in every DC; the lab stays up either way. */
async function askVms(state: LabState, say: Say): Promise<void> {
  const { observeFailover } = await import('../failover/observe.js');
  const { loadContext } = await import('../conformance/context.js');
  const ctx = await loadContext(state.lab);
  const o = await timed(
    say,
    'vms',
    () =>
      observeFailover(
        state.model,
        ctx.systems.map((s) => ({ ...s, node: s.node.name })),
      ),
    (x) => {
      const dcs = [...new Set(x.asks.map((a) => a.dc))].sort();
      const vms = new Set(x.asks.map((a) => `${a.site}/${a.system}`));
      return `${x.asks.filter((a) => a.answered).length}/${x.asks.length} answered: ${[...vms].join(', ')} from ${dcs.join(', ')}`;
    },
  );
  const bad = o.asks.filter((a) => !a.answered);
  if (bad.length || !o.asks.length)
    throw new FabricError(
      'E_VMS_NOT_ANSWERING',
      bad.length
        ? `no answer: ${bad.map((a) => `${a.from} (${a.dc}) → ${a.site}/${a.system} ${a.ip}`).join(', ')}`
        : 'no client of a hosted tenant to ask from',
      { hint: `the lab and its guests stay up: fabric failover status ${state.lab}, fabric test ${state.lab}` },
    );
}
