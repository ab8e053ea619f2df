/**
 * Behaviour-aware code search over real Python: building an index directory (`tracecode
 * index`), storing it (SQLite + an HNSW graph), querying it (`tracecode search`) and measuring
 * clone retrieval (`tracecode eval-clones`). See README.md.
 */

export {
  type ExecItem,
  type ExecResult,
  type ExecSettings,
  type Executor,
  executeItems,
  type FunctionProblem,
  type IndexOptions,
  type IndexSummary,
  indexPaths,
  successShare,
} from "./build.js";
export { buildId } from "./build-id.js";
export {
  agreement,
  type EvalClonesOptions,
  type EvalClonesResult,
  evalClones,
  execDissimilarity,
  type InferredArgs,
  inferRowArgs,
  lexicalDissimilarity,
  type Measured,
  MODES,
  type Mode,
  type NameFreeReport,
  readThreshold,
  StoredThreshold,
  structureDissimilarity,
  THRESHOLD_MODES,
  type ThresholdMode,
  type ThresholdReport,
  tfidfVectors,
  writeThreshold,
} from "./clones/index.js";
export { type DoctestCheck, doctestAgrees, normaliseRepr } from "./doctests.js";
export {
  type Behaviour,
  openIndex,
  queryFunction,
  SearchError,
  type SearchHit,
  type SearchOptions,
  type SearchResult,
  searchIndex,
} from "./query.js";
export {
  addReports,
  emptyReport,
  type IndexReport,
  type OutcomeCounts,
  reasonKey,
} from "./report.js";
export { type IndexedRow, indexedRow, moduleLinesOf } from "./rerun.js";
export {
  ANN_FILE,
  AnnIndex,
  canonicalRows,
  DB_FILE,
  type Distance,
  type Embedder,
  exactNearest,
  exportIndex,
  type FunctionRecord,
  IndexStore,
  loadEmbedder,
  type Neighbour,
  type StoredFunction,
} from "./store/index.js";
