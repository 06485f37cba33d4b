// The run's state file (<run-dir>/state.json): which capturers we started (PID + start time), so
// `fabric capture <lab> stop` in another process can stop exactly those and finalize the run.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FabricError } from '../errors/fabric-error.js';
import type { CaptureSelection } from './select.js';
import type { TcpdumpOptions } from '../hostnet/index.js';
import type { CaptureTarget } from './target.js';

export type RunPhase = 'starting' | 'capturing' | 'stopping' | 'stopped' | 'failed';
export type StopHow = 'sigint' | 'sigterm' | 'sigkill' | 'exited-early' | 'gone';

export interface CapturerState {
  id: string;
  pid: number;
  startTicks: number;
  /** Capture and stderr file names, relative to the run dir. */
  file: string;
  stderrFile: string;
  argv: string[];
  startedAt: string;
  listeningAt: string | null;
  stopRequestedAt: string | null;
  exitedAt: string | null;
  exitCode: number | null;
  stopHow: StopHow | null;
}

export interface CaptureState {
  stateVersion: 1;
  lab: string;
  runId: string;
  runtime: string;
  planHash: string | null;
  /** tshark decode-as items of the plan (`mpls.label==1001,pwethnocw`), for the merged pcapng's comment. */
  decodeAs?: string[];
  phase: RunPhase;
  orchestrator: { pid: number; startTicks: number; detached: boolean };
  startedAt: string;
  stoppedAt: string | null;
  selection: CaptureSelection;
  tcpdump: TcpdumpOptions;
  merge: boolean;
  targets: CaptureTarget[];
  skipped: { linkId: string; node: string; ifname: string; reason: string }[];
  capturers: CapturerState[];
  error: string | null;
}

export const STATE_FILE = 'state.json';
export const MANIFEST_FILE = 'manifest.json';

export async function writeState(dir: string, s: CaptureState): Promise<void> {
  const tmp = join(dir, `.${STATE_FILE}.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(s, null, 2) + '\n');
  await rename(tmp, join(dir, STATE_FILE)); // atomic: a reader never sees half a file
}

export async function readState(dir: string): Promise<CaptureState> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch (err) {
    throw new FabricError('E_CAPTURE_NO_RUN', `no capture state in ${dir}`, {
      cause: err,
      hint: 'list runs with `fabric capture <lab> list`',
    });
  }
  const s = JSON.parse(text) as CaptureState;
  if (s.stateVersion !== 1)
    throw new FabricError(
      'E_CAPTURE_STATE',
      `${join(dir, STATE_FILE)}: unknown stateVersion ${String(s.stateVersion)}`,
    );
  return s;
}
