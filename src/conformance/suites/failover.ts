// failover: on a lab with hypervisors, where every virtual hypervisor runs (QEMU process
// alive, tap on the bridge of the hypervisor the model names: "runs on C2" after an evacuation),
// the customer VMs answer at their declared IP and MAC from every DC of their tenant, the live
// flows equal the plan of the current placement, and the last failover moved no frame across
// tenants. Isolation and tag stacks during the move are judged by the isolation/tag-stack suites
// run before and after, plus the failover's own per-port captures (crossTenantFrames, and each
// train frame against its port's planned stack: stacksDuring).
// By default the probe runs a watched failure failover and its fail-back first (records.ts):
// the move checks judge both; with --no-failover they judge the last move on file, if any.
// The suite is left out of the default on a lab without hypervisors; named there, every check is
// reported skipped, with that reason. On a lab whose guests are not set up (`fabric up
// --no-guests`) every check is reported skipped too, and the probe runs no move.
import type { Timeline } from '../../failover/index.js';
import type { LabModel } from '../../topology/model.js';
import type { SuiteRecords } from '../records.js';
import { readFailoverState } from '../../failover/store.js';
import { layoutOf, siteSystems } from '../../failover/layout.js';
import { runDirPid } from '../../vm/index.js';
import { recordedDiffs } from '../flow-record.js';
import type { CheckDef, Judgement } from '../judge.js';
import { SkipCheck, Violations } from '../judge.js';

/** Skips the check on a lab without hypervisors, or whose guests are not set up (`fabric up --no-guests`). */
function noHypervisors(j: Judgement): boolean {
  if (!layoutOf(j.ctx.model).vms.length)
    throw new SkipCheck(`lab ${j.ctx.lab} has no hypervisors: nothing to fail over`);
  const rec = j.records?.failover;
  if (rec?.notSetUp) throw new SkipCheck(rec.skipped ?? `lab ${j.ctx.lab}: guests not set up`);
  return false;
}

type Observed = NonNullable<SuiteRecords['failover']>;

/** What the probe observed on the live lab (failover/observe.ts), after its moves. */
function observed(j: Judgement): Observed {
  const o = j.records?.failover;
  if (!o) throw new Error('the failover observation was not recorded by the probe');
  return o;
}

/** The placement the observation was made on: the lab model after the probe's moves. */
function modelOf(j: Judgement): LabModel {
  return j.records?.failover?.model ?? j.ctx.model;
}

/** The moves to judge: this run's watched failover and fail-back, or else the last one on file. */
function movesOf(j: Judgement): Timeline[] {
  const mine = j.records?.failover?.moves ?? [];
  if (mine.length) return mine;
  const last = readFailoverState(j.ctx.lab)?.last;
  return last ? [last] : [];
}

const moveName = (t: Timeline): string => `${t.action} of ${t.site} on ${t.host}`;

