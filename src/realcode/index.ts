/**
 * Real Python code in: functions of `.py` sources and `.jsonl` rows with their argument types
 * (from type hints), the inputs real code runs on, the leak check between training and
 * evaluation code, and real code prepared as training data (verified transform variants,
 * behaviour classes by execution, a family-wise validation split). See README.md.
 */

export {
  CONFIG_FILE,
  ConfigError,
  type FunctionSettings,
  MAX_INPUTS,
  type RunSettings,
  readTypesConfig,
  SettingsResolver,
  type TypesConfig,
} from "./config.js";
export {
  CORPUS_FILE,
  type CorpusManifest,
  reusablePreparation,
  sha256File,
  writePreparedCorpus,
} from "./corpus.js";
export {
  type Doctest,
  type ExtractedFunction,
  extractFile,
  extractFunctions,
  extractFunctionsAsync,
  type FunctionKind,
  type ParamInfo,
} from "./extract.js";
export { type HintResult, mapHint } from "./hints.js";
export {
  describeSignature,
  type Evidence,
  FALLBACK_TYPES,
  type Inference,
  inferSignature,
  type ParamChoice,
  type SignatureCandidate,
  type UserTypes,
  WRAPPER_ENTRY,
} from "./infer.js";
export { REAL_INPUTS, REAL_INT_RANGE } from "./inputs.js";
export * from "./leakcheck/index.js";
export { type Literal, literalOf } from "./literals.js";
export {
  DEFAULT_PREPARE_OPTIONS,
  type PreparedCorpus,
  type PrepareOptions,
  type PrepareReport,
  prepareRealCode,
  verifyVariants,
} from "./prepare.js";
export {
  type Candidate,
  type CandidateOptions,
  callSitesOf,
  candidatesOf,
  contentHash,
  enclosingPackage,
  forgetPackages,
  listSourceFiles,
  PACKAGE_MAX_CHARS,
  packageHash,
  packageOf,
  packageRoot,
  pythonText,
  readSource,
  type SourceFile,
} from "./sources.js";
