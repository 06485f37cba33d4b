// Runtime entry point: the registry with the embedded `netns` runtime registered as default.
import { NetnsRuntime } from './netns/index.js';
import { DockerRuntime } from './docker/index.js';
import { ContainerlabRuntime } from './containerlab/index.js';
import { AttachedRuntime } from './clabfile/attached.js';
import { registerRuntime } from './registry.js';

registerRuntime('netns', () => new NetnsRuntime());
registerRuntime('docker', () => new DockerRuntime());
registerRuntime('containerlab', () => new ContainerlabRuntime());
registerRuntime('attached', () => new AttachedRuntime());

export { DEFAULT_RUNTIME, getRuntime, registerRuntime, runtimeImpairs, runtimeNames } from './registry.js';
export { buildStatus, formatStatus } from './status.js';
export { readState, statePath, stateDir, listStates } from './state.js';
export { ensureOvs } from '../hostnet/ovs-daemon.js';
export { netnsName, labAlias } from '../names/index.js';
export type * from './types.js';
