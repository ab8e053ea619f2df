/** Training runs, their examples and protocol, and the run/sweep directory schemas. */
export {
  type Example,
  type Examples,
  HELD_OUT_VARIANTS,
  positivesOf,
  splitExamples,
} from "./examples.js";
export {
  expandPresets,
  type Overrides,
  PRESET_NAMES,
  PRESETS,
  type PresetConfig,
  QUICK_EPOCH_SCALE,
  quickEpochs,
} from "./presets.js";
export * from "./schemas.js";
export {
  type PlannedRun,
  planSweep,
  readManifest,
  runName,
  runSweep,
  type SweepOptions,
  type SweepPlan,
  type SweepSummary,
} from "./sweep.js";
export { HARD_K, type TrainOptions, trainRun } from "./train.js";
