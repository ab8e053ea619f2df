/**
 * The lexical baseline: character n-gram (3–5) TF-IDF vectors, cosine similarity. Whitespace
 * runs are collapsed first so indentation style does not dominate. The TF-IDF weighting and
 * the cosine dissimilarity are shared with the structural baseline (`structure.ts`); the grams
 * are the bag encoder's (models/bag), defined once.
 */
import { charGrams } from "../../models/index.js";

/** Counts of each gram. */
export function countsOf(grams: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const g of grams) out.set(g, (out.get(g) ?? 0) + 1);
  return out;
}

/** Unit-length TF-IDF vectors (sparse) of every document, IDF from the documents themselves. */
export function tfidfVectors(docs: readonly string[]): Map<string, number>[] {
  return tfidfOfCounts(docs.map((d) => countsOf(charGrams(d))));
}

/** Unit-length TF-IDF vectors of term counts, IDF from the documents themselves. */
export function tfidfOfCounts(counts: readonly Map<string, number>[]): Map<string, number>[] {
  const df = new Map<string, number>();
  for (const c of counts) for (const g of c.keys()) df.set(g, (df.get(g) ?? 0) + 1);
  return counts.map((c) => {
    const v = new Map<string, number>();
    let norm = 0;
    for (const [g, tf] of c) {
      const w = (1 + Math.log(tf)) * Math.log((1 + counts.length) / (1 + (df.get(g) ?? 0)) + 1);
      v.set(g, w);
      norm += w * w;
    }
    const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (const [g, w] of v) v.set(g, w * s);
    return v;
  });
}

/** [n, n] dissimilarity: 1 − cosine of unit-length sparse vectors. */
export function cosineDissimilarity(v: readonly Map<string, number>[]): Float64Array {
  const n = v.length;
  const dis = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const [small, large] = v[i].size <= v[j].size ? [v[i], v[j]] : [v[j], v[i]];
      let dot = 0;
      for (const [g, w] of small) dot += w * (large.get(g) ?? 0);
      dis[i * n + j] = dis[j * n + i] = 1 - dot;
    }
  }
  return dis;
}

/** [n, n] dissimilarity: 1 − cosine of the character n-gram TF-IDF vectors. */
export function lexicalDissimilarity(docs: readonly string[]): Float64Array {
  return cosineDissimilarity(tfidfVectors(docs));
}
