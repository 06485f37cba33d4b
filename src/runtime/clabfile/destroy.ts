// `fabric clab destroy <lab>`: removes what the deploy-from-file stand-in made (its record, plus
// every container carrying its label), the way `containerlab destroy` does: containers (their
// namespaces and veths go with them), the /run/netns links, the management bridge, and the OVS
// bridges (by the bridges script's teardown when a script made them). The record goes last, and
// only when nothing is left.
import { existsSync, lstatSync, rmSync } from 'node:fs';
import { FabricError } from '../../errors/fabric-error.js';
import { hostNet } from '../../hostnet/index.js';
import { checkLabName } from '../../names/index.js';
import { NETNS_DIR, removeContainers } from '../docker/containers.js';
import { dockerClient, ensureDockerd } from '../docker/engine.js';
import { sleep, timed } from '../netns/timed.js';
import type { ProgressEvent } from '../types.js';
import { DEPLOY_KEY, type ExecCapable } from './containers.js';
import { readRecord, removeRecord, writeRecord } from './record.js';

export interface FileDestroyReport {
  lab: string;
  containers: number;
  bridges: number;
  hostIfs: number;
}

async function labelled(docker: ExecCapable, lab: string): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${DEPLOY_KEY}=${lab}`] } });
  return list.map((c) => c.Id);
}

export async function destroyFromFile(
  lab: string,
  opts: {
    docker?: ExecCapable;
    ensureEngine?: () => Promise<unknown>;
    settleMs?: number;
    netnsDir?: string;
    onProgress?: (ev: ProgressEvent) => void;
  } = {},
): Promise<FileDestroyReport> {
  checkLabName(lab);
  const rec = readRecord(lab);
  await (opts.ensureEngine ?? ensureDockerd)();
  const docker = opts.docker ?? (dockerClient() as unknown as ExecCapable);
  if (rec) {
    rec.phase = 'destroying';
    writeRecord(rec);
  }
  const ids = await labelled(docker, lab);
  if (!rec && !ids.length)
    throw new FabricError('E_LAB_NOT_FOUND', `no lab ${lab} deployed from a file`, {
      hint: 'fabric clab deploy -t <file> deploys one',
    });
  const stages: ProgressEvent[] = [];
  const p = opts.onProgress;
  await timed(
    stages,
    'containers',
    () => removeContainers(docker, ids),
    () => `${ids.length} removed`,
    p,
  );
  for (const l of rec?.netnsLinks ?? []) {
    const p = `${opts.netnsDir ?? NETNS_DIR}/${l}`;
    try {
      if (lstatSync(p).isSymbolicLink()) rmSync(p, { force: true });
    } catch {
      /* gone already */
    }
  }
  const h = hostNet();
  await timed(
    stages,
    'bridges',
    async () => {
      if (rec?.mgmtBridge) await h.ip.delLink(null, rec.mgmtBridge);
      if (rec?.bridgesScript && existsSync(rec.bridgesScript))
        await h.proc.script(rec.bridgesScript, ['down'], { timeout: 120_000 });
      if (rec?.bridges.length) await h.ovs.delBridges(rec.bridges);
    },
    () =>
      `${rec?.bridges.length ?? 0} OVS bridges${rec?.bridgesScript ? ' (bridges script down)' : ''}${rec?.mgmtBridge ? ', management bridge' : ''}`,
    p,
  );
  // Links between two bridges are deleted (one end takes its peer); host ends whose peer was in
  // a container vanish with its namespace, asynchronously: wait, bounded, then delete the rest.
  const hostIfs = rec?.hostIfs ?? [];
  const end = Date.now() + (opts.settleMs ?? 20_000);
  await timed(
    stages,
    'settle',
    async () => {
      if (rec?.rootPairs?.length)
        await h.ip.batch(
          rec.rootPairs.map((i) => `link del dev ${i}`),
          { force: true },
        );
      let left = hostIfs;
      for (;;) {
        const have = new Set((await h.ip.links(null)).map((l) => l.ifname));
        left = hostIfs.filter((i) => have.has(i));
        if (!left.length || Date.now() > end) break;
        await sleep(100);
      }
      for (const i of left) await h.ip.delLink(null, i);
      return left.length;
    },
    (n) => `${hostIfs.length - n} host ends gone with their containers, ${n} deleted`,
    p,
  );
  const stillIds = await labelled(docker, lab);
  const have = new Set((await h.ip.links(null)).map((l) => l.ifname));
  const brs = new Set(await h.ovs.bridgeNames());
  const leftovers = [
    ...stillIds.map((i) => `container ${i.slice(0, 12)}`),
    ...hostIfs.filter((i) => have.has(i)).map((i) => `interface ${i}`),
    ...(rec?.bridges ?? []).filter((b) => brs.has(b)).map((b) => `bridge ${b}`),
    ...(rec?.mgmtBridge && have.has(rec.mgmtBridge) ? [`bridge ${rec.mgmtBridge}`] : []),
  ];
  if (leftovers.length)
    throw new FabricError('E_TEARDOWN_INCOMPLETE', `lab ${lab}: ${leftovers.slice(0, 5).join(', ')} left`, {
      hint: `run fabric clab destroy ${lab} again (the record is kept until everything is gone)`,
    });
  removeRecord(lab);
  return { lab, containers: ids.length, bridges: rec?.bridges.length ?? 0, hostIfs: hostIfs.length };
}
