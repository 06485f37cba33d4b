// failover: on a lab with hypervisors, where every virtual hypervisor runs (QEMU process
// alive, tap on the bridge of the hypervisor the model names: "runs on C2" after an evacuation),
// the customer VMs answer at their declared IP and MAC from every DC of their tenant, the live
// flows equal the plan of the current placement, and the last failover moved no frame across
// tenants. Isolation and tag stacks during the move are judged by the isolation/tag-stack suites
// run before and after, plus the failover's own per-port captures (crossTenantFrames, and each
// train frame against its port's planned stack: stacksDuring).
// On a lab without hypervisors every check is reported skipped, with that reason.
import { execa } from 'execa';
import { readFailoverState } from '../../failover/store.js';
import { layoutOf, siteSystems } from '../../failover/layout.js';
import { runDirPid } from '../../vm/index.js';
import { diffPrograms, renderPrograms } from '../../tagging/index.js';
import type { CheckDef, Judgement } from '../judge.js';
import { SkipCheck, Violations } from '../judge.js';

function noHypervisors(j: Judgement): boolean {
  if (layoutOf(j.ctx.model).vms.length) return false;
  throw new SkipCheck(`lab ${j.ctx.lab} has no hypervisors: nothing to fail over`);
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
        const br = (await execa('ovs-vsctl', ['port-to-br', vm.tap], { reject: false })).stdout.trim();
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
      let asked = 0;
      for (const h of layoutOf(j.ctx.model).hypervisors.filter((x) => x.site)) {
        const tenant = h.site!.split('/')[0];
        for (const sys of siteSystems(j.ctx.model, h.site!)) {
          const ip = sys.ip.split('/')[0]!;
          const dcs = [...new Set(j.ctx.systems.filter((s) => s.tenant === tenant).map((s) => s.dc))];
          for (const dc of dcs) {
            const from = j.ctx.systems.find((s) => s.tenant === tenant && s.dc === dc && s.vlan === sys.vlan);
            if (!from) continue;
            asked++;
            const p = await execa(
              'ip',
              ['netns', 'exec', from.netns, 'ping', '-n', '-c', '3', '-i', '0.3', '-W', '2', ip],
              { reject: false },
            );
            if (!/ [1-9]\d* received/.test(p.stdout))
              v.add(`${from.node.name} (${dc}) → ${h.site}/${sys.name} ${ip}: no answer`);
            const n = await execa('ip', ['netns', 'exec', from.netns, 'ip', 'neigh', 'show', ip], { reject: false });
            const mac = /lladdr ([0-9a-f:]+)/.exec(n.stdout)?.[1];
            if (mac !== sys.mac)
              v.add(`${from.node.name} (${dc}) → ${ip}: answered from MAC ${mac ?? 'none'}, declared ${sys.mac}`);
          }
        }
      }
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
      const diffs = await diffPrograms(renderPrograms(j.ctx.model, j.ctx.plan));
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
