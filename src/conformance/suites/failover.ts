// failover: on a lab with hypervisors, where every virtual hypervisor runs (QEMU process
// alive, tap on the bridge of the hypervisor the model names: "runs on C2" after an evacuation),
// the customer VMs answer at their declared IP and MAC from every DC of their tenant, the live
// flows equal the plan of the current placement, and the last failover moved no frame across
// tenants. Isolation and tag stacks during the move are judged by the isolation/tag-stack suites
// run before and after, plus the failover's own per-port captures (crossTenantFrames, and each
// train frame against its port's planned stack: stacksDuring).
// On a lab without hypervisors every check is reported skipped, with that reason.
import type { FailoverObservation } from '../../failover/observe.js';
import { readFailoverState } from '../../failover/store.js';
import { layoutOf, siteSystems } from '../../failover/layout.js';
import { runDirPid } from '../../vm/index.js';
import { renderPrograms } from '../../tagging/index.js';
import { diffRecorded } from '../flow-record.js';
import type { CheckDef, Judgement } from '../judge.js';
import { SkipCheck, Violations } from '../judge.js';

function noHypervisors(j: Judgement): boolean {
  if (layoutOf(j.ctx.model).vms.length) return false;
  throw new SkipCheck(`lab ${j.ctx.lab} has no hypervisors: nothing to fail over`);
}

/** What the probe observed on the live lab (failover/observe.ts). */
function observed(j: Judgement): FailoverObservation {
  const o = j.records?.failover;
  if (!o) throw new Error('the failover observation was not recorded by the probe');
  return o;
}

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
      const layout = layoutOf(j.ctx.model);
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
        layoutOf(j.ctx.model)
          .hypervisors.filter((h) => h.site)
          .flatMap((h) => siteSystems(j.ctx.model, h.site!).map((s) => [`${h.site}/${s.name}`, s.mac] as const)),
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
    async judge(j) {
      if (noHypervisors(j)) return;
      const diffs = await diffRecorded(j.records?.flows, renderPrograms(j.ctx.model, j.ctx.plan));
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
    id: 'failover/no-cross-tenant-frame-during-last-move',
    title: 'the last failover or fail-back delivered no frame of one tenant on a port of another',
    judge(j) {
      if (noHypervisors(j)) return;
      const last = readFailoverState(j.ctx.lab)?.last;
      if (!last || last.crossTenantFrames === undefined) {
        j.stats.noWatchedMove = 1;
        return;
      }
      j.stats.crossTenantFrames = last.crossTenantFrames;
      if (last.crossTenantFrames !== 0)
        throw new Error(
          `${last.crossTenantFrames} frame(s) of another tenant were captured on tenant ports during the last ${last.action}`,
        );
    },
  },
  {
    suite: 'failover',
    id: 'failover/stacks-during-last-move',
    title: "during the last failover or fail-back every captured train frame carried its port's planned stack",
    judge(j) {
      if (noHypervisors(j)) return;
      const last = readFailoverState(j.ctx.lab)?.last;
      if (!last?.stacksDuring) {
        j.stats.noWatchedMove = 1;
        return;
      }
      const s = last.stacksDuring;
      j.stats.checkedFrames = s.checked;
      j.stats.violations = s.violations;
      if (s.violations)
        throw new Error(
          `${s.violations} of ${s.checked} frame(s) off their port's stack during the last ${last.action}: ${s.samples.join('; ')}`,
        );
      if (!s.checked)
        throw new Error(
          `no train frame was captured on a tenant port during the last ${last.action}: the probe did not run`,
        );
    },
  },
];
