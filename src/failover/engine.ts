// The failover engine (issue 6): set up the virtual hypervisors of a deployed lab, run a
// failover on a trigger, fail back, tear down. Steps of a failover:
//   1 activate  QMP cont of a paused pool VM on HA hypervisor C1 (instant: RAM is resident). The
//               pool VM is a mirror: its customer VMs (namespaces, same IP/MAC/VLAN) were staged
//               and attached at setup, so they run the moment the guest runs
//   2 retag     the site's attachment moves to C1 in the model; plan re-computed, the change
//               pushed as flow deltas (one atomic bundle per changed bridge) → restoration
//   3 move      the incremental update (seed 000): the mirror's customer VMs re-asserted from the
//               lab model in the running guest and announced (gratuitous ARP); off the
//               restoration path
//   4 evacuate  the rest of C1's pool live-migrated to C2 (QEMU migration, taps on C2's bridge)
//   5 verify    the guest answers with the same IP/MAC, flows equal the plan, QEMU on C2 alive
// State lives in the lab state file (model: placement) and the failover state (QEMU specs).
import { mkdirSync, rmSync } from 'node:fs';
import { FabricError } from '../errors/fabric-error.js';
import { run, tryRun } from '../exec/index.js';
import { readState, writeState } from '../runtime/state.js';
import type { LabState } from '../runtime/types.js';
import {
  applyDeltas,
  applyPrograms,
  computePlan,
  diffPrograms,
  liveOfports,
  programDeltas,
  renderPrograms,
  type BridgeProgram,
} from '../tagging/index.js';
import type { LabModel } from '../topology/model.js';
import {
  accelPreference,
  createTap,
  deleteTap,
  ensureGuestImage,
  macFor,
  migrationTargetSpec,
  ovsAddPort,
  ovsDelPort,
  QemuVm,
  resolveAccel,
  runDirPid,
  stopRunDir,
  type VmSpec,
} from '../vm/index.js';
import {
  announceScript,
  customerVmsScript,
  gatewayBatch,
  gatewayUndoBatch,
  inspectScript,
  neighScript,
  parseInspect,
  parseNeigh,
  restoreNeighScript,
  vswitchScript,
  type GuestVmView,
  type NeighEntry,
  type Segment,
} from './guest.js';
import { netnsName } from '../runtime/names.js';
import { GATEWAY_TRANSPORT_IF, VTEP, vniOf } from '../topology/hypervisors.js';
import {
  chooseTarget,
  layoutOf,
  moveSite,
  moveVm,
  nextPort,
  setVmState,
  siteSystems,
  type Layout,
  type SystemDef,
  type VmInfo,
} from './layout.js';
import {
  hostIsUp,
  hostNeighbours,
  hostNetns,
  inspectHostVms,
  reassertHostVms,
  restoreHostNeighbours,
  setHostUp,
  setupHostStack,
  teardownHostStack,
  type HostStack,
} from './host-stack.js';
import {
  readFailoverState,
  removeFailoverState,
  runDirOf,
  takeLock,
  writeFailoverState,
  type FailoverState,
} from './store.js';
import type { StepRecord, Timeline, Trigger } from './timeline.js';

export const GUEST_MEMORY_MIB = 96;

export interface SetupOptions {
  /** Extra kernel command line words for every guest (tests: `rdinit=/nonexistent` = a guest that cannot boot). */
  extraAppend?: string[];
  bootTimeoutMs?: number;
  onProgress?: (msg: string) => void;
}

/** Live QEMU handles of this process (reattached from run directories across CLI calls). */
const live = new Map<string, QemuVm>();

function deployed(lab: string): LabState {
  const st = readState(lab);
  if (!st || st.phase !== 'deployed')
    throw new FabricError('E_LAB_NOT_FOUND', `lab ${lab} is not deployed`, {
      hint: `fabric up labs/${lab}/fabric.yml`,
    });
  return st;
}

function needState(lab: string): FailoverState {
  const s = readFailoverState(lab);
  if (!s)
    throw new FabricError('E_FAILOVER_NOT_SETUP', `lab ${lab} has no virtual hypervisors running`, {
      hint: `fabric failover ${lab} --setup`,
    });
  return s;
}

/** A handle on a running QEMU, attached from its run directory when an earlier process started it. */
async function handle(spec: VmSpec, withAgent: boolean): Promise<QemuVm> {
  let vm = live.get(spec.runDir);
  if (!vm || !vm.alive) {
    vm = await QemuVm.attach(spec).catch((err: unknown) => {
      throw new FabricError('E_FAILOVER_GUEST', `virtual hypervisor ${spec.name} is not running (${spec.runDir})`, {
        hint: 'tear down and set up again: fabric failover <lab> --teardown, --setup',
        cause: err,
      });
    });
    live.set(spec.runDir, vm);
  }
  if (withAgent) await vm.waitAgent(30_000);
  return vm;
}

