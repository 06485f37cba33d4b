// Runtime `attached`: a lab containerlab deployed and fabric adopted (attach.ts). status, exec and
// captures work as on the docker runtime (the containers' namespaces are linked at /run/netns).
// Its teardown is detach: it removes only what fabric added (the OpenFlow program: flows, groups
// and meters of the lab's bridges; the access ports' VLAN columns; the /run/netns links; the state
// file) and leaves containers, veths and bridges to `containerlab destroy`.
import { lstatSync, rmSync } from 'node:fs';
import { FabricError } from '../../errors/fabric-error.js';
import { hostNet } from '../../hostnet/index.js';
import { checkLabName } from '../../names/index.js';
import type { LabModel } from '../../topology/model.js';
import { DockerRuntime } from '../docker/index.js';
import { NETNS_DIR } from '../docker/containers.js';
import { planLab } from '../netns/plan.js';
import { timed } from '../netns/timed.js';
import { listStates, readState, removeState } from '../state.js';
import { emptyObjects } from '../state.js';
import type { DeployOptions, DestroyOptions, DestroyReport, LabState, ProgressEvent } from '../types.js';
import { accessPortCommands, ATTACHED_RUNTIME } from './attach.js';

const OF = { version: 'OpenFlow15' };

export async function detachLab(lab: string, onProgress?: (ev: ProgressEvent) => void): Promise<DestroyReport> {
  checkLabName(lab);
  const state = readState(lab);
  if (!state) throw new FabricError('E_LAB_NOT_FOUND', `lab ${lab} is not attached (no state file)`);
  if (state.runtime !== ATTACHED_RUNTIME)
    throw new FabricError(
      'E_WRONG_RUNTIME',
      `lab ${lab} was deployed by fabric (runtime ${state.runtime}), not attached`,
      {
        hint: `fabric down ${lab} removes it`,
      },
    );
  const plan = planLab(state.model);
  const stages: ProgressEvent[] = [];
  const h = hostNet();
  const have = new Set(await h.ovs.bridgeNames());
  const bridges = plan.ovsBridges.filter((b) => have.has(b.name));
  await timed(
    stages,
    'openflow',
    async () => {
      for (const b of bridges) {
        await h.ovs.bundle(b.name, 'flow delete\ngroup delete group_id=all\n', OF);
        await h.ovs.delMeters(b.name, { ...OF, tolerate: true });
      }
      await h.ovs.transaction(accessPortCommands({ ...plan, ovsBridges: bridges }, true));
    },
    () => `flows, groups and meters removed from ${bridges.length} bridges; access port VLANs cleared`,
    onProgress,
  );
  const links = state.created.netns;
  for (const l of links) {
    try {
      if (lstatSync(`${NETNS_DIR}/${l}`).isSymbolicLink()) rmSync(`${NETNS_DIR}/${l}`, { force: true });
    } catch {
      /* gone already */
    }
  }
  removeState(lab);
  return { lab, removed: { ...emptyObjects(), netns: links }, leftover: emptyObjects(), stages };
}

export class AttachedRuntime extends DockerRuntime {
  override readonly name: string = ATTACHED_RUNTIME;

  override async deploy(model: LabModel, _opts: DeployOptions = {}): Promise<LabState> {
    throw new FabricError(
      'E_USAGE',
      `runtime ${ATTACHED_RUNTIME} deploys nothing: containerlab deploys, fabric attaches`,
      {
        hint: `containerlab deploy -t ${model.name}.clab.yml, then fabric attach ${model.name} --clab ${model.name}.clab.yml`,
      },
    );
  }

  override async destroy(lab: string, opts: DestroyOptions = {}): Promise<DestroyReport> {
    return detachLab(lab, opts.onProgress);
  }

  override async destroyAll(opts: DestroyOptions = {}): Promise<DestroyReport[]> {
    const out: DestroyReport[] = [];
    for (const lab of listStates()) {
      if (opts.labFilter && !opts.labFilter(lab)) continue;
      if (readState(lab)?.runtime === ATTACHED_RUNTIME) out.push(await detachLab(lab, opts.onProgress));
    }
    return out;
  }
}
