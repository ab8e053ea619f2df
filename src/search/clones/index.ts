/**
 * Clone evaluation (`tracecode eval-clones`) and the dissimilarities it compares: execution
 * agreement on shared inputs, learned embeddings and a lexical TF-IDF baseline. See ../README.md.
 */
export {
  type EvalClonesOptions,
  type EvalClonesResult,
  evalClones,
  MODES,
  type Mode,
} from "./eval-clones.js";
export { agreement, execDissimilarity } from "./exec.js";
export { lexicalDissimilarity, tfidfVectors } from "./lexical.js";