/**
 * What carries a site's customer VMs: a virtual hypervisor (QEMU: pause/cont by QMP, commands
 * by the agent) or the host stack of a traditional hypervisor (FIG. 1-2: "pause" = the host
 * fails, its bridge port goes down). The failover steps only use this surface.
 */
interface Carrier {
  name: string;
  pause(): Promise<void>;
  cont(): Promise<void>;
  running(): Promise<boolean>;
  /** Re-asserts the customer VMs from the model and announces them. */
  refresh(systems: SystemDef[]): Promise<void>;
  inspect(systems: SystemDef[]): Promise<GuestVmView[]>;
  /** The customer VMs' resolved neighbours, and installing such entries (the incremental update). */
  neighbours(systems: SystemDef[]): Promise<NeighEntry[]>;
  restoreNeighbours(systems: SystemDef[], entries: NeighEntry[]): Promise<void>;
  /** MAC of the interface its VTEP answers on. */
  vtepMac(): Promise<string>;
}

function hostStackOf(lab: string, v: VmInfo): HostStack {
  return { lab, node: v.name, port: v.tap };
}

async function carrierOf(lab: string, fs: FailoverState, v: VmInfo): Promise<Carrier> {
  if (v.kind === 'host') {
    const h = hostStackOf(lab, v);
    return {
      name: v.name,
      pause: () => setHostUp(h, false),
      cont: () => setHostUp(h, true),
      running: () => hostIsUp(h),
      refresh: (systems) => reassertHostVms(h, systems),
      inspect: (systems) => inspectHostVms(h, systems),
      neighbours: (systems) => hostNeighbours(h, systems),
      restoreNeighbours: (systems, entries) => restoreHostNeighbours(h, systems, entries),
      vtepMac: async () => {
        const r = await run('ip', ['-n', hostNetns(h), '-j', 'link', 'show', 'eth1']);
        return (JSON.parse(r.stdout) as { address: string }[])[0]!.address;
      },
    };
  }
  const rec = fs.guests[v.name];
  if (!rec)
    throw new FabricError('E_FAILOVER_GUEST', `virtual hypervisor ${v.name} has no QEMU record`, {
      hint: 'tear down and set up again',
    });
  const vm = await handle(rec.spec, false);
  return {
    name: v.name,
    pause: () => vm.pause(),
    cont: () => vm.cont(),
    running: async () => (await vm.status()) === 'running',
    refresh: async (systems) => {
      await vm.waitAgent(30_000);
      await vm.sh(`${customerVmsScript(systems)} && ${announceScript(systems)}`, { check: true, timeoutMs: 30_000 });
    },
    inspect: async (systems) => {
      await vm.waitAgent(30_000);
      return parseInspect((await vm.sh(inspectScript(systems), { check: true })).stdout);
    },
    neighbours: async (systems) => {
      await vm.waitAgent(30_000);
      return parseNeigh((await vm.sh(neighScript(systems), { check: true })).stdout, systems);
    },
    restoreNeighbours: async (systems, entries) => {
      await vm.waitAgent(30_000);
      await vm.sh(restoreNeighScript(systems, entries), { check: true, timeoutMs: 30_000 });
    },
    vtepMac: async () => rec.spec.nics?.[0]?.mac ?? macFor(rec.spec.name, 0),
  };
}

async function normalFlow(bridge: string): Promise<void> {
  // A physical hypervisor bridge is a plain learning switch (the netns runtime makes bridges
  // fail_mode=secure with no flows): tenant separation is the DC switch's job.
  await run('ovs-ofctl', ['-O', 'OpenFlow13', 'replace-flows', bridge, '-'], { input: 'priority=0,actions=NORMAL\n' });
}

/** The VXLAN segments of a hosted site: one per own VLAN, VNI from its Tag1 (`vniOf`). */
export function segmentsOf(model: LabModel, site: string): Segment[] {
  const [tenant, name] = site.split('/');
  const sp = computePlan(model).sites.find((x) => x.tenant === tenant && x.site === name);
  if (!sp) throw new FabricError('E_FAILOVER_MODEL', `site ${site} is not in the tag plan`);
  return [...new Set(siteSystems(model, site).map((s) => s.vlan))].map((vlan) => ({
    vlan,
    vni: vniOf(sp.hostTag, vlan),
  }));
}

