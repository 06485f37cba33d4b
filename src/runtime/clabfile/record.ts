// What the deploy-from-file stand-in made, written before anything exists and updated as it goes,
// so `fabric clab destroy` (or the rollback of a failed deploy) removes exactly that:
// `<state dir>/<lab>.clab-deploy.json`, beside (never inside) fabric's own state file.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FabricError } from '../../errors/fabric-error.js';
import { checkLabName } from '../../names/index.js';
import { stateDir } from '../state.js';

export interface FileDeployRecord {
  lab: string;
  file: string;
  phase: 'deploying' | 'deployed' | 'destroying';
  containers: string[];
  /** /run/netns links to the containers' namespaces. */
  netnsLinks: string[];
  /** OVS bridges the file names that were not on the machine before (the deploy's, by script or not). */
  bridges: string[];
  /** The bridges script whose teardown removes the bridges, when one was run. */
  bridgesScript: string | null;
  /** The management bridge, when a node keeps containerlab's management network. */
  mgmtBridge: string | null;
  /** Root-namespace interfaces this deploy created (veth host ends). */
  hostIfs: string[];
  /** One end of each link between two bridges: both ends are in the root namespace, so nothing removes them but us. */
  rootPairs?: string[];
}

export function recordPath(lab: string): string {
  return join(stateDir(), `${checkLabName(lab)}.clab-deploy.json`);
}

export function writeRecord(r: FileDeployRecord): void {
  mkdirSync(stateDir(), { recursive: true });
  const file = recordPath(r.lab);
  writeFileSync(`${file}.tmp`, JSON.stringify(r, null, 1) + '\n');
  renameSync(`${file}.tmp`, file);
}

export function readRecord(lab: string): FileDeployRecord | null {
  let text: string;
  try {
    text = readFileSync(recordPath(lab), 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as FileDeployRecord;
  } catch (err) {
    throw new FabricError('E_STATE_CORRUPT', `${recordPath(lab)} is unreadable`, {
      hint: `remove it; fabric clab destroy ${lab} still finds the containers by label`,
      cause: err,
    });
  }
}

export function removeRecord(lab: string): void {
  rmSync(recordPath(lab), { force: true });
}

const hex = (s: string, n: number) => createHash('sha256').update(s).digest('hex').slice(0, n);

/** containerlab's management network stands in as one Linux bridge per lab (no host address). */
export function mgmtBridgeName(lab: string): string {
  return `clabmg${hex(lab, 9)}`;
}

/** Host end of a node's management veth. */
export function mgmtHostIf(lab: string, node: string): string {
  return `cm${hex(`${lab}/${node}`, 13)}`;
}

/** containerlab's default management subnet: node i gets 172.20.20.(i+2)/24. */
export function mgmtAddress(i: number): string {
  if (i > 252) throw new FabricError('E_CLAB_FILE', 'more than 253 nodes on the management network');
  return `172.20.20.${i + 2}/24`;
}
