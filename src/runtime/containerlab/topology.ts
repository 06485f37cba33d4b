// The deployable containerlab topology for container runtimes: the generated topology with every
// linux node on a locally present image and `network-mode: none` (no management bridge joining
// tenants). Written beside the lab state (`<state dir>/<lab>.clab.yml`); the docker runtime points
// containerlab's `clab-topo-file` label at it, the containerlab runtime deploys it.
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { FabricError } from '../../errors/fabric-error.js';
import { renderClab, validateClab, type ClabTopology } from '../../topology/clab.js';
import type { LabModel } from '../../topology/model.js';
import { stateDir } from '../state.js';
import { checkLabName, LAB_KEY } from '../../names/index.js';

export function clabFilePath(lab: string): string {
  return join(stateDir(), `${checkLabName(lab)}.clab.yml`);
}

/** containerlab's lab directory for a topology file (`clab-<lab>` beside it). */
export function clabLabDir(lab: string): string {
  return join(dirname(clabFilePath(lab)), `clab-${lab}`);
}

/** renderClab() with local images and network-mode none on linux nodes. */
export function containerTopology(model: LabModel, imageOf: (node: string) => string | undefined): ClabTopology {
  const topo = renderClab(model);
  const byClabName = new Map<string, string>();
  for (const n of model.nodes) if (n.kind === 'linux') byClabName.set(n.name, n.name);
  for (const [name, node] of Object.entries(topo.topology.nodes)) {
    if (node.kind !== 'linux') continue;
    const image = imageOf(byClabName.get(name) ?? name);
    const out = node as typeof node & { 'network-mode'?: string };
    if (image) out.image = image;
    out['network-mode'] = 'none';
    // containerlab copies node labels onto the container: our lab marker finds it at teardown.
    out.labels = { ...(out.labels ?? {}), [LAB_KEY]: model.name };
  }
  return topo;
}

/** YAML text; `validate` checks it against containerlab's schema (E_CLAB_INVALID). */
export function containerTopologyText(
  model: LabModel,
  imageOf: (node: string) => string | undefined,
  validate: boolean,
): string {
  const topo = containerTopology(model, imageOf);
  if (validate) {
    const problems = validateClab(topo);
    if (problems.length)
      throw new FabricError(
        'E_CLAB_INVALID',
        `containerlab topology for ${model.name} violates the schema: ${problems.slice(0, 5).join('; ')}`,
      );
  }
  return (
    `# Written by fabric for lab ${model.name} (container runtimes): local images, network-mode none.\n` +
    `# OVS bridges are created by fabric before containerlab deploy; tags are programmed after.\n` +
    stringify(topo, { lineWidth: 0, indent: 2 })
  );
}

export function writeContainerTopology(
  model: LabModel,
  imageOf: (node: string) => string | undefined,
  validate: boolean,
): string {
  const file = clabFilePath(model.name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, containerTopologyText(model, imageOf, validate));
  return file;
}

export function removeContainerTopology(lab: string): void {
  rmSync(clabFilePath(lab), { force: true });
}