/** The hypervisor-side ports of a hypervisor's links: uplink, and the bridge device's in gw ifname order. */
function hypervisorPorts(model: LabModel, hv: string, gw: string): { uplink: string | undefined; gateway: string[] } {
  const end = (l: LabModel['links'][number], node: string) => l.endpoints.find((e) => e.node === node);
  const uplink = model.links.find(
    (l) => end(l, hv) && l.endpoints.some((e) => model.nodes.find((n) => n.name === e.node)?.role === 'dc-switch'),
  );
  const gateway = model.links
    .filter((l) => end(l, hv) && end(l, gw))
    .sort((a, b) => end(a, gw)!.ifname.localeCompare(end(b, gw)!.ifname, 'en', { numeric: true }))
    .map((l) => end(l, hv)!.ifname);
  return { uplink: uplink && end(uplink, hv)!.ifname, gateway };
}

/**
 * Configures (or, with undo, clears) every hypervisor's bridge device for the site it serves,
 * and the port VLANs of its bridge: transport access port 4000 to the bridge device, own-VLAN
 * access ports back from it, the uplink a trunk of the own VLANs only (VTEP traffic never
 * reaches the fabric), VM taps trunks of 4000 (vtepTrunk).
 */
async function configureGateways(model: LabModel, undo: boolean): Promise<void> {
  for (const h of layoutOf(model).hypervisors) {
    if (!h.gateway || !h.serves) continue;
    const ns = netnsName(model.name, h.gateway);
    const segs = segmentsOf(model, h.serves);
    const vlans = segs.map((g) => g.vlan).sort((a, b) => a - b);
    const ports = hypervisorPorts(model, h.name, h.gateway);
    // -force: undo goes on past devices that are not there; a fresh setup starts clean.
    await tryRun('ip', ['-n', ns, '-force', '-batch', '-'], { input: gatewayUndoBatch(segs).join('\n') + '\n' });
    const vsctl: string[] = [];
    for (const p of [ports.uplink, ...ports.gateway]) if (p) vsctl.push('--', 'clear', 'Port', p, 'tag', 'trunks');
    if (!undo) {
      if (ports.uplink) vsctl.push('--', 'set', 'Port', ports.uplink, `trunks=${vlans.join(',')}`);
      ports.gateway.forEach((p, k) => vsctl.push('--', 'set', 'Port', p, `tag=${k === 0 ? VTEP.vlan : vlans[k - 1]}`));
    }
    if (vsctl.length) await run('ovs-vsctl', vsctl.slice(1));
    if (!undo) await run('ip', ['-n', ns, '-batch', '-'], { input: gatewayBatch(segs).join('\n') + '\n' });
  }
}

/**
 * Points a bridge device's VTEP neighbour at the virtual hypervisor that now owns the guest VTEP
 * address. Every mirror shares that address, so a cached entry may name a paused mirror: the
 * kernel would keep sending to it for seconds (DELAY, then unicast probes) before it asks again.
 */
async function pointVtep(model: LabModel, hv: string, mac: string): Promise<void> {
  const gw = layoutOf(model).hypervisors.find((h) => h.name === hv)?.gateway;
  if (!gw) return;
  await run('ip', [
    '-n',
    netnsName(model.name, gw),
    'neigh',
    'replace',
    VTEP.guestIp,
    'lladdr',
    mac,
    'dev',
    GATEWAY_TRANSPORT_IF,
    'nud',
    'reachable',
  ]);
}

/** A VM tap carries the VXLAN transport VLAN only (tagged: the guest has 8021q). */
async function vtepTrunk(tap: string): Promise<void> {
  await run('ovs-vsctl', ['set', 'Port', tap, 'vlan_mode=trunk', `trunks=${VTEP.vlan}`]);
}

/** A host stack's port: an access port of the transport VLAN (the host kernel has no 8021q). */
async function vtepAccess(port: string): Promise<void> {
  await run('ovs-vsctl', ['set', 'Port', port, `tag=${VTEP.vlan}`]);
}

/** Builds (or, with undo, removes) the host stacks of traditional customer hypervisors. */
async function configureHostStacks(model: LabModel, undo: boolean): Promise<void> {
  for (const v of layoutOf(model).vms.filter((x) => x.kind === 'host')) {
    if (!v.site) continue;
    const h = hostStackOf(model.name, v);
    if (undo) {
      await teardownHostStack(h, segmentsOf(model, v.site), siteSystems(model, v.site));
      await tryRun('ovs-vsctl', ['clear', 'Port', v.tap, 'tag']);
      continue;
    }
    await vtepAccess(v.tap);
    await setupHostStack(h, segmentsOf(model, v.site), siteSystems(model, v.site));
  }
}

