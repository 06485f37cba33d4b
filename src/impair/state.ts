// The impairment record of a lab: which links carry which impairment, by which mechanism, and for
// relays the namespaces, the moved link end and the relay process (PID and start time), so
// `fabric impair --clear` and `fabric down` undo exactly what was done. Kept beside the lab state
// (`<state dir>/impair/<lab>.json`), written before each change and after it.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import type { OwnedProcess } from '../hostnet/index.js';
import { checkLabName } from '../names/index.js';
import { stateDir } from '../runtime/index.js';
import type { ImpairSpec } from '../topology/index.js';
import type { Mechanism, ImpairParam } from './mechanism.js';

/** One end of the link as the runtime placed it. */
export interface EndRef {
  node: string;
  ifname: string;
  netns: string | null;
  mac?: string;
  mtu: number;
}

export interface RelayRecord {
  /** Namespace holding the moved end, the new veth, VXLAN devices, hub bridges and tbf. */
  relayNs: string;
  /** Namespace of the relay process. */
  procNs: string;
  /** The end recreated on its node (its old interface now lives in relayNs as `ra`). */
  moved: EndRef;
  /** The end left untouched. */
  kept: EndRef;
  /** OpenFlow port number kept for a moved OVS port (ofport_request). */
  ofport?: number;
  process?: OwnedProcess;
  log: string;
  seed: number;
}

export interface LinkImpair {
  link: string;
  spec: ImpairSpec;
  serves: [ImpairParam, Mechanism][];
  /** 'declared' (fabric.yml) or 'runtime' (fabric impair). */
  source: 'declared' | 'runtime';
  relay?: RelayRecord;
  /** netem: the two ends carrying the qdisc. */
  netemEnds?: EndRef[];
  since: string;
}

export interface ImpairState {
  lab: string;
  links: LinkImpair[];
}

export function impairDir(): string {
  return join(stateDir(), 'impair');
}

export function impairStatePath(lab: string): string {
  return join(impairDir(), `${checkLabName(lab)}.json`);
}

export function readImpairState(lab: string): ImpairState {
  let text: string;
  try {
    text = readFileSync(impairStatePath(lab), 'utf8');
  } catch {
    return { lab, links: [] };
  }
  try {
    const s = JSON.parse(text) as ImpairState;
    if (s.lab !== lab || !Array.isArray(s.links)) throw new Error('unexpected content');
    return s;
  } catch (err) {
    throw new FabricError('E_STATE_CORRUPT', `impairment state ${impairStatePath(lab)} is unreadable`, {
      hint: 'fabric down <lab> removes the relays by their namespaces; then remove the file',
      cause: err,
    });
  }
}

/** Atomic write (tmp + rename). */
export function writeImpairState(s: ImpairState): void {
  mkdirSync(impairDir(), { recursive: true });
  const file = impairStatePath(s.lab);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(s, null, 1) + '\n');
  renameSync(tmp, file);
}

export function removeImpairState(lab: string): void {
  rmSync(impairStatePath(lab), { force: true });
}

export function putLink(s: ImpairState, rec: LinkImpair): void {
  s.links = [...s.links.filter((l) => l.link !== rec.link), rec];
}
