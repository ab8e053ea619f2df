/**
 * Index storage: the index directory's SQLite database, its HNSW graph and the code-only model
 * its embeddings come from. See ../README.md.
 */
export { type Embedder, loadEmbedder } from "./embedder.js";
export { exportIndex } from "./export.js";
export {
  canonicalRows,
  DB_FILE,
  type FunctionRecord,
  IndexStore,
  type StoredFunction,
} from "./store.js";
export { ANN_FILE, AnnIndex, type Distance, exactNearest, type Neighbour } from "./vectors.js";
