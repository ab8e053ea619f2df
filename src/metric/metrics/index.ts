export {
  averagePrecisionAtR,
  precisionAt1,
  type RankedQuery,
  type RetrievalMetrics,
  type RetrievalOptions,
  rankQueries,
  reciprocalRank,
  retrievalMetrics,
  rPrecision,
  selfRetrievalMetrics,
  type TieBreak,
} from "./retrieval.js";
