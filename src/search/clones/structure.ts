/**
 * The structural baseline: what the code's syntax tree is made of, without a single name or
 * literal. Each function becomes the sequence of its tree-sitter node types in pre-order
 * (named and anonymous nodes, so operators and keywords count; comments left out), its 1- to
 * 3-grams are weighted by TF-IDF, and functions are compared by cosine — cheap, no model.
 */
import { type Node, withTree } from "../../synth/index.js";
import { cosineDissimilarity, tfidfOfCounts } from "./lexical.js";

const N_MAX = 3;

/** Node types of `code` in pre-order (comments left out). Needs `initPython()` first. */
export function nodeTypes(code: string): string[] {
  return withTree(code, (root) => {
    const out: string[] = [];
    const walk = (n: Node) => {
      if (n.type === "comment") return;
      out.push(n.type);
      for (const c of n.children) if (c) walk(c);
    };
    walk(root);
    return out;
  });
}

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
