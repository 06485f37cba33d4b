// Failover and fail-back: which carriers take part, then the shared timeline (switchover.ts).
import { FabricError } from '../errors/fabric-error.js';
import { computePlan, liveOfports, renderPrograms } from '../tagging/index.js';
import { carrierOf } from './carrier.js';
import { deployed, needState } from './handles.js';
import { chooseTarget, layoutOf, moveSite, setVmState, siteSystems } from './layout.js';
import { planRetag } from './retag.js';
import { takeLock } from './store.js';
import type { LabModel } from '../topology/model.js';
import { runSwitchover, stepper } from './switchover.js';
import type { StepRecord, Timeline, Trigger } from './timeline.js';

export interface FailoverOptions {
  trigger: Trigger;
  host: string;
  /** Called right after detection (probes start before the trigger, so this is only for logs). */
  onStep?: (s: StepRecord) => void;
}

/** Runs one failover. The lock refuses a second trigger while this one runs. */
export async function runFailover(lab: string, o: FailoverOptions): Promise<Timeline> {
  const lock = takeLock(lab, `failover ${o.trigger} ${o.host}`);
  try {
    const st = deployed(lab);
    const fs = needState(lab);
    const model = st.model;
    const target = chooseTarget(layoutOf(model), o.host);
    const systems = siteSystems(model, target.site);
    // Armed before the trigger takes effect: the current program, the fabric's port numbers (a
    // host failure does not renumber them) and QMP handles. Detection is the failure instant.
    const before = renderPrograms(model, computePlan(model));
    const ports = await liveOfports();
    const source = await carrierOf(lab, fs, target.sourceVm);
    const vm = await carrierOf(lab, fs, target.activate);
    const vmMac = await vm.vtepMac();
    const failure = o.trigger === 'failure';
    const edit = (m: LabModel) => {
      moveSite(m, target.site, o.host, target.c1.name);
      setVmState(m, target.activate.name, 'active');
      setVmState(m, target.sourceVm.name, failure ? 'failed' : 'inactive');
    };
    // The decision is made while armed: which copy takes the site, and the flow deltas that move it.
    const planned = planRetag(model, before, edit);
    const clock = stepper(o.onStep);
    // A failed host stops at once (simulated: its guest is frozen, RAM kept for fail-back).
    if (failure)
      await clock.step(
        'fail-host',
        () => source.pause(),
        () => `${target.sourceVm.name} on ${o.host} frozen (simulated host failure)`,
      );
    return await runSwitchover({
      lab,
      st,
      fs,
      clock,
      site: target.site,
      systems,
      before,
      ports,
      to: { carrier: vm, vm: target.activate.name, hv: target.c1.name, mac: vmMac },
      // The mirror's customer VMs are attached already: once the guest runs they answer, and the
      // DC switch delivers to them as soon as the re-tag lands. On a planned trigger the old copy
      // answers until then (make-before-break without waiting for the guest).
      activate: { run: () => vm.cont(), detail: `${target.activate.name} on ${target.c1.name} resumed` },
      edit,
      planned,
      // Back to the state before the trigger: the activated VM paused again (a mirror stays
      // staged), the failed host resumed.
      undo: async () => {
        await vm.pause().catch(() => {});
        if (failure) await source.cont().catch(() => {});
      },
      // What the old copy learned since it was staged, when it is still alive (planned triggers).
      carried: async () => (failure ? [] : await source.neighbours(systems).catch(() => [])),
      moveDetail: () =>
        `${systems.map((s) => `${s.name} ${s.ip} ${s.mac} VLAN ${s.vlan}`).join('; ')} re-asserted and announced in ${target.activate.name}`,
      // Planned triggers: the old copy goes only after traffic moved. It stays staged (a mirror of
      // the site at home), so fail-back is a resume.
      release: failure ? null : { run: () => source.pause(), detail: `${target.sourceVm.name} on ${o.host} paused` },
      migrations: () =>
        target.c2
          ? target.evacuate.map((e) => ({
              vm: e.name,
              to: target.c2!.name,
              step: 'evacuate',
              detail: (r) => `${r.vm} ${r.from} → ${r.to}: downtime ${r.downtimeMs} ms, total ${r.totalTimeMs} ms`,
            }))
          : [],
      timeline: { action: 'failover', trigger: o.trigger, host: o.host },
    });
  } finally {
    lock.release();
  }
}

