/**
 * The structural baseline: what the code's syntax tree is made of, without a single name or
 * literal. Each function becomes the sequence of its tree-sitter node types in pre-order
 * (named and anonymous nodes, so operators and keywords count; comments left out), its 1- to
 * 3-grams are weighted by TF-IDF, and functions are compared by cosine — cheap, no model.
 */
import { nodeTypes, typeGrams } from "../../models/index.js";
import { cosineDissimilarity, countsOf, tfidfOfCounts } from "./lexical.js";

/** The node types and their grams are read as the bag encoder reads them (one definition). */
export { nodeTypes };

/** [n, n] dissimilarity: 1 − cosine of node-type n-gram TF-IDF vectors. Needs `initPython()`. */
export function structureDissimilarity(codes: readonly string[]): Float64Array {
  return cosineDissimilarity(tfidfOfCounts(codes.map((c) => countsOf(typeGrams(nodeTypes(c))))));
}
