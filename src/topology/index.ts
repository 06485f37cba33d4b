// The topology concept's public surface: load → validate → resolve, naming, containerlab output.
import { loadIntent, parseIntent, parseIntentBytes, type LoadOptions } from './load.js';
import type { LabModel } from './model.js';
import { resolve } from './resolve.js';
import { resolve as resolvePath } from 'node:path';

export type * from './model.js';
export type { FabricIntent } from './intent.js';
export { loadIntent, parseIntent, parseIntentBytes, type LoadedIntent, type LoadOptions } from './load.js';
export type { MachineFacts } from './validate/index.js';
export { MAX_INTENT_BYTES, MAX_LAB_NODES, MAX_NESTING } from './limits.js';
export { resolve, PROVIDER_VNI, VXLAN_PORT } from './resolve.js';
export { LabBuilder } from './builder.js';
export { bridgeName, portName, netnsName, IFNAMSIZ, SAFE_NAME } from '../names/index.js';
export { linkMtu } from './mtu.js';
export {
  formatImpair,
  impairedLinks,
  isEmptyImpair,
  parseImpair,
  IMPAIR_KEYS,
  type ImpairIntent,
  type ImpairKey,
  type ImpairSpec,
} from './impair.js';
export { renderClab, clabYaml, generateClab, validateClab, type ClabTopology } from './clab.js';
export { scaleLab, scaleLabName } from './scale.js';

/** Loads, validates and resolves a fabric.yml: the one call runtimes use. */
export async function loadLab(path: string, opts: LoadOptions = {}): Promise<LabModel> {
  const loaded = await loadIntent(path, opts);
  return resolve(loaded, resolvePath(path));
}

/** Same, from text (tests, tools); `file` is the name diagnostics show. */
export function loadLabText(text: string, file: string, source = file, opts: LoadOptions = {}): LabModel {
  return resolve(parseIntent(text, file, opts), source);
}

/** Same, from the file's bytes (the encoding is checked first). */
export function loadLabBytes(bytes: Uint8Array, file: string, source = file): LabModel {
  return resolve(parseIntentBytes(bytes, file), source);
}
