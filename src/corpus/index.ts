/**
 * Real code as training data: verified transform variants, behaviour classes by execution and
 * a family-wise validation split, written as a dataset directory. See README.md.
 */
export {
  DEFAULT_PREPARE_OPTIONS,
  type PreparedCorpus,
  type PrepareOptions,
  type PrepareReport,
  prepareRealCode,
  verifyVariants,
} from "./prepare.js";
export {
  CORPUS_FILE,
  type CorpusManifest,
  reusablePreparation,
  sha256File,
  writePreparedCorpus,
} from "./store.js";
