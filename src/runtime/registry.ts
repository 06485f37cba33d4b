// Runtimes by name (containerlab style: `--runtime netns|docker|containerlab`). `netns` is the
// default embedded runtime; docker and containerlab register here too (runtime/index.ts).
import { FabricError } from '../errors/fabric-error.js';
import type { Runtime } from './types.js';

export type RuntimeFactory = () => Runtime;

const factories = new Map<string, RuntimeFactory>();

export const DEFAULT_RUNTIME = 'netns';

export function registerRuntime(name: string, factory: RuntimeFactory): void {
  factories.set(name, factory);
}

export function runtimeNames(): string[] {
  return [...factories.keys()].sort();
}

export function getRuntime(name: string = DEFAULT_RUNTIME): Runtime {
  const f = factories.get(name);
  if (!f) {
    throw new FabricError('E_UNKNOWN_RUNTIME', `unknown runtime "${name}"`, {
      hint: `known runtimes: ${runtimeNames().join(', ')}`,
    });
  }
  return f();
}

/** Whether a runtime can serve `impair:` blocks: the impairment layer plans netns links only. */
export function runtimeImpairs(name: string): boolean {
  return name === DEFAULT_RUNTIME;
}