/** Boots every virtual hypervisor of the lab, stages the mirrors, pauses the pool, programs tags. */
export async function setupFailover(lab: string, opts: SetupOptions = {}): Promise<FailoverState> {
  const lock = takeLock(lab, 'setup');
  const say = opts.onProgress ?? (() => {});
  try {
    const st = deployed(lab);
    if (readFailoverState(lab))
      throw new FabricError('E_FAILOVER_SETUP', `lab ${lab} already has virtual hypervisors`, {
        hint: `fabric failover ${lab} --teardown first`,
      });
    const layout = layoutOf(st.model);
    if (!layout.vms.length)
      throw new FabricError('E_FAILOVER_NO_HYPERVISORS', `lab ${lab} declares no virtual hypervisors`, {
        hint: 'add a hypervisors: section (docs/failover.md)',
      });
    for (const h of layout.hypervisors) await normalFlow(h.bridge);
    await configureGateways(st.model, false);
    const image = await ensureGuestImage();
    const accel = (await resolveAccel(accelPreference(), image)).accel;
    const state: FailoverState = { version: 1, lab, accel, guests: {}, home: {} };
    for (const h of layout.hypervisors) if (h.site) state.home[h.site] = h.name;
    const mtuOf = (host: string, tap: string) =>
      st.model.nodes.find((n) => n.name === host)?.interfaces.find((f) => f.name === tap)?.mtu;
    const guests = layout.vms.filter((v) => v.kind === 'qemu');
    // Record specs first: a crash half-way leaves a complete teardown list.
    for (const v of guests) {
      const spec: VmSpec = {
        name: v.name,
        kernel: image.kernel,
        initrd: image.initrd,
        runDir: runDirOf(lab, v.name, 0),
        memoryMiB: GUEST_MEMORY_MIB,
        accel,
        nics: [{ tap: v.tap }],
        append: opts.extraAppend,
      };
      state.guests[v.name] = { name: v.name, spec, gen: 0 };
    }
    writeFailoverState(state);
    try {
      await configureHostStacks(st.model, false);
      for (const v of guests) {
        const h = layout.hypervisors.find((x) => x.name === v.host)!;
        await deleteTap(v.tap);
        await createTap(v.tap, { mtu: mtuOf(v.host, v.tap) });
        await ovsAddPort(h.bridge, v.tap);
        await vtepTrunk(v.tap);
      }
      const t0 = Date.now();
      // TCG guests boot in parallel (2 cores: 15-60 s under load).
      const vms = await Promise.all(
        guests.map(async (v) => {
          const vm = await QemuVm.start(state.guests[v.name]!.spec, {
            bootTimeoutMs: opts.bootTimeoutMs ?? 180_000,
          }).catch((err: unknown) => {
            const e = err as FabricError;
            throw new FabricError('E_GUEST_BOOT', `virtual hypervisor ${v.name} failed to boot: ${e.message}`, {
              hint: e.hint,
              cause: err,
            });
          });
          live.set(vm.spec.runDir, vm);
          return [v, vm] as const;
        }),
      );
      say(`booted ${vms.length} virtual hypervisors in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      for (const [v, vm] of vms) {
        if (!v.site) continue;
        const systems = siteSystems(st.model, v.site);
        await vm.sh(vswitchScript(segmentsOf(st.model, v.site), mtuOf(v.host, v.tap) ?? 1554), {
          check: true,
          timeoutMs: 60_000,
        });
        // Mirrors are staged attached: a paused guest sends nothing, and the DC switch drops
        // what an unclassified hypervisor port sends, so activation alone brings them up.
        await vm.sh(customerVmsScript(systems), { check: true, timeoutMs: 60_000 });
      }
      for (const [v, vm] of vms) if (v.state === 'inactive') await vm.pause();
      say(
        `pool paused: ${vms
          .filter(([v]) => v.state === 'inactive')
          .map(([v]) => v.name)
          .join(', ')}`,
      );
      await retag(st.model, null);
    } catch (err) {
      await teardownGuests(lab, state).catch(() => {});
      await configureHostStacks(st.model, true).catch(() => {});
      await configureGateways(st.model, true).catch(() => {});
      removeFailoverState(lab);
      throw err;
    }
    return state;
  } finally {
    lock.release();
  }
}

/**
 * Re-renders the plan of `model` and pushes the change against `before`: flow deltas (one
 * atomic bundle per changed bridge, learned MACs of the moved domains flushed) with the port
 * numbers read before the trigger, so the restoration path is one `ovs-ofctl` per bridge. With
 * before = null, or a change deltas cannot express, every bridge is re-programmed in full.
 * `fabric flows` / verify() compare with the live switches afterwards.
 */
async function retag(
  model: LabModel,
  before: BridgeProgram[] | null,
  ports?: Map<string, number>,
): Promise<{ removed: number; added: number; bridges: string[] }> {
  try {
    return await retagOnce(model, before, ports);
  } catch {
    // One retry: a restarted ovs-vswitchd resets connections and loses flows; a full re-push
    // (before = null) converges. A second failure is reported.
    await new Promise((r) => setTimeout(r, 1000));
    return retagOnce(model, null);
  }
}

async function retagOnce(
  model: LabModel,
  before: BridgeProgram[] | null,
  ports?: Map<string, number>,
): Promise<{ removed: number; added: number; bridges: string[] }> {
  const programs = renderPrograms(model, computePlan(model));
  const deltas = before ? programDeltas(before, programs) : null;
  if (deltas) {
    await applyDeltas(deltas, ports ?? (await liveOfports()));
    return {
      removed: deltas.reduce((n, d) => n + d.removed, 0),
      added: deltas.reduce((n, d) => n + d.added, 0),
      bridges: deltas.map((d) => d.node),
    };
  }
  await applyPrograms(programs);
  for (const h of layoutOf(model).hypervisors) await normalFlow(h.bridge);
  const flows = programs.reduce((n, p) => n + p.flows.length, 0);
  return { removed: 0, added: flows, bridges: programs.map((p) => p.node) };
}

function placementOf(layout: Layout): Record<string, string> {
  return Object.fromEntries(layout.vms.map((v) => [v.name, v.host]));
}

async function migrate(
  lab: string,
  fs: FailoverState,
  model: LabModel,
  vmName: string,
  to: string,
): Promise<Timeline['migrations'][number]> {
  const rec = fs.guests[vmName]!;
  const layout = layoutOf(model);
  const v = layout.vms.find((x) => x.name === vmName)!;
  const from = layout.hypervisors.find((h) => h.name === v.host)!;
  const dst = layout.hypervisors.find((h) => h.name === to)!;
  const port = nextPort(model, to);
  const mtu = model.nodes.find((n) => n.name === from.name)?.interfaces.find((f) => f.name === v.tap)?.mtu;
  const src = await handle(rec.spec, false);
  await deleteTap(port.ifname);
  await createTap(port.ifname, { mtu });
  await ovsAddPort(dst.bridge, port.ifname);
  await vtepTrunk(port.ifname);
  const gen = rec.gen + 1;
  const tgtSpec = migrationTargetSpec(rec.spec, runDirOf(lab, vmName, gen), [port.ifname]);
  rmSync(tgtSpec.runDir, { recursive: true, force: true });
  mkdirSync(tgtSpec.runDir, { recursive: true });
  let target: QemuVm | undefined;
  try {
    target = await QemuVm.start(tgtSpec);
    const r = await src.migrateTo(target);
    live.delete(rec.spec.runDir);
    live.set(tgtSpec.runDir, target);
    await ovsDelPort(from.bridge, v.tap);
    await deleteTap(v.tap);
    rmSync(rec.spec.runDir, { recursive: true, force: true });
    // The incoming QEMU has no -incoming on a later restart: keep the source's spec shape.
    fs.guests[vmName] = { name: vmName, spec: { ...tgtSpec, incoming: undefined }, gen };
    moveVm(model, vmName, to, port);
    return { vm: vmName, from: from.name, to, downtimeMs: r.downtimeMs, totalTimeMs: r.totalTimeMs, wallMs: r.wallMs };
  } catch (err) {
    await target?.stop().catch(() => {});
    await ovsDelPort(dst.bridge, port.ifname).catch(() => {});
    await deleteTap(port.ifname).catch(() => {});
    throw err;
  }
}

export interface FailoverOptions {
  trigger: Trigger;
  host: string;
  /** Called right after detection (probes start before the trigger, so this is only for logs). */
  onStep?: (s: StepRecord) => void;
}

/** The clock of one failover or fail-back (t0 = detection) and its timed, recorded steps. */
function stepper(onStep?: (s: StepRecord) => void) {
  const t0 = performance.now();
  const steps: StepRecord[] = [];
  const step = async <T>(name: string, fn: () => Promise<T>, detail?: (r: T) => string): Promise<T> => {
    const s = performance.now();
    const r = await fn();
    const rec = { step: name, atMs: s - t0, ms: performance.now() - s, detail: detail?.(r) };
    steps.push(rec);
    onStep?.(rec);
    return r;
  };
  return { t0, detectedAt: Date.now(), steps, step };
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
    const { t0, detectedAt, steps, step } = stepper(o.onStep);
    // A failed host stops at once (simulated: its guest is frozen, RAM kept for fail-back).
    if (o.trigger === 'failure')
      await step(
        'fail-host',
        () => source.pause(),
        () => `${target.sourceVm.name} on ${o.host} frozen (simulated host failure)`,
      );
    // Until the re-tag is committed to the model, a failure rolls back to the state before the
    // trigger: the activated VM paused again (a mirror stays staged), the failed host resumed.
    let committed = false;
    const rollback = async (err: unknown): Promise<never> => {
      if (!committed) {
        await vm.pause().catch(() => {});
        if (o.trigger === 'failure') await source.cont().catch(() => {});
        await retag(readState(lab)?.model ?? model, null).catch(() => {});
      }
      throw err;
    };
    try {
      // The mirror's customer VMs are attached already: once the guest runs they answer, and the
      // DC switch delivers to them as soon as the re-tag lands. On a planned trigger the old copy
      // answers until then (make-before-break without waiting for the guest).
      await step(
        'activate',
        () => vm.cont(),
        () => `${target.activate.name} on ${target.c1.name} resumed`,
      );
      moveSite(model, target.site, o.host, target.c1.name);
      setVmState(model, target.activate.name, 'active');
      setVmState(model, target.sourceVm.name, o.trigger === 'failure' ? 'failed' : 'inactive');
      const [diff] = await Promise.all([
        step(
          'retag',
          () => retag(model, before, ports),
          (r) => `-${r.removed}/+${r.added} flows on ${r.bridges.join(', ') || 'no bridge'}`,
        ),
        step(
          'vtep',
          () => pointVtep(model, target.c1.name, vmMac),
          () => `${target.c1.name}'s bridge device sends VXLAN to ${target.activate.name}`,
        ),
      ]);
      const restorationMs = performance.now() - t0;
      writeState(st);
      committed = true;
      // The incremental update: what the old copy learned since it was staged (its neighbour
      // entries) when it is still alive (planned triggers); a failed host gives nothing back.
      const carried = o.trigger === 'failure' ? [] : await source.neighbours(systems).catch(() => []);
      await step(
        'move',
        async () => {
          await vm.refresh(systems);
          await vm.restoreNeighbours(systems, carried);
        },
        () =>
          `${carried.length} neighbour entr${carried.length === 1 ? 'y' : 'ies'} carried; ` +
          `${systems.map((s) => `${s.name} ${s.ip} ${s.mac} VLAN ${s.vlan}`).join('; ')} re-asserted and announced in ${target.activate.name}`,
      );
      // Planned triggers: the old copy goes only after traffic moved. It stays staged (a mirror of
      // the site at home), so fail-back is a resume.
      if (o.trigger !== 'failure') {
        await step(
          'release',
          () => source.pause(),
          () => `${target.sourceVm.name} on ${o.host} paused`,
        );
      }
      const migrations: Timeline['migrations'] = [];
      if (target.c2) {
        for (const e of target.evacuate) {
          const m = await step(
            'evacuate',
            () => migrate(lab, fs, model, e.name, target.c2!.name),
            (r) => `${r.vm} ${r.from} → ${r.to}: downtime ${r.downtimeMs} ms, total ${r.totalTimeMs} ms`,
          );
          migrations.push(m);
          writeState(st);
          writeFailoverState(fs);
        }
      }
      const verified = await step(
        'verify',
        () => verify(lab, model, fs, target.site, target.activate.name),
        (v) => `${v.length} checks`,
      );
      const tl: Timeline = {
        action: 'failover',
        trigger: o.trigger,
        host: o.host,
        site: target.site,
        detectedAt,
        steps,
        restorationMs,
        activated: target.activate.name,
        placement: placementOf(layoutOf(model)),
        migrations,
        flowDiff: { removed: diff.removed, added: diff.added },
        verified,
      };
      fs.last = tl;
      writeFailoverState(fs);
      return tl;
    } catch (err) {
      return await rollback(err);
    }
  } finally {
    lock.release();
  }
}

