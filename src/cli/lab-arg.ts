// The lab argument of every verb, resolved one way: a lab file (`labs/mtdc/fabric.yml`, or a model
// JSON from `fabric generate --model`), a lab folder (`labs/mtdc`) or a lab name (`mtdc`), given
// as the positional argument or as `-t/--topo` (containerlab's spelling). A name finds
// labs/<name>/fabric.yml in the current repository (the working directory or the nearest ancestor
// with a package.json or .git) and then in the installed package, so `cd /tmp && fabric plan mtdc`
// works wherever fabric is installed from.
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { FabricError } from '../errors/fabric-error.js';
import { isLabName } from '../names/index.js';
import type { LoadOptions } from '../topology/index.js';
import type { LabModel } from '../topology/model.js';

/** The package this module belongs to: dist/cli/ (installed) or src/cli/ (tests), two levels up. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LabArg {
  /** The lab's file, when the argument is a path or a name with a lab folder in a labs/ root. */
  file: string | null;
  /** The argument, when it is a plain lab name (a deployed lab is looked up by it). */
  name: string | null;
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** The repository around `cwd`: the nearest ancestor (or cwd itself) with a package.json or .git. */
function repositoryOf(cwd: string): string | null {
  for (let d = resolve(cwd); ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json')) || existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return null;
  }
}

/** The labs/ folders searched for a lab name, in order, without duplicates. */
export function labRoots(cwd = process.cwd(), packageRoot = PACKAGE_ROOT): string[] {
  const repo = repositoryOf(cwd);
  const roots = [join(cwd, 'labs'), ...(repo ? [join(repo, 'labs')] : []), join(packageRoot, 'labs')].map((r) =>
    resolve(r),
  );
  return [...new Set(roots)].filter(isDir);
}

/** A path as diagnostics show it: relative to `cwd` when inside it, else absolute. */
function shown(cwd: string, abs: string): string {
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** What a lab argument points at; both fields null when it is neither a path nor a lab name. */
export function resolveLabArg(arg: string, o: { cwd?: string; packageRoot?: string } = {}): LabArg {
  const cwd = o.cwd ?? process.cwd();
  const path = resolve(cwd, arg);
  if (isFile(path)) return { file: shown(cwd, path), name: null };
  if (isDir(path) && isFile(join(path, 'fabric.yml')))
    return { file: shown(cwd, join(path, 'fabric.yml')), name: null };
  if (!isLabName(arg)) return { file: null, name: null };
  const file = labRoots(cwd, o.packageRoot)
    .map((r) => join(r, arg, 'fabric.yml'))
    .find(isFile);
  return { file: file ? shown(cwd, file) : null, name: arg };
}

/** Adds the lab operand: `[lab]` plus `-t, --topo <lab>`, as containerlab spells it. */
export function labOperand(cmd: Command, description: string): Command {
  return cmd
    .argument('[lab]', description)
    .option('-t, --topo <lab>', `the lab (instead of the operand): ${description}`);
}

/** The one lab argument of a verb: the operand or --topo, exactly one of them. */
export function pickLab(operand: string | undefined, topo: string | undefined): string {
  if (operand && topo)
    throw new FabricError('E_USAGE', `two labs given: ${operand} and --topo ${topo}`, { hint: 'give one of them' });
  const lab = operand ?? topo;
  if (!lab) throw new FabricError('E_USAGE', 'missing lab', { hint: 'fabric <verb> mtdc, or -t labs/mtdc/fabric.yml' });
  return lab;
}

function notFound(arg: string): FabricError {
  return new FabricError('E_LAB_NOT_FOUND', `no lab file, lab folder or lab named ${arg}`, {
    hint: `lab names are looked up in ${labRoots().join(', ') || 'labs/ (none found)'}; or give labs/<lab>/fabric.yml`,
  });
}

/** The lab file an argument points at (for verbs that read the intent: up, generate). */
export function labFileOf(arg: string): string {
  const r = resolveLabArg(arg);
  if (!r.file) throw notFound(arg);
  return r.file;
}

/** A lab's name: the argument itself when it is a name, else the name inside the lab file. */
export async function labNameOf(arg: string): Promise<string> {
  const r = resolveLabArg(arg);
  if (r.name) return r.name;
  if (!r.file) throw notFound(arg);
  return (await loadModelFile(r.file)).name;
}

/**
 * A lab argument → its LabModel: the deployed state when the lab is up (what the switches run),
 * otherwise the lab file resolved afresh. `deployed` requires the lab to be up.
 */
export async function labModelOf(arg: string, opts: { deployed?: boolean } = {}): Promise<LabModel> {
  const r = resolveLabArg(arg);
  if (r.name || opts.deployed) {
    const { readState } = await import('../runtime/index.js');
    const lab = r.name ?? (r.file ? (await loadModelFile(r.file)).name : null);
    const state = lab ? readState(lab) : null;
    // A name with a lab folder is read from the file unless `deployed` asks for the running lab,
    // so `fabric plan mtdc` is the same plan on every machine.
    if (state && (opts.deployed || !r.file)) return state.model;
    if (opts.deployed && lab)
      throw new FabricError('E_LAB_NOT_FOUND', `lab ${lab} is not deployed (no state file)`, {
        hint: `fabric up ${arg}`,
      });
  }
  if (!r.file) throw notFound(arg);
  return loadModelFile(r.file);
}

/** A fabric.yml, or a resolved LabModel as JSON (`fabric generate --model`, e.g. scale labs). */
export async function loadModelFile(file: string, opts: LoadOptions = {}): Promise<LabModel> {
  if (file.endsWith('.json')) {
    const { readFile } = await import('node:fs/promises');
    const m = JSON.parse(await readFile(file, 'utf8')) as LabModel;
    if (!m || typeof m.name !== 'string' || !Array.isArray(m.nodes) || !Array.isArray(m.links)) {
      throw new FabricError('E_BAD_MODEL_FILE', `${file} is not a lab model`, {
        hint: 'write one with fabric generate --model',
      });
    }
    return m;
  }
  const { loadLab } = await import('../topology/index.js');
  return loadLab(file, opts);
}
