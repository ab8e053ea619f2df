/**
 * Training data at corpus scale from the standard library inside the Pyodide package:
 * functions and methods run under inferred signatures, verified variants, behaviour classes
 * across the corpus, a split by module and the leak check (README.md).
 */
export {
  buildStdlibCorpus,
  chooseModules,
  DEFAULT_STDLIB_OPTIONS,
  type StdlibCorpus,
  type StdlibCorpusOptions,
  type StdlibCorpusReport,
} from "./build.js";
export {
  readStdlibManifest,
  reusableStdlibCorpus,
  type StdlibManifest,
  stdlibSha256,
  writeStdlibCorpus,
} from "./dir.js";
export { readStdlib, readZip, type Stdlib, stdlibZipPath } from "./zip.js";
