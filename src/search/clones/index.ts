/**
 * Clone evaluation (`tracecode eval-clones`) and the dissimilarities it compares: execution
 * agreement on shared inputs, learned embeddings, a lexical and a structural TF-IDF baseline,
 * name-free evaluation and the "no equivalent" threshold. See ../README.md.
 */

export { type InferredArgs, inferRowArgs } from "./args.js";
export {
  type EvalClonesOptions,
  type EvalClonesResult,
  evalClones,
  type Measured,
  MODES,
  type Mode,
  type NameFreeReport,
  THRESHOLD_MODES,
  type ThresholdMode,
} from "./eval-clones.js";
export { agreement, execDissimilarity } from "./exec.js";
export { lexicalDissimilarity, tfidfVectors } from "./lexical.js";
export { nodeTypes, structureDissimilarity } from "./structure.js";
export {
  calibrateThreshold,
  chooseThreshold,
  PRECISION_TARGET,
  readThreshold,
  StoredThreshold,
  THRESHOLD_FILE,
  type ThresholdReport,
  writeThreshold,
} from "./threshold.js";
