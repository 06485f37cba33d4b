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
import { sleep } from '../netns/timed.js';
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
  opts: { docker?: ExecCapable; settleMs?: number } = {},
): Promise<FileDestroyReport> {
  checkLabName(lab);
  const rec = readRecord(lab);
  await ensureDockerd();
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
  await removeContainers(docker, ids);
  for (const l of rec?.netnsLinks ?? []) {
    const p = `${NETNS_DIR}/${l}`;
    try {
      if (lstatSync(p).isSymbolicLink()) rmSync(p, { force: true });
    } catch {
      /* gone already */
    }
  }
  const h = hostNet();
  if (rec?.mgmtBridge) await h.ip.delLink(null, rec.mgmtBridge);
  if (rec?.bridgesScript) {
    const down = rec.bridgesScript.replace(/\.bridges\.sh$/, '.bridges-down.sh');
    if (existsSync(down)) await h.proc.script(down, [], { timeout: 120_000 });
  }
  if (rec?.bridges.length) await h.ovs.delBridges(rec.bridges);
  // Host ends vanish with their containers' namespaces, asynchronously: wait, bounded, then
  // delete what is still there.
  const hostIfs = rec?.hostIfs ?? [];
  const end = Date.now() + (opts.settleMs ?? 20_000);
  let left = hostIfs;
  for (;;) {
    const have = new Set((await h.ip.links(null)).map((l) => l.ifname));
    left = hostIfs.filter((i) => have.has(i));
    if (!left.length || Date.now() > end) break;
    await sleep(100);
  }
  for (const i of left) await h.ip.delLink(null, i);
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
