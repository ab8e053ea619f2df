/**
 * Sparse features of a snippet for the bag-of-features encoder: what the two cheap baselines
 * read, hashed into one table of `buckets` rows.
 *
 *   chars   character 3–5-grams of the text with whitespace runs collapsed (the lexical baseline)
 *   tokens  Python tokens (tokenizers.ts) and adjacent token pairs, plus the lower-case parts of
 *           snake_case and camelCase identifiers, so `max_sum` and `maxSum` share `max`, `sum`
 *   tree    tree-sitter node types in pre-order, comments left out, 1–3-grams (the structural
 *           baseline): no name, no literal
 *
 * Each feature is `group:gram`, its row `fnv1a(utf-8 of that) mod buckets`. Within a group a
 * row's weight is (1 + ln count) × idf[row], the group's weights are scaled to unit length and
 * then by √(group weight), so with random rows the embedding's cosine is the weighted mean of
 * the groups' TF-IDF cosines (up to the projection's noise).
 */
import { hashString } from "../../random/index.js";
import { type Node, withTree } from "../../synth/index.js";
import { pythonTokens } from "../tokenizers.js";

export const FEATURE_GROUPS = ["chars", "tokens", "tree"] as const;
export type FeatureGroup = (typeof FEATURE_GROUPS)[number];

/** One snippet's distinct rows per group with their counts (rows ascending). */
export type RawFeatures = Record<FeatureGroup, Map<number, number>>;

/** One snippet as an EmbeddingBag bag: rows and their weights. */
export interface Bag {
  ids: number[];
  weights: number[];
}

const CHAR_N = [3, 5] as const;
const TREE_N = 3;

/** Character 3–5-grams of the text with whitespace runs collapsed (what lexical search reads). */
export function charGrams(code: string): string[] {
  const text = code.replace(/\s+/g, " ");
  const out: string[] = [];
  for (let n = CHAR_N[0]; n <= CHAR_N[1]; n++) {
    for (let i = 0; i + n <= text.length; i++) out.push(text.slice(i, i + n));
  }
  return out;
}

/** 1–3-grams of a sequence of node types (what the structural baseline reads). */
export function typeGrams(types: readonly string[]): string[] {
  const out: string[] = [];
  for (let n = 1; n <= TREE_N; n++) {
    for (let i = 0; i + n <= types.length; i++) out.push(types.slice(i, i + n).join(" "));
  }
  return out;
}

/** The grams of each group, unhashed (for tests and for reading what a row stands for). */
export function featureGrams(code: string): Record<FeatureGroup, string[]> {
  const toks = pythonTokens(code);
  const tokens = [...toks];
  for (let i = 0; i + 1 < toks.length; i++) tokens.push(`${toks[i]} ${toks[i + 1]}`);
  for (const t of toks) {
    if (!/^[A-Za-z_]\w*$/.test(t)) continue;
    const parts = t
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .toLowerCase()
      .split("_")
      .filter((p) => p !== "");
    if (parts.length > 1) for (const p of parts) tokens.push(`part ${p}`);
  }
  return { chars: charGrams(code), tokens, tree: typeGrams(nodeTypes(code)) };
}

/** Node types of `code` in pre-order, comments left out. Needs `initPython()` first. */
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

/** The table row of a feature. */
export function featureRow(group: FeatureGroup, gram: string, buckets: number): number {
  return hashString(`${group}:${gram}`) % buckets;
}

/** Counts per row and group. Needs `initPython()` first. */
export function rawFeatures(code: string, buckets: number): RawFeatures {
  const grams = featureGrams(code);
  const out = {} as RawFeatures;
  for (const g of FEATURE_GROUPS) {
    const counts = new Map<number, number>();
    for (const gram of grams[g]) {
      const row = featureRow(g, gram, buckets);
      counts.set(row, (counts.get(row) ?? 0) + 1);
    }
    out[g] = new Map([...counts].sort((a, b) => a[0] - b[0]));
  }
  return out;
}

/**
 * IDF of every row over `docs` (the training snippets): ln((1 + N) / (1 + df)) + 1 (the baselines
 * in search/clones weigh by ln((1 + N) / (1 + df) + 1), a variant kept for their measured figures).
 */
export function fitIdf(docs: readonly RawFeatures[], buckets: number): number[] {
  const df = new Float64Array(buckets);
  for (const d of docs) {
    const seen = new Set<number>();
    for (const g of FEATURE_GROUPS) for (const row of d[g].keys()) seen.add(row);
    for (const row of seen) df[row]++;
  }
  const n = docs.length;
  return Array.from(df, (f) => Math.log((1 + n) / (1 + f)) + 1);
}

/** The lexical anchor's weights: the character n-grams alone, as the lexical baseline reads. */
export const ANCHOR_GROUP_WEIGHTS: Readonly<Record<FeatureGroup, number>> = {
  chars: 1,
  tokens: 0,
  tree: 0,
};

/** The bag of the lexical anchor (body.ts): the chars rows alone, TF-IDF at unit length. */
export function anchorBagOf(features: RawFeatures, idf: ArrayLike<number>): Bag {
  const charsOnly = { chars: features.chars, tokens: new Map(), tree: new Map() };
  return bagOf(charsOnly, idf, ANCHOR_GROUP_WEIGHTS);
}

/** The weighted bag of a snippet's features (see the file comment). */
export function bagOf(
  features: RawFeatures,
  idf: ArrayLike<number>,
  groupWeights: Record<FeatureGroup, number>,
): Bag {
  const ids: number[] = [];
  const weights: number[] = [];
  for (const g of FEATURE_GROUPS) {
    const start = weights.length;
    let norm = 0;
    for (const [row, count] of features[g]) {
      const w = (1 + Math.log(count)) * idf[row];
      ids.push(row);
      weights.push(w);
      norm += w * w;
    }
    const scale = norm > 0 ? Math.sqrt(groupWeights[g] / norm) : 0;
    for (let i = start; i < weights.length; i++) weights[i] *= scale;
  }
  return { ids, weights };
}
