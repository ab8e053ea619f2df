/**
 * Training data at corpus scale from the standard library inside the Pyodide package (and,
 * optionally, Debian's pure-Python packages): functions and methods run under inferred
 * signatures, verified variants, behaviour classes across the corpus, a split by module and the
 * leak check (README.md).
 */
export {
  buildStdlibCorpus,
  type CorpusSource,
  chooseModules,
  DEFAULT_STDLIB_OPTIONS,
  type SourceCounts,
  type StdlibCorpus,
  type StdlibCorpusOptions,
  type StdlibCorpusReport,
} from "./build.js";
export {
  chooseDebianUnits,
  DEBIAN_DIR,
  DEBIAN_INSTALL_HINT,
  type DebianModule,
  type DebianPackages,
  type DebianUnit,
  readDebianModules,
  readDebianPackages,
} from "./debian.js";
export {
  readStdlibManifest,
  reusableStdlibCorpus,
  type StdlibManifest,
  stdlibSha256,
  writeStdlibCorpus,
} from "./dir.js";
export { readStdlib, readZip, type Stdlib, stdlibZipPath } from "./zip.js";
