// Fault injection, all reversible and bounded, through the host-networking adapter:
//  - link-flap:   one end of a fabric link set down and up again, N times.
//  - vswitchd-restart: ovs-vswitchd stopped by the pid behind its pidfile and started again.
//                 Flows are gone: this lab's secure bridges drop everything until the caller's
//                 reprogram() runs (the only flows `fabric test` writes outside --mutate).
//                 Bridges of OTHER labs on the same daemon get their flows, groups and meters
//                 back exactly as dumped before the restart.
//  - node-kill:   every interface of the node set down at once (inside its namespace, or its
//                 host-side veth ends for a bridge node): the node is dead to the fabric. Undone
//                 by setting up exactly the interfaces that were up before.
// A failure half-way undoes what was done, then throws.
import { hostNet, type Ns } from '../hostnet/index.js';
import type { StatusDoc } from '../runtime/types.js';
import { linkOf, nodeEnds, nodeOf, operstate, setLink, upInterfaces } from './links.js';
import { sleep, type FaultEffect, type FaultEnv, type FaultStep } from './steps.js';
import { restoreForeign, saveForeign } from './vswitchd.js';

type Step<K extends FaultStep['kind']> = Extract<FaultStep, { kind: K }>;

async function linkFlap(status: StatusDoc, step: Step<'link-flap'>, env: FaultEnv): Promise<FaultEffect> {
  const l = linkOf(status, step.linkClasses);
  const e = l.endpoints[0];
  const [ns, ifname]: [Ns, string] = e.netns ? [e.netns, e.ifname] : [null, e.hostIf ?? e.ifname];
  const fx: FaultEffect = { target: `${l.id} (${e.node}:${ifname})`, applied: [], notApplied: [], restoredForeign: [] };
  try {
    for (let k = 0; k < step.flaps; k++) {
      await setLink(ns, ifname, 'down');
      env.note(`flap ${k + 1}/${step.flaps}: ${ifname} down`);
      const st = await operstate(ns, ifname);
      (st.startsWith('DOWN') ? fx.applied : fx.notApplied).push(`flap ${k + 1}: ${ifname} ${st}`);
      await env.during(false);
      await sleep(step.downMs);
      await setLink(ns, ifname, 'up');
      env.note(`flap ${k + 1}/${step.flaps}: ${ifname} up`);
      await env.during(false);
      await sleep(step.upMs);
    }
  } catch (err) {
    await setLink(ns, ifname, 'up').catch((e2) => env.note(`restore failed: ${String(e2)}`));
    throw err;
  }
  return fx;
}

async function vswitchdRestart(env: FaultEnv): Promise<FaultEffect> {
  const daemon = hostNet().daemon;
  const fx: FaultEffect = { target: '', applied: [], notApplied: [], restoredForeign: [] };
  const saved = await saveForeign(env.ownBridges);
  env.note(`saved flows of ${saved.length} bridge(s) of other labs`);
  try {
    const old = await daemon.stopVswitchd();
    env.note(`ovs-vswitchd pid ${old} stopped (SIGTERM)`);
    // The window with no switch at all: traffic now must die, never leak.
    await env.during(true);
    const st = await daemon.ensure();
    const now = st.ovsVswitchd.pid;
    env.note(`ovs-vswitchd started again, pid ${now}`);
    fx.target = `ovs-vswitchd pid ${old} -> ${now}`;
    (now !== null && now !== old && st.ovsVswitchd.started ? fx.applied : fx.notApplied).push(
      `daemon restarted: pid ${old} -> ${now}`,
    );
    fx.restoredForeign.push(...(await restoreForeign(saved)));
    env.note(`restored flows of ${saved.map((s) => s.bridge).join(', ') || 'no other bridge'}`);
    // The window with a daemon but no flows: secure bridges must drop everything.
    await sleep(1000);
    await env.during(true);
    const unprogrammed = await env.unprogrammed();
    (unprogrammed ? fx.applied : fx.notApplied).push(`flows gone after restart on ${unprogrammed} bridge(s)`);
    // The declared recovery step: the only flows `fabric test` writes outside --mutate.
    fx.reprogrammed = await env.reprogram();
    env.note(`re-programmed: ${fx.reprogrammed}`);
  } catch (err) {
    // Whatever happened, the daemon runs and everything is programmed again.
    await (async () => {
      await daemon.ensure();
      await env.reprogram();
      fx.restoredForeign.push(...(await restoreForeign(saved)));
    })().catch((e2) => env.note(`restore failed: ${String(e2)}`));
    throw err;
  }
  return fx;
}

async function nodeKill(status: StatusDoc, step: Step<'node-kill'>, env: FaultEnv): Promise<FaultEffect> {
  const n = nodeOf(status, step.nodes, step.roles);
  const fx: FaultEffect = { target: `node ${n.name}`, applied: [], notApplied: [], restoredForeign: [] };
  const ends: [Ns, string][] = n.netns
    ? (await upInterfaces(n.netns)).map((x): [Ns, string] => [n.netns!, x])
    : nodeEnds(status, n.name);
  const restore = async () => {
    for (const [ns, ifname] of ends) await setLink(ns, ifname, 'up');
  };
  try {
    for (const [ns, ifname] of [...ends].reverse()) await setLink(ns, ifname, 'down');
    env.note(`node ${n.name} killed: ${ends.map((e) => e[1]).join(', ')} down`);
    const states = await Promise.all(ends.map(async ([ns, ifname]) => `${ifname} ${await operstate(ns, ifname)}`));
    (states.every((s) => s.includes('admin down')) ? fx.applied : fx.notApplied).push(
      `${n.name}: ${states.join(', ')}`,
    );
    await env.during(true);
    await sleep(step.downMs);
    await env.during(false);
  } catch (err) {
    await restore().catch((e2) => env.note(`restore failed: ${String(e2)}`));
    throw err;
  }
  await restore();
  env.note(`node ${n.name} back: ${ends.map((e) => e[1]).join(', ')} up`);
  return fx;
}

/** Applies one fault and undoes it (a restart: the daemon back, flows re-programmed). */
export async function injectFault(status: StatusDoc, step: FaultStep, env: FaultEnv): Promise<FaultEffect> {
  switch (step.kind) {
    case 'link-flap':
      return linkFlap(status, step, env);
    case 'vswitchd-restart':
      return vswitchdRestart(env);
    case 'node-kill':
      return nodeKill(status, step, env);
  }
}