/** Fail-back: the site returns to its home hypervisor, C1's VM back to the pool, evacuees back to C1. */
export async function runFailback(lab: string, opts: { onStep?: (s: StepRecord) => void } = {}): Promise<Timeline> {
  const lock = takeLock(lab, 'failback');
  try {
    const st = deployed(lab);
    const fs = needState(lab);
    const model = st.model;
    const layout = layoutOf(model);
    const moved = Object.entries(fs.home).find(
      ([site, home]) => layout.hypervisors.find((h) => h.site === site)?.name !== home,
    );
    if (!moved)
      throw new FabricError(
        'E_FAILOVER_NOTHING',
        `nothing to fail back on lab ${lab}: every site is on its home hypervisor`,
      );
    const [site, home] = moved;
    const cur = layout.hypervisors.find((h) => h.site === site)!;
    const homeVm =
      layout.vms.find((v) => v.host === home && v.site === site && v.state !== 'active' && !v.pool) ??
      layout.vms.find((v) => v.host === home && v.site === site);
    const curVm = layout.vms.find((v) => v.host === cur.name && v.state === 'active');
    if (!homeVm || !curVm)
      throw new FabricError(
        'E_FAILOVER_MODEL',
        `cannot find the virtual hypervisors of ${site} on ${home} and ${cur.name}`,
      );
    const systems = siteSystems(model, site);
    const before = renderPrograms(model, computePlan(model));
    const ports = await liveOfports();
    const back = await carrierOf(lab, fs, homeVm);
    const c1vm = await carrierOf(lab, fs, curVm);
    const backMac = await back.vtepMac();
    const wasRunning = await back.running();
    const edit = (m: LabModel) => {
      moveSite(m, site, cur.name, home);
      setVmState(m, homeVm.name, 'active');
      setVmState(m, curVm.name, 'inactive');
    };
    const planned = planRetag(model, before, edit);
    return await runSwitchover({
      lab,
      st,
      fs,
      clock: stepper(opts.onStep),
      site,
      systems,
      before,
      ports,
      to: { carrier: back, vm: homeVm.name, hv: home, mac: backMac },
      // The home copy kept its customer VMs attached while frozen or paused: resuming it is enough.
      activate: {
        run: async () => {
          if (!wasRunning) await back.cont();
        },
        detail: `${homeVm.name} on ${home} resumed (host returned)`,
      },
      edit,
      planned,
      // The home copy re-paused if it was; the switches follow the model on file (still failed over).
      undo: async () => {
        if (!wasRunning) await back.pause().catch(() => {});
      },
      carried: () => c1vm.neighbours(systems).catch(() => []),
      moveDetail: () => `${systems.map((s) => s.name).join(', ')} re-asserted and announced in ${homeVm.name}`,
      // C1's copy stays staged (a mirror again) and paused: back in the pool.
      release: { run: () => c1vm.pause(), detail: `${curVm.name} on ${cur.name} paused: back in the pool` },
      migrations: (now) =>
        now.vms
          .filter((x) => x.state === 'inactive' && x.host !== cur.name && x.name.startsWith(`${cur.name}-p`))
          .map((v) => ({
            vm: v.name,
            to: cur.name,
            step: 'return',
            detail: (r) => `${r.vm} ${r.from} → ${r.to}: downtime ${r.downtimeMs} ms`,
          })),
      timeline: { action: 'failback', trigger: null, host: home },
    });
  } finally {
    lock.release();
  }
}
