/** Behaviour-aware code search: execution agreement, learned embeddings, a lexical baseline. */
export {
  type EvalClonesOptions,
  type EvalClonesResult,
  evalClones,
  MODES,
  type Mode,
  REAL_INT_RANGE,
} from "./eval-clones.js";
export { agreement, execDissimilarity } from "./exec.js";
export { lexicalDissimilarity, tfidfVectors } from "./lexical.js";
