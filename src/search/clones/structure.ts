/**
 * The structural baseline: what the code's syntax tree is made of, without a single name or
 * literal. Each function becomes the sequence of its tree-sitter node types in pre-order
 * (named and anonymous nodes, so operators and keywords count; comments left out), its 1- to
 * 3-grams are weighted by TF-IDF, and functions are compared by cosine — cheap, no model.
 */
import { nodeTypes } from "../../models/index.js";
import { cosineDissimilarity, tfidfOfCounts } from "./lexical.js";

/** The node types are read as the bag encoder reads them (one definition, in models/bag). */
export { nodeTypes };

const N_MAX = 3;

function grams(types: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (let n = 1; n <= N_MAX; n++) {
    for (let i = 0; i + n <= types.length; i++) {
      const g = types.slice(i, i + n).join(" ");
      out.set(g, (out.get(g) ?? 0) + 1);
    }
  }
  return out;
}

/** [n, n] dissimilarity: 1 − cosine of node-type n-gram TF-IDF vectors. Needs `initPython()`. */
export function structureDissimilarity(codes: readonly string[]): Float64Array {
  return cosineDissimilarity(tfidfOfCounts(codes.map((c) => grams(nodeTypes(c)))));
}
