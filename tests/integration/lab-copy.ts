// Integration fixture: a renamed copy of the reference lab in a private temp folder, with its
// own state and capture dirs, so a suite never touches a real `mtdc` or another suite's lab.
// Import it before anything reads FABRIC_STATE_DIR / FABRIC_CAPTURE_DIR.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tryRun } from '../../src/hostnet/exec.js';
import { loadLabText } from '../../src/topology/index.js';
import type { LabModel } from '../../src/topology/model.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = ['--import', 'tsx', join(ROOT, 'tests/integration/cli-runner.ts')];

export interface LabCopy {
  lab: string;
  work: string;
  labFile: string;
  text: string;
  model: LabModel;
}

export function referenceLabCopy(lab: string): LabCopy {
  return labCopy('mtdc', lab);
}

/** The reference lab's network alone (no hypervisors, so no guest to boot), renamed. */
export function networkLabCopy(lab: string): LabCopy {
  return labCopy('mtdc', lab, 'tests/fixtures/labs/mtdc-network/fabric.yml');
}

/** A renamed copy of `labs/<source>/fabric.yml`, as referenceLabCopy does for the reference lab. */
export function labCopy(source: string, lab: string, path = `labs/${source}/fabric.yml`): LabCopy {
  const work = mkdtempSync(join(tmpdir(), `fabric-${lab}-`));
  // Gone when the suite passes; kept when it fails, since its captures are the evidence to read.
  process.once('exit', (code) => {
    if (code === 0) rmSync(work, { recursive: true, force: true });
  });
  process.env.FABRIC_STATE_DIR = join(work, 'state');
  process.env.FABRIC_CAPTURE_DIR = join(work, 'captures');
  const labFile = join(work, 'fabric.yml');
  const text = readFileSync(join(ROOT, path), 'utf8').replace(new RegExp(`^name: ${source}$`, 'm'), `name: ${lab}`);
  writeFileSync(labFile, text);
  return { lab, work, labFile, text, model: loadLabText(text, labFile) };
}

/** The CLI from source (no build needed); never throws on a non-zero exit. */
export async function cli(
  args: string[],
  timeout = 900_000,
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return tryRun(process.execPath, [...CLI, ...args], { timeout });
}

/** The CLI run inside a network namespace, as on a machine of that network; never throws. */
export async function cliIn(
  netns: string,
  args: string[],
  timeout = 900_000,
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return tryRun('ip', ['netns', 'exec', netns, process.execPath, ...CLI, ...args], { timeout });
}
