// Nested-hypervisor failover: engine, layout, probes, timeline. docs/failover.md.
export {
  setupFailover,
  runFailover,
  runFailback,
  teardownFailover,
  failoverStatus,
  verify,
  releaseHandles,
  GUEST_MEMORY_MIB,
  type FailoverOptions,
  type SetupOptions,
  type VmStatus,
} from './engine.js';
export {
  failoverWithProbe,
  failbackWithProbe,
  flowsFor,
  capturePoints,
  watchFlows,
  type ProbeOptions,
  type Watched,
} from './with-probe.js';
export {
  layoutOf,
  chooseTarget,
  moveSite,
  moveVm,
  nextPort,
  setVmState,
  siteSystems,
  type Layout,
  type HvInfo,
  type VmInfo,
  type FailoverTarget,
} from './layout.js';
export { vswitchScript, customerVmsScript, inspectScript, parseInspect } from './guest.js';
export { patternOf, foreignFrames, eachFrame } from './probe.js';
export { buildEchoTrain, analyseEchoTrain, analyseEchoCapture, echoTrainSize, type EchoFlow } from './echo-train.js';
export { takeLock, readFailoverState, failoverDir, type FailoverState } from './store.js';
export { TRIGGERS, formatTimeline, type Timeline, type Trigger, type StepRecord, type FlowLoss } from './timeline.js';
