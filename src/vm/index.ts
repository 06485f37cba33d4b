// QEMU guests that play the virtual hypervisors of failover: image, launch, control channel, QMP, migration.
export {
  ensureGuestImage,
  imageInputs,
  hashInputs,
  defaultCacheDir,
  BUILDER_VERSION,
  type GuestImage,
  type ImageInputs,
  type ImageOptions,
} from './image.js';
export { DEFAULT_GUEST_MODULES, OPTIONAL_GUEST_MODULES, resolveLoadOrder } from './modules.js';
export {
  QemuVm,
  buildQemuArgs,
  kernelCmdline,
  migrationTargetSpec,
  precopyWhileRunning,
  runDirPid,
  stopRunDir,
  vmPaths,
  DEFAULT_MEMORY_MIB,
  MIN_MEMORY_MIB,
  type Accel,
  type MigrationResult,
  type NicSpec,
  type StartOptions,
  type VmSpec,
} from './qemu.js';
export { accelPreference, probeKvm, resolveAccel, type AccelPreference, type AccelProbe } from './accel.js';
export { estimateGuestMemory, formatEstimate, QEMU_OVERHEAD_MIB, type GuestMemoryEstimate } from './memory.js';
export { AgentClient, type GuestRunOptions } from './agent-client.js';
export { QmpClient, type QmpEvent } from './qmp.js';
export { argvToShell, shellQuote, parseAgentLine, encodeRequest, type AgentResponse } from './protocol.js';
export { createTap, deleteTap, ovsAddPort, ovsDelPort } from './tap.js';
export { AGENT_PORT_NAME, GUEST_HOST_BINARIES } from './guest-scripts.js';
