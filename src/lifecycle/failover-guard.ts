// A converging `fabric up` on a lab whose virtual hypervisors are set up: a failover moves sites
// and VMs in the deployed model (the state file), so the intent no longer describes where they
// run. Re-linking or re-tagging them from the intent while their guests run elsewhere would cut a
// running guest's tap and send a site's frames to a hypervisor that no longer carries it. Such an
// up is refused before anything changes, naming what moved; everything else converges as usual.
import { existsSync, readdirSync } from 'node:fs';
import { FabricError } from '../errors/fabric-error.js';
import { failoverDir, layoutOf, moveVm, readFailoverState } from '../failover/index.js';
import type { LabModel } from '../topology/model.js';
import type { LabDiff } from './diff.js';
import { guestRoot } from './guests.js';
import { qemuUnder } from './orphans.js';

const OWNED = new Set(['hypervisor', 'vxlan-gateway', 'vm']);

/** Nodes and links of the diff that the failover layer edits (hypervisors, their gateways, VMs). */
export function failoverTouched(d: LabDiff): string[] {
  const nodes = [...d.nodes.added, ...d.nodes.removed, ...d.nodes.changed].filter((c) =>
    OWNED.has((c.before ?? c.after)!.role),
  );
  const owned = new Set(nodes.map((c) => c.name));
  const links = [...d.links.added, ...d.links.removed, ...d.links.changed].filter((c) => {
    const l = (c.before ?? c.after)!;
    return l.class === 'hypervisor' || l.endpoints.some((e) => owned.has(e.node));
  });
  return [...nodes.map((c) => `node ${c.name}`), ...links.map((c) => `link ${c.name}`)];
}

/** Where the deployed model places sites and VMs differently from the intent. */
export function movedByFailover(deployed: LabModel, intent: LabModel): string[] {
  const was = layoutOf(deployed);
  const now = layoutOf(intent);
  const out: string[] = [];
  for (const h of now.hypervisors.filter((x) => x.site)) {
    const at = was.hypervisors.find((x) => x.site === h.site);
    if (at && at.name !== h.name) out.push(`site ${h.site} is on ${at.name} (the intent: ${h.name})`);
  }
  for (const v of now.vms) {
    const at = was.vms.find((x) => x.name === v.name);
    if (at && at.host !== v.host) out.push(`virtual hypervisor ${v.name} is on ${at.host} (the intent: ${v.host})`);
    else if (at && at.state !== v.state)
      out.push(`virtual hypervisor ${v.name} is ${at.state} (the intent: ${v.state})`);
  }
  return out;
}

/**
 * The intent with the running guests' ports: a VM that a failover moved away and back (a fail-back
 * returns an evacuee on a fresh port) runs on the same hypervisor as the intent says, through
 * another tap. Those ports are kept, so the converge leaves the running guest's tap alone.
 */
export function keepGuestPorts(intent: LabModel, deployed: LabModel): LabModel {
  const out = structuredClone(intent);
  const was = new Map(layoutOf(deployed).vms.map((v) => [v.name, v]));
  for (const v of layoutOf(out).vms) {
    const at = was.get(v.name);
    if (!at || at.host !== v.host || at.tap === v.tap) continue;
    const label = at.linkId.split('--')[1]?.slice(at.host.length + 1);
    if (label) moveVm(out, v.name, v.host, { ifname: at.tap, label });
  }
  return out;
}

/** True when the lab has virtual hypervisors set up (a failover record, run directories or live guests). */
export function guestsSetUp(lab: string): boolean {
  if (readFailoverState(lab)) return true;
  const root = guestRoot(lab);
  if (existsSync(root) && readdirSync(root).length) return true;
  return qemuUnder(failoverDir(), lab).length > 0;
}

/** The refusal of a converging up that would re-place what a failover moved, or null. */
export function failoverConflict(d: LabDiff, deployed: LabModel, intent: LabModel, setUp: boolean): FabricError | null {
  if (!setUp) return null;
  const touched = failoverTouched(d);
  if (!touched.length) return null;
  const lab = intent.name;
  const moved = movedByFailover(deployed, intent);
  const shown = (xs: string[]) => (xs.length > 6 ? [...xs.slice(0, 6), `… ${xs.length - 6} more`] : xs).join('; ');
  if (moved.length)
    return new FabricError(
      'E_UP_FAILED_OVER',
      `lab ${lab} runs failed over: ${shown(moved)}; fabric up would re-place them from the intent while their guests run there`,
      {
        hint: `fabric failover failback ${lab} returns them (then fabric up converges), or fabric down ${lab} and up again`,
      },
    );
  return new FabricError(
    'E_UP_FAILED_OVER',
    `lab ${lab} has virtual hypervisors set up, and the difference touches them (${shown(touched)}): fabric up would re-link running guests`,
    {
      hint: `fabric failover teardown ${lab} stops the guests (then fabric up converges), or fabric down ${lab} and up again`,
    },
  );
}
