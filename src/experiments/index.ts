/** Training runs, their examples and protocol, and the run/sweep directory schemas. */
export {
  type Example,
  type Examples,
  HELD_OUT_VARIANTS,
  positivesOf,
  splitExamples,
} from "./examples.js";
export {
  describeOverrides,
  expandPresets,
  type Overrides,
  PRESET_NAMES,
  PRESETS,
  type Preset,
  type PresetConfig,
  QUICK_EPOCH_SCALE,
  quickEpochs,
} from "./presets.js";
export {
  CODE_ONLY_ENCODERS,
  LeakError,
  leakCheckFiles,
  REALCODE_DEFAULTS,
  type RealCodeOptions,
  type RealCodeResult,
  recordedPath,
  trainRealCode,
} from "./realcode.js";
export * from "./schemas.js";
export { trainStdlibCorpus } from "./stdlib.js";
export {
  expectedCost,
  INTERRUPTED_EXIT,
  type PlannedRun,
  type PlanOptions,
  planSweep,
  type RunStatus,
  readManifest,
  runDir,
  runName,
  runSweep,
  type SweepOptions,
  type SweepPlan,
  type SweepSummary,
  sweepStatus,
  type WorkerMessage,
} from "./sweep.js";
export { HARD_K, type TrainOptions, trainRun } from "./train.js";