/** Checks after a move: the guest's customer VMs, flows = plan, every guest process where the model says. */
export async function verify(
  lab: string,
  model: LabModel,
  fs: FailoverState,
  site: string,
  activeVm: string,
): Promise<string[]> {
  const out: string[] = [];
  const systems = siteSystems(model, site);
  const active = layoutOf(model).vms.find((v) => v.name === activeVm);
  if (!active) throw new FabricError('E_FAILOVER_VERIFY', `no virtual hypervisor ${activeVm} in the model`);
  const seen = await (await carrierOf(lab, fs, active)).inspect(systems);
  for (const s of systems) {
    const g = seen.find((x) => x.name === s.name);
    if (!g || g.mac !== s.mac || g.ip !== s.ip || g.master !== `br${s.vlan}`) {
      throw new FabricError(
        'E_FAILOVER_VERIFY',
        `customer VM ${s.name} in ${activeVm}: expected ${s.ip} ${s.mac} on br${s.vlan}, found ${JSON.stringify(g ?? null)}`,
      );
    }
    out.push(`${s.name} in ${activeVm}: ${s.ip} ${s.mac} on br${s.vlan}`);
  }
  const diffs = await diffPrograms(renderPrograms(model, computePlan(model)));
  const bad = diffs.filter((d) => d.missing.length || d.unexpected.length);
  if (bad.length)
    throw new FabricError('E_FAILOVER_VERIFY', `flows differ from the plan on ${bad.map((d) => d.node).join(', ')}`);
  out.push(`flows equal the plan on ${diffs.length} bridges`);
  for (const v of layoutOf(model).vms) {
    const rec = fs.guests[v.name];
    const pid = v.kind === 'host' ? 0 : rec && runDirPid(rec.spec.runDir);
    if (pid === undefined)
      throw new FabricError('E_FAILOVER_VERIFY', `QEMU of ${v.name} (on ${v.host}) is not running`);
    const port = await tryRun('ovs-vsctl', ['port-to-br', v.tap]);
    const bridge = layoutOf(model).hypervisors.find((h) => h.name === v.host)?.bridge;
    if (port.stdout.trim() !== bridge)
      throw new FabricError(
        'E_FAILOVER_VERIFY',
        `tap ${v.tap} of ${v.name} is on ${port.stdout.trim() || 'no bridge'}, expected ${bridge} (${v.host})`,
      );
    out.push(
      v.kind === 'host'
        ? `${v.name} is the host stack of ${v.host} (port ${v.tap} on ${bridge})`
        : `${v.name} runs on ${v.host} (pid ${pid}, tap ${v.tap} on ${bridge})`,
    );
  }
  return out;
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
    const systems = siteSystems(model, site);
    const homeVm =
      layout.vms.find((v) => v.host === home && v.site === site && v.state !== 'active' && !v.pool) ??
      layout.vms.find((v) => v.host === home && v.site === site);
    const curVm = layout.vms.find((v) => v.host === cur.name && v.state === 'active');
    if (!homeVm || !curVm)
      throw new FabricError(
        'E_FAILOVER_MODEL',
        `cannot find the virtual hypervisors of ${site} on ${home} and ${cur.name}`,
      );
    const before = renderPrograms(model, computePlan(model));
    const ports = await liveOfports();
    const back = await carrierOf(lab, fs, homeVm);
    const c1vm = await carrierOf(lab, fs, curVm);
    const backMac = await back.vtepMac();
    const wasRunning = await back.running();
    const { t0, detectedAt, steps, step } = stepper(opts.onStep);
    let committed = false;
    try {
      // The home copy kept its customer VMs attached while frozen or paused: resuming it is enough.
      await step(
        'activate',
        async () => {
          if (!wasRunning) await back.cont();
        },
        () => `${homeVm.name} on ${home} resumed (host returned)`,
      );
      moveSite(model, site, cur.name, home);
      setVmState(model, homeVm.name, 'active');
      setVmState(model, curVm.name, 'inactive');
      const [diff] = await Promise.all([
        step(
          'retag',
          () => retag(model, before, ports),
          (r) => `-${r.removed}/+${r.added} flows on ${r.bridges.join(', ') || 'no bridge'}`,
        ),
        step(
          'vtep',
          () => pointVtep(model, home, backMac),
          () => `${home}'s bridge device sends VXLAN to ${homeVm.name}`,
        ),
      ]);
      const restorationMs = performance.now() - t0;
      writeState(st);
      committed = true;
      const carried = await c1vm.neighbours(systems).catch(() => []);
      await step(
        'move',
        async () => {
          await back.refresh(systems);
          await back.restoreNeighbours(systems, carried);
        },
        () =>
          `${carried.length} neighbour entr${carried.length === 1 ? 'y' : 'ies'} carried; ` +
          `${systems.map((s) => s.name).join(', ')} re-asserted and announced in ${homeVm.name}`,
      );
      // C1's copy stays staged (a mirror again) and paused: back in the pool.
      await step(
        'release',
        () => c1vm.pause(),
        () => `${curVm.name} on ${cur.name} paused: back in the pool`,
      );
      const migrations: Timeline['migrations'] = [];
      for (const v of layoutOf(model).vms.filter(
        (x) => x.state === 'inactive' && x.host !== cur.name && x.name.startsWith(`${cur.name}-p`),
      )) {
        const m = await step(
          'return',
          () => migrate(lab, fs, model, v.name, cur.name),
          (r) => `${r.vm} ${r.from} → ${r.to}: downtime ${r.downtimeMs} ms`,
        );
        migrations.push(m);
        writeState(st);
        writeFailoverState(fs);
      }
      const verified = await step(
        'verify',
        () => verify(lab, model, fs, site, homeVm.name),
        (v) => `${v.length} checks`,
      );
      const tl: Timeline = {
        action: 'failback',
        trigger: null,
        host: home,
        site,
        detectedAt,
        steps,
        restorationMs,
        activated: homeVm.name,
        placement: placementOf(layoutOf(model)),
        migrations,
        flowDiff: { removed: diff.removed, added: diff.added },
        verified,
      };
      fs.last = tl;
      writeFailoverState(fs);
      return tl;
    } catch (err) {
      // Before the model is committed, undo: the home copy re-paused if it was,
      // the switches re-programmed from the model on file (still the failed-over placement).
      if (!committed) {
        if (!wasRunning) await back.pause().catch(() => {});
        await retag(readState(lab)?.model ?? model, null).catch(() => {});
      }
      throw err;
    }
  } finally {
    lock.release();
  }
}

