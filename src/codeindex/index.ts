/**
 * Behaviour-aware code search over real Python: an index directory (SQLite + an HNSW graph) of
 * functions with their behaviour classes, per-input outputs and embeddings, and search over it.
 * See README.md.
 */
export { type FunctionProblem, type IndexOptions, type IndexSummary, indexPaths } from "./build.js";
export { type Embedder, loadEmbedder } from "./embedder.js";
export {
  type Behaviour,
  openIndex,
  SearchError,
  type SearchHit,
  type SearchOptions,
  type SearchResult,
  searchIndex,
} from "./search.js";
export { type Candidate, candidatesOf, listSourceFiles, readSource } from "./sources.js";
export { DB_FILE, type FunctionRecord, IndexStore, type StoredFunction } from "./store.js";
export { ANN_FILE, AnnIndex, type Distance, exactNearest, type Neighbour } from "./vectors.js";