export const failover: CheckDef[] = [
  {
    suite: 'failover',
    id: 'failover/vms-run-where-the-model-says',
    title:
      "every virtual hypervisor's QEMU runs, with its tap (a host stack: its port) on the bridge of its hypervisor node",
    async judge(j) {
      if (noHypervisors(j)) return;
      const fs = readFailoverState(j.ctx.lab);
      if (!fs)
        throw new Error(
          `lab ${j.ctx.lab} has hypervisors but no virtual hypervisors running (fabric failover ${j.ctx.lab} --setup)`,
        );
      const v = new Violations();
      const layout = layoutOf(modelOf(j));
      for (const vm of layout.vms) {
        // A traditional hypervisor's host stack (FIG. 1-2) is a namespace, not a QEMU process.
        const rec = fs.guests[vm.name];
        const pid = vm.kind === 'host' ? -1 : rec ? runDirPid(rec.spec.runDir) : undefined;
        if (!pid) v.add(`${vm.name}: no live QEMU for its run directory`);
        const br = observed(j).taps[vm.name] ?? '';
        const want = layout.hypervisors.find((h) => h.name === vm.host)?.bridge;
        if (br !== want)
          v.add(`${vm.name}: tap ${vm.tap} is on ${br || 'no bridge'}, the model says ${vm.host} (${want})`);
        if (fs.last && fs.last.placement[vm.name] && fs.last.placement[vm.name] !== vm.host)
          v.add(
            `${vm.name}: the last ${fs.last.action} placed it on ${fs.last.placement[vm.name]}, the model says ${vm.host}`,
          );
      }
      j.stats.vms = layout.vms.length;
      j.stats.evacuated = layout.vms.filter(
        (x) => x.state === 'inactive' && x.pool !== null && x.pool !== x.host,
      ).length;
      v.throwIfAny('virtual hypervisor placement');
    },
  },
  {
    suite: 'failover',
    id: 'failover/customer-vms-same-ip-and-mac',
    title: 'customer VMs answer at their declared IP and MAC from a client of their tenant in every DC',
    async judge(j) {
      if (noHypervisors(j)) return;
      const v = new Violations();
      const asks = observed(j).asks;
      const declared = new Map(
        layoutOf(modelOf(j))
          .hypervisors.filter((h) => h.site)
          .flatMap((h) => siteSystems(modelOf(j), h.site!).map((s) => [`${h.site}/${s.name}`, s.mac] as const)),
      );
      for (const a of asks) {
        if (!a.answered) v.add(`${a.from} (${a.dc}) → ${a.site}/${a.system} ${a.ip}: no answer`);
        const mac = declared.get(`${a.site}/${a.system}`);
        if (a.mac !== mac)
          v.add(`${a.from} (${a.dc}) → ${a.ip}: answered from MAC ${a.mac ?? 'none'}, declared ${mac}`);
      }
      const asked = asks.length;
      j.stats.asked = asked;
      v.throwIfAny('customer VM identity');
      if (!asked) throw new Error("no client of a hosted site's tenant to ask from");
    },
  },
  {
    suite: 'failover',
    id: 'failover/flows-follow-placement',
    title: 'the live flows equal the plan of the current placement (the re-tag really happened)',
    judge(j) {
      if (noHypervisors(j)) return;
      const diffs = recordedDiffs(j.records?.flows, 'placement');
      const bad = diffs.filter((d) => d.missing.length || d.unexpected.length);
      j.stats.bridges = diffs.length;
      if (bad.length)
        throw new Error(
          `flows differ from the plan on ${bad.map((d) => `${d.node} (-${d.unexpected.length}/+${d.missing.length})`).join(', ')}`,
        );
    },
  },
  {
    suite: 'failover',
    id: 'failover/moves-restore-the-site',
    title:
      "the probe's failure failover and its fail-back each restored the site: re-tag applied, the site's train answered again",
    judge(j) {
      if (noHypervisors(j)) return;
      const rec = observed(j);
      if (!rec.moves.length) {
        if (rec.skipped?.startsWith('turned off')) {
          j.stats.noWatchedMove = 1;
          return;
        }
        throw new Error(`no failover ran in the probe: ${rec.skipped ?? 'unknown reason'}`);
      }
      const v = new Violations();
      for (const t of rec.moves) {
        if (t.restorationMs === null) v.add(`${moveName(t)}: the re-tag was never applied`);
        const tenant = t.site.split('/')[0];
        const own = (t.flows ?? []).filter((f) => f.tenant === tenant);
        if (!own.length) v.add(`${moveName(t)}: no echo train of ${tenant} watched it`);
        for (const f of own) {
          if (f.probeError) v.add(`${moveName(t)}: ${f.from} → ${f.ip}: ${f.probeError}`);
          else if (!f.received || (f.longestRun && f.longestRun.last >= f.sent))
            v.add(
              `${moveName(t)}: ${f.from} → ${f.ip} was not answered again before its train ended (${f.lost} of ${f.sent} lost)`,
            );
        }
      }
      j.stats.moves = rec.moves.length;
      j.stats.maxRestorationMs = Math.max(...rec.moves.map((t) => Math.round(t.restorationMs ?? 0)));
      v.throwIfAny('failover restoration');
    },
  },
  {
    suite: 'failover',
    id: 'failover/no-cross-tenant-frame-during-last-move',
    title:
      'the watched failover and fail-back (or else the last one) delivered no frame of one tenant on a port of another',
    judge(j) {
      if (noHypervisors(j)) return;
      const moves = movesOf(j).filter((t) => t.crossTenantFrames !== undefined);
      if (!moves.length) {
        j.stats.noWatchedMove = 1;
        return;
      }
      j.stats.crossTenantFrames = moves.reduce((n, t) => n + t.crossTenantFrames!, 0);
      const bad = moves.filter((t) => t.crossTenantFrames !== 0);
      if (bad.length)
        throw new Error(
          bad
            .map(
              (t) =>
                `${t.crossTenantFrames} frame(s) of another tenant were captured on tenant ports during the ${moveName(t)}`,
            )
            .join('; '),
        );
    },
  },
  {
    suite: 'failover',
    id: 'failover/stacks-during-last-move',
    title:
      "during the watched failover and fail-back (or else the last one) every captured train frame carried its port's planned stack",
    judge(j) {
      if (noHypervisors(j)) return;
      const moves = movesOf(j).filter((t) => t.stacksDuring);
      if (!moves.length) {
        j.stats.noWatchedMove = 1;
        return;
      }
      j.stats.checkedFrames = moves.reduce((n, t) => n + t.stacksDuring!.checked, 0);
      j.stats.violations = moves.reduce((n, t) => n + t.stacksDuring!.violations, 0);
      const v = new Violations();
      for (const t of moves) {
        const s = t.stacksDuring!;
        if (s.violations)
          v.add(
            `${s.violations} of ${s.checked} frame(s) off their port's stack during the ${moveName(t)}: ${s.samples.join('; ')}`,
          );
        else if (!s.checked)
          v.add(`no train frame was captured on a tenant port during the ${moveName(t)}: the probe did not run`);
      }
      v.throwIfAny('stacks during the moves');
    },
  },
];