async function teardownGuests(lab: string, fs: FailoverState): Promise<string[]> {
  const done: string[] = [];
  for (const g of Object.values(fs.guests)) {
    const vm = live.get(g.spec.runDir);
    live.delete(g.spec.runDir);
    if (vm) await vm.stop().catch(() => {});
    // By PID from the pidfile (argv checked against the run directory), never by name.
    await stopRunDir(g.spec.runDir).catch(() => false);
    for (const n of g.spec.nics ?? []) {
      await tryRun('ovs-vsctl', ['--if-exists', 'del-port', n.tap]);
      await deleteTap(n.tap).catch(() => false);
    }
    rmSync(g.spec.runDir, { recursive: true, force: true });
    done.push(g.name);
  }
  rmSync(runDirOf(lab, 'x', 0).replace(/\/x\.0$/, ''), { recursive: true, force: true });
  return done;
}

/**
 * Stops every virtual hypervisor (QEMU by PID), removes taps and run directories, and resets the
 * model's placement to the intent (so `fabric up` / `fabric down` see the lab as deployed).
 */
export async function teardownFailover(lab: string): Promise<string[]> {
  const fs = readFailoverState(lab);
  if (!fs) return [];
  const done = await teardownGuests(lab, fs);
  const st = readState(lab);
  if (st) {
    await configureHostStacks(st.model, true).catch(() => {});
    await configureGateways(st.model, true).catch(() => {});
    const layout = layoutOf(st.model);
    for (const [site, home] of Object.entries(fs.home)) {
      const cur = layout.hypervisors.find((h) => h.site === site);
      if (cur && cur.name !== home) moveSite(st.model, site, cur.name, home);
    }
    writeState(st);
  }
  removeFailoverState(lab);
  return done;
}

