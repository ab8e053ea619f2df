/**
 * Sandboxed Python execution and tracing (knows Python, not ML). See README.md here for the
 * block and value semantics, the value encoding, the sandbox layers and the limits.
 */
export {
  DEFAULT_RANGE,
  drawValue,
  generateInputs,
  type IntRange,
  inputSet,
} from "./inputs.js";
export {
  DEFAULT_MAX_STEPS,
  DEFAULT_TIMEOUT_MS,
  type InputSet,
  type PackageFiles,
  type PoolOptions,
  type RawRun,
  type SnippetJob,
  type SnippetResult,
  type StaticBlock,
  setUnsafeNoIsolation,
  TracerPool,
} from "./pool.js";
export {
  classHash,
  ioClassOf,
  raisedType,
  type TraceOptions,
  traceClassOf,
  traceFunctions,
} from "./trace.js";
export {
  startWarmServer,
  stopWarmServer,
  traceWarm,
  type WarmOptions,
  type WarmTraceOptions,
  warmSocketPath,
} from "./warm.js";