export interface VmStatus {
  vm: string;
  hypervisor: string;
  state: string;
  qemu: string;
  pid: number | null;
  tap: string;
  site: string | null;
}

/** Where each virtual hypervisor runs (model) and what its QEMU says (QMP query-status). */
export async function failoverStatus(lab: string): Promise<VmStatus[]> {
  const st = deployed(lab);
  const fs = readFailoverState(lab);
  const out: VmStatus[] = [];
  for (const v of layoutOf(st.model).vms) {
    const rec = fs?.guests[v.name];
    const pid = rec ? (runDirPid(rec.spec.runDir) ?? null) : null;
    let qemu = 'not running';
    if (v.kind === 'host')
      qemu = fs ? ((await hostIsUp(hostStackOf(lab, v))) ? 'host up' : 'host down') : 'host (not set up)';
    else if (rec && pid)
      qemu = await handle(rec.spec, false)
        .then((h) => h.status())
        .catch(() => 'unreachable');
    out.push({ vm: v.name, hypervisor: v.host, state: v.state, qemu, pid, tap: v.tap, site: v.site });
  }
  return out;
}

/** Closes this process's QMP/agent sockets (QEMU keeps running). */
export function releaseHandles(): void {
  for (const vm of live.values()) {
    vm.agent.close();
    vm.qmp.close();
  }
  live.clear();
}
